/**
 * The demo and the installation check. {@code demo} wipes the local demo folders, generates a landing
 * zone, runs every nightly stage for every day (bronze, silver, gold, dq, publish) and prints a summary from
 * {@code bronze.ingest_runs}, {@code bronze.quarantine}, the gold marts and {@code dq.check_results}; {@code doctor}
 * does a Delta round trip in a temporary folder. Entry points: {@link com.partnermix.demo.DemoJob},
 * {@link com.partnermix.demo.DoctorJob}.
 */
package com.partnermix.demo;
