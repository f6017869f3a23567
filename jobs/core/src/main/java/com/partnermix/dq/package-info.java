/**
 * Data-quality gates ({@code dq --layer bronze|silver|gold --date D}): runs the layer's declarative check
 * files of {@code data-quality/} with Deequ against its tables, writes one row per check to
 * {@code dq.check_results} (with the Delta version of each table checked) and stops the night (exit 1) when an
 * Error-level check fails. Entry point: {@link com.partnermix.dq.DqJob}.
 */
package com.partnermix.dq;
