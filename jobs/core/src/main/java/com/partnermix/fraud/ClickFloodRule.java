package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static com.partnermix.fraud.FraudRule.signal;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;

/**
 * CLICK_FLOOD per order: the credited click (no page view within the dwell time) belongs to a partner whose clicks
 * per credited order are far above its peers' with a flat click-to-order distribution
 * ({@link FraudRules#floodingPartners}). A flooded click is never visited and lands long before the order, and a
 * flooder's clicks mostly never reach the shop (click spam has no visitor); a partner whose clicks do land but rarely
 * convert, or a flooding partner's honest click that bounced, is only reviewed.
 */
final class ClickFloodRule implements FraudRule {

    static final String FLOODING_PARTNER = "flooding_partner";
    static final String NEVER_VISITED = "never_visited";
    static final String LONG_BEFORE = "long_before_order";
    static final String PARTNER_UNVISITED = "partner_clicks_unvisited";

    @Override
    public String code() {
        return FraudRules.CLICK_FLOOD;
    }

    @Override
    public String configKey() {
        return "click_flood";
    }

    @Override
    public Level level() {
        return Level.ORDER;
    }

    @Override
    public List<String> thresholds() {
        return List.of("min_robust_z", "min_ratio_to_peers", "min_flat_share", "min_clicks", "min_seconds_before_order",
                "min_unvisited_share");
    }

    @Override
    public List<String> signals() {
        return List.of(FLOODING_PARTNER, NEVER_VISITED, LONG_BEFORE, PARTNER_UNVISITED);
    }

    @Override
    public Dataset<Row> findings(FraudInputs in, PartnermixConfig.RuleSettings settings) {
        return findings(in.credited(), in.flooders(), settings);
    }

    /**
     * @param credited order_id, credited_event_id, credited_partner_id, credited_seconds_before_order,
     *                 credited_pv_dwell, credited_pv_window
     * @param flooders {@link FraudRules#floodingPartners}
     */
    static Dataset<Row> findings(Dataset<Row> credited, Dataset<Row> flooders, PartnermixConfig.RuleSettings settings) {
        Column pvWindow = coalesce(col("credited_pv_window"), lit(0L));
        Column before = col("credited_seconds_before_order");
        return credited.where(coalesce(col("credited_pv_dwell"), lit(0L)).equalTo(0))
                .join(flooders.withColumnRenamed("partner_id", "credited_partner_id"),
                        ScalaSeqs.of("credited_partner_id"))
                .select(lit(FraudRules.CLICK_FLOOD).as("rule_code"), col("order_id"),
                        col("credited_event_id").as("event_id"), col("credited_partner_id").as("partner_id"),
                        lit(null).cast("string").as("displaced_partner_id"),
                        col("clicks_per_order").as("measured_value"),
                        col("peer_median").multiply(settings.threshold("min_ratio_to_peers")).as("threshold"),
                        format_string("credited click without a visit from %s, which has %.1f clicks per order "
                                        + "(peers %.1f, robust z %.1f) and %.0f%% of its clicks never visited; "
                                        + "clicked %.1f h before the order",
                                col("credited_partner_id"), col("clicks_per_order"), col("peer_median"),
                                col("robust_z"), col("unvisited_share").multiply(100), before.divide(3600))
                                .as("detail"),
                        FraudRule.signals(signal(FLOODING_PARTNER, col("robust_z"), lit(true)),
                                signal(NEVER_VISITED, pvWindow, pvWindow.equalTo(0)),
                                signal(LONG_BEFORE, before, before.geq(settings.threshold("min_seconds_before_order"))),
                                signal(PARTNER_UNVISITED, col("unvisited_share"),
                                        col("unvisited_share").geq(settings.threshold("min_unvisited_share")))));
    }
}
