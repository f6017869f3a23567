package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.List;

import static com.partnermix.fraud.FraudRule.signal;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * COOKIE_STUFFING: partner clicks with no page view on their device within the dwell time, in a burst of several
 * partners (or referring sites) on one device, or of several devices on one IP, within seconds. Honest people
 * open partner links in tabs and visit them later, and offices or mobile carriers put hundreds of devices behind
 * one IP: a withholding needs a click never visited, in a burst none of whose clicks was visited, on one device
 * or on an IP whose partner clicks of the day mostly lead nowhere. Findings have no order (the job links a
 * stuffed click to the order it would be credited for) and carry the {@code click_date} their scope is keyed by.
 */
final class CookieStuffingRule implements FraudRule {

    static final String NEVER_VISITED = "never_visited";
    static final String BURST_NEVER_VISITED = "burst_never_visited";
    static final String DEVICE_BURST = "device_burst";
    static final String IP_BURST = "ip_burst_not_shared";

    @Override
    public String code() {
        return FraudRules.COOKIE_STUFFING;
    }

    @Override
    public String configKey() {
        return "cookie_stuffing";
    }

    @Override
    public Level level() {
        return Level.CLICK;
    }

    @Override
    public List<String> thresholds() {
        return List.of("burst_seconds", "min_partners_per_device", "min_ids_per_ip", "min_ip_unvisited_share");
    }

    @Override
    public List<String> signals() {
        return List.of(NEVER_VISITED, BURST_NEVER_VISITED, DEVICE_BURST, IP_BURST);
    }

    @Override
    public Dataset<Row> findings(FraudInputs in, PartnermixConfig.RuleSettings settings) {
        return findings(in.timeline().where(in.inWindow()), settings);
    }

    /** @param timeline {@link FraudRules#timeline} rows of the days to judge */
    static Dataset<Row> findings(Dataset<Row> timeline, PartnermixConfig.RuleSettings settings) {
        long burstMillis = Math.round(settings.threshold("burst_seconds") * 1000);
        double minPartners = settings.threshold("min_partners_per_device");
        double minIds = settings.threshold("min_ids_per_ip");
        Column millis = expr("unix_millis(event_ts)");
        WindowSpec device = Window.partitionBy("anonymous_id").orderBy(millis).rangeBetween(-burstMillis, burstMillis);
        WindowSpec ip = Window.partitionBy("ip_hash").orderBy(millis).rangeBetween(-burstMillis, burstMillis);
        Dataset<Row> partnerClicks = timeline.where(FraudRules.isPartnerClick())
                .withColumn("click_date", to_date(col("event_ts")));
        // The IP's population over the click's day: how many devices, and how many of its clicks were never visited.
        Dataset<Row> population = partnerClicks.where(col("ip_hash").isNotNull())
                .groupBy("ip_hash", "click_date")
                .agg(countDistinct("anonymous_id").as("ip_devices"),
                        avg(when(col("pv_window").equalTo(0), 1.0).otherwise(0.0)).as("ip_unvisited_share"));
        Column visited = col("pv_window").gt(0);
        Dataset<Row> clicks = partnerClicks.where(col("pv_dwell").equalTo(0))
                .withColumn("partners_on_device", greatest(size(collect_set("partner_id").over(device)),
                        size(collect_set(expr("parse_url(referrer_url, 'HOST')")).over(device))))
                .withColumn("device_burst_visited", max(visited).over(device))
                .withColumn("devices_on_ip", when(col("ip_hash").isNotNull(),
                        size(collect_set("anonymous_id").over(ip))).otherwise(lit(1)))
                .withColumn("ip_burst_visited", when(col("ip_hash").isNotNull(), max(visited).over(ip))
                        .otherwise(lit(false)))
                .where(col("partners_on_device").geq(minPartners).or(col("devices_on_ip").geq(minIds)))
                .join(population, ScalaSeqs.of("ip_hash", "click_date"), "left");
        Column deviceBurst = col("partners_on_device").geq(minPartners);
        Column ipBurst = col("devices_on_ip").geq(minIds);
        Column unvisitedShare = coalesce(col("ip_unvisited_share"), lit(0.0));
        Column burstNeverVisited = not(col("device_burst_visited")).and(not(ipBurst).or(not(col("ip_burst_visited"))));
        return clicks.select(lit(FraudRules.COOKIE_STUFFING).as("rule_code"), lit(null).cast("string").as("order_id"),
                col("event_id"), col("partner_id"), lit(null).cast("string").as("displaced_partner_id"),
                greatest(col("partners_on_device"), col("devices_on_ip")).cast("double").as("measured_value"),
                lit(Math.min(minPartners, minIds)).as("threshold"),
                format_string("click without a visit; %d partners (or sites) on this device and %d devices on this IP "
                                + "within %.0f s; %d page views on the device within the visit window; the IP has %d "
                                + "devices that day, %.0f%% of its partner clicks never visited",
                        col("partners_on_device"), col("devices_on_ip"), lit(settings.threshold("burst_seconds")),
                        col("pv_window"), coalesce(col("ip_devices"), lit(1L)), unvisitedShare.multiply(100))
                        .as("detail"),
                FraudRule.signals(signal(NEVER_VISITED, col("pv_window"), col("pv_window").equalTo(0)),
                        signal(BURST_NEVER_VISITED, burstNeverVisited),
                        signal(DEVICE_BURST, col("partners_on_device"), deviceBurst),
                        signal(IP_BURST, col("devices_on_ip"),
                                ipBurst.and(unvisitedShare.geq(settings.threshold("min_ip_unvisited_share"))))),
                col("click_date"));
    }
}
