/**
 * The sample-data generator: {@code partnermix generate --date D [--persons N] [--days N] [--seed S]
 * [--partners N] [--out DIR] [--truth DIR] [--gzip] [--on-time] [--knockout ch1,ch2] [--lift-tests g1,g2|none]}.
 *
 * <p>Writes a landing zone in the contract format (touchpoints and orders simulated by Spark, one
 * part file per simulation task and delivery day; partners, spend, fx_rates and the lift tests of the
 * experiments feed (on the last day) by the driver) for
 * the {@code days} days ending at D, and beside it, never inside it, the ground truth:
 * <pre>
 * &lt;truth&gt;/effects.json                      true hazard model: base rates, weekday factors, base rate per
 *                                          date and region, channel_effects and partner_type_effects
 *                                          (effect, decay, touch rates), impression_factor, knockouts, seed, sizes
 * &lt;truth&gt;/media_contributions/*.csv        date,region,channel,channel_or_partner_type,expected_incremental_orders
 *                                          (channel "affiliate" rows carry the partner type; "baseline" rows the
 *                                          orders without any touch effect)
 * &lt;truth&gt;/fraud_labels/*.csv               rule_code,order_id,event_id,partner_id (partner-level rules: ids empty)
 * &lt;truth&gt;/identity/*.csv                   anonymous_id,true_person ("shared" for the kiosk device)
 * &lt;truth&gt;/malformed_lines/*.csv            dt,expected_reason,line (line quoted RFC 4180: doubled quotes)
 * &lt;truth&gt;/lift_tests/lift_tests.csv       experiment_id,group,expected_test_conversions,expected_control_conversions,
 *                                          expected_incremental_orders_test_arm (what withholding the group's
 *                                          touches since the tests began takes from the test arm's half)
 * </pre>
 * Same seed and arguments give byte-identical files. Content and delivery use separate random
 * streams, so {@code --on-time} gives the same records in other dt folders.
 */
package com.partnermix.generate;
