/**
 * Warehouse invariants ({@code verify --date D [--checksums]}), read-only: credit sums, GMV
 * reconciliation, ingest accounting, silver/gold orphans and no raw personal data, from
 * {@code gold.attribution_credit}, {@code gold.partner_daily}, {@code silver.journeys}, {@code bronze.ingest_runs},
 * {@code bronze.quarantine} and every table under the warehouse root; prints PASS/FAIL per invariant.
 * Entry point: {@link com.partnermix.verify.VerifyJob}.
 */
package com.partnermix.verify;
