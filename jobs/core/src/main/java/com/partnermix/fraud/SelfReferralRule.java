package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.List;

import static com.partnermix.fraud.FraudRule.signal;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * SELF_REFERRAL: one person buying at least {@code min_orders} times in the window through the same partner's
 * last click. Loyal customers come back through the same loyalty or referral link every week; a withholding
 * needs many of those orders cancelled or returned (or more orders than a weekly buyer places, with returns).
 */
final class SelfReferralRule implements FraudRule {

    static final String BAD_ORDERS = "bad_orders";
    static final String BAD_SHARE = "bad_share";
    static final String FREQUENT = "frequent";

    @Override
    public String code() {
        return FraudRules.SELF_REFERRAL;
    }

    @Override
    public String configKey() {
        return "self_referral";
    }

    @Override
    public Level level() {
        return Level.ORDER;
    }

    @Override
    public List<String> thresholds() {
        return List.of("min_orders", "min_bad_orders", "min_bad_share", "frequent_orders");
    }

    @Override
    public List<String> signals() {
        return List.of(BAD_ORDERS, BAD_SHARE, FREQUENT);
    }

    @Override
    public Dataset<Row> findings(FraudInputs in, PartnermixConfig.RuleSettings settings) {
        return findings(in.credited(), settings);
    }

    /** @param credited order_id, person_id, order_status, credited_event_id, credited_partner_id */
    static Dataset<Row> findings(Dataset<Row> credited, PartnermixConfig.RuleSettings settings) {
        WindowSpec samePair = Window.partitionBy("person_id", "credited_partner_id");
        Column bad = when(col("order_status").isin("cancelled", "returned"), 1.0).otherwise(0.0);
        return credited.where(col("credited_partner_id").isNotNull())
                .withColumn("pair_orders", count("*").over(samePair))
                .withColumn("bad_orders", sum(bad).over(samePair))
                .withColumn("bad_share", avg(bad).over(samePair))
                .where(col("pair_orders").geq(settings.threshold("min_orders")))
                .select(lit(FraudRules.SELF_REFERRAL).as("rule_code"), col("order_id"),
                        col("credited_event_id").as("event_id"), col("credited_partner_id").as("partner_id"),
                        lit(null).cast("string").as("displaced_partner_id"),
                        col("pair_orders").cast("double").as("measured_value"),
                        lit(settings.threshold("min_orders")).as("threshold"),
                        format_string("this person bought %d times through %s in the window, %.0f cancelled or "
                                + "returned (%.0f%%)", col("pair_orders"), col("credited_partner_id"),
                                col("bad_orders"), col("bad_share").multiply(100)).as("detail"),
                        FraudRule.signals(
                                signal(BAD_ORDERS, col("bad_orders"), col("bad_orders").geq(settings.threshold("min_bad_orders"))),
                                signal(BAD_SHARE, col("bad_share"), col("bad_share").geq(settings.threshold("min_bad_share"))),
                                signal(FREQUENT, col("pair_orders"),
                                        col("pair_orders").geq(settings.threshold("frequent_orders")))));
    }
}
