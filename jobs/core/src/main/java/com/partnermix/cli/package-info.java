/**
 * The launcher: {@code partnermix <subcommand> --date D [--conf FILE] [--set key=value]...} parses the
 * arguments, loads the configuration, takes the run lock of the warehouse and date for dated writers, and runs
 * one {@link com.partnermix.job.Job} (exit 0 success, 1 a run that stopped, 2 a usage or configuration error).
 * Reads and writes no table itself. Entry point: {@link com.partnermix.cli.Main}.
 */
package com.partnermix.cli;
