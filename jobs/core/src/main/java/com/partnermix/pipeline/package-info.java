/**
 * The nightly stages in order ({@link com.partnermix.pipeline.NightlyPipeline}), so that the demo and the
 * benchmark run a whole night in one JVM, as the Airflow DAG runs them as separate subcommands; the configuration
 * checked against the stages' registries ({@link com.partnermix.pipeline.ValidatedConfig}) and the driver heap
 * meter. Reads and writes the tables of the stages it runs; no subcommand of its own.
 */
package com.partnermix.pipeline;
