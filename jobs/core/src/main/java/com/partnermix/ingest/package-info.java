/**
 * Ingest ({@code ingest --date D}): reads delivery day D of every landing feed (touchpoints, orders,
 * partners, spend, FX rates), accepts, quarantines with a reason or drops as duplicate each line, and hashes
 * personal data. Writes {@code bronze.touchpoints}, {@code bronze.orders}, {@code bronze.partner_snapshots},
 * {@code bronze.spend}, {@code bronze.fx_rates}, {@code bronze.quarantine}, {@code bronze.ingest_runs} and
 * {@code silver.dim_partner}. Entry point: {@link com.partnermix.ingest.IngestJob}.
 */
package com.partnermix.ingest;
