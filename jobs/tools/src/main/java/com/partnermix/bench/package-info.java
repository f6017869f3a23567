/**
 * Benchmarks ({@code bench}): times the nightly stages on a generated landing zone under
 * {@code bench.work_dir}, or one stage alone on synthetic input ({@code --attribute}, {@code --solver-states},
 * {@code --mmm}, {@code --marts}), printing rows in and out, wall time, rows per second and peak driver heap.
 * Writes only its own scratch warehouse. Entry point: {@link com.partnermix.bench.BenchJob}.
 */
package com.partnermix.bench;
