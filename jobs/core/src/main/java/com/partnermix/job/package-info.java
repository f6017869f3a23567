/**
 * What every subcommand is: the {@link com.partnermix.job.Job} interface, the typed command line
 * ({@link com.partnermix.job.Args}, picocli) and what a running job gets ({@link com.partnermix.job.JobContext}).
 * The stages depend on this package; the launchers that list the jobs ({@code com.partnermix.cli.Main},
 * {@code com.partnermix.tools.Main}) sit above them, so no stage depends on a launcher.
 */
package com.partnermix.job;
