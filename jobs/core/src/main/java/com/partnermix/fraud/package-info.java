/**
 * Fraud and last-click hijacking ({@code fraud --date D}) and reviewers' decisions ({@code review}).
 * Reads the bronze touchpoints, orders and FX rates, {@code silver.dim_partner}, {@code silver.identity_map} and the
 * silver journeys; writes {@code gold.fraud_flags}, {@code gold.partner_anomalies}, {@code gold.fraud_review_queue}
 * and the {@code *_adjusted} models of {@code gold.attribution_credit}; {@code review} appends to
 * {@code gold.fraud_review_decisions}. Entry points: {@link com.partnermix.fraud.FraudJob},
 * {@link com.partnermix.fraud.ReviewJob}; each rule is a {@link com.partnermix.fraud.FraudRule}.
 */
package com.partnermix.fraud;
