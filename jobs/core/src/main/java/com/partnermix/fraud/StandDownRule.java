package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;

import static com.partnermix.fraud.FraudRule.signal;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

/**
 * STAND_DOWN_VIOLATION: a partner that must stand down (extensions, loyalty apps) clicks after another partner's
 * click in the same session, since the last order. It is told to stand down only for sessions it can see: the
 * other partner's landing URL carrying {@code afsrc=1}, on the device it runs on. A click on a new visit (the
 * session ended) is none; without those two signals the finding is a review only.
 */
final class StandDownRule implements FraudRule {

    static final String AFSRC = "afsrc_on_earlier_landing";
    static final String SAME_DEVICE = "same_device";

    @Override
    public String code() {
        return FraudRules.STAND_DOWN_VIOLATION;
    }

    @Override
    public String configKey() {
        return "stand_down";
    }

    @Override
    public Level level() {
        return Level.ORDER;
    }

    @Override
    public List<String> thresholds() {
        return List.of();
    }

    @Override
    public List<String> signals() {
        return List.of(AFSRC, SAME_DEVICE);
    }

    @Override
    public Dataset<Row> findings(FraudInputs in, PartnermixConfig.RuleSettings settings) {
        Column open = col("last_open_click");
        Column standDown = coalesce(col("stand_down_required"), lit(false))
                .and(open.isNotNull())
                .and(open.getField("event_ts").geq(col("session_start_ts")))
                .and(open.getField("event_ts").gt(FraudRules.sinceOrder()))
                .and(open.getField("partner_id").notEqual(col("partner_id")));
        Column afsrc = coalesce(open.getField("landing_url").rlike("[?&]afsrc=1(&|$)"), lit(false));
        Column sameDevice = coalesce(open.getField("anonymous_id").equalTo(col("anonymous_id")), lit(false));
        Column after = FraudRules.seconds(col("event_ts"), open.getField("event_ts"));
        return in.journeyClicks().where(standDown)
                .select(lit(code()).as("rule_code"), col("order_id"), col("event_id"), col("partner_id"),
                        open.getField("partner_id").as("displaced_partner_id"), after.as("measured_value"),
                        lit((double) in.gapSeconds).as("threshold"),
                        format_string("%s clicked %.0f s after %s's click in the same session%s%s", col("partner_id"),
                                after, open.getField("partner_id"),
                                when(afsrc, lit(" (that landing URL carried afsrc=1)")).otherwise(lit(" (no afsrc=1)")),
                                when(sameDevice, lit("")).otherwise(lit(", on another device"))).as("detail"),
                        FraudRule.signals(signal(AFSRC, afsrc), signal(SAME_DEVICE, sameDevice)));
    }
}
