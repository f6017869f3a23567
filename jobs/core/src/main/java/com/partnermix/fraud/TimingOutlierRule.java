package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static com.partnermix.fraud.FraudRule.signal;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

/**
 * TIMING_OUTLIER: one of the configured partner metrics with |robust z| at or above the threshold for a partner
 * with enough credited orders. A flooding partner is left to CLICK_FLOOD: its flat click-to-order times are part
 * of that finding.
 */
final class TimingOutlierRule implements FraudRule {

    static final String ROBUST_Z = "robust_z";

    @Override
    public String code() {
        return FraudRules.TIMING_OUTLIER;
    }

    @Override
    public String configKey() {
        return "timing_outlier";
    }

    @Override
    public Level level() {
        return Level.PARTNER;
    }

    @Override
    public List<String> thresholds() {
        return List.of("min_robust_z", "min_orders");
    }

    @Override
    public List<String> lists() {
        return List.of("metrics");
    }

    @Override
    public List<String> signals() {
        return List.of(ROBUST_Z);
    }

    @Override
    public Dataset<Row> findings(FraudInputs in, PartnermixConfig.RuleSettings settings) {
        return findings(in.metrics(), in.anomalies(), in.flooders(), settings);
    }

    static Dataset<Row> findings(Dataset<Row> metrics, Dataset<Row> anomalies, Dataset<Row> flooders,
                                 PartnermixConfig.RuleSettings settings) {
        double minZ = settings.threshold("min_robust_z");
        return anomalies.join(metrics.select("partner_id", "credited_orders"), ScalaSeqs.of("partner_id"))
                .join(flooders.select(col("partner_id"), lit(true).as("is_flooder")), ScalaSeqs.of("partner_id"), "left")
                .where(abs(col("robust_z")).geq(minZ)
                        .and(col("metric").isin(settings.list("metrics").toArray()))
                        .and(col("credited_orders").geq(settings.threshold("min_orders")))
                        .and(not(coalesce(col("is_flooder"), lit(false)))))
                .select(lit(FraudRules.TIMING_OUTLIER).as("rule_code"), lit(null).cast("string").as("order_id"),
                        lit(null).cast("string").as("event_id"), col("partner_id"),
                        lit(null).cast("string").as("displaced_partner_id"), col("robust_z").as("measured_value"),
                        lit(minZ).as("threshold"), col("metric"),
                        format_string("%s = %.4g against peer median %.4g (%s, %d partners): robust z %.1f",
                                col("metric"), col("value"), col("peer_median"), col("peer_group"), col("peer_count"),
                                col("robust_z")).as("detail"),
                        FraudRule.signals(signal(ROBUST_Z, col("robust_z"), lit(true))));
    }
}
