/**
 * Shared plumbing of every job: the typed configuration ({@link com.partnermix.common.ConfigLoader}),
 * Spark sessions, the table names ({@link com.partnermix.common.Tables}) and their paths
 * ({@link com.partnermix.common.Warehouse}), the idempotent Delta write patterns
 * ({@link com.partnermix.common.DeltaWrites}), FX rates, the run lock and content checksums.
 * No entry point: used by the jobs of the other packages.
 */
package com.partnermix.common;
