package com.partnermix.mmm;

import com.partnermix.generate.GenerateJob;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.journeys.TouchRules;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_date;

/**
 * A generated landing zone turned into an MMM panel with the production aggregation steps
 * ({@link PanelBuilder}), straight from the landing files (no ingest or journeys: the panel only
 * needs touch counts per local day, region and channel, and orders per day and region), plus the
 * generator's true expected incremental orders per channel.
 */
final class GeneratedPanel {

    final Panel panel;
    /** True expected orders over the window per panel channel, and "baseline" (no media). */
    final Map<String, Double> trueOrders;

    private GeneratedPanel(Panel panel, Map<String, Double> trueOrders) {
        this.panel = panel;
        this.trueOrders = trueOrders;
    }

    double trueShare(String channel) {
        double all = trueOrders.values().stream().mapToDouble(Double::doubleValue).sum();
        return trueOrders.getOrDefault(channel, 0.0) / all;
    }

    static GeneratedPanel generate(SparkSession spark, PartnermixConfig config, Path root, LocalDate last, int days,
                                   int persons, List<String> knockouts) throws Exception {
        List<String> argv = new ArrayList<>(List.of("--date", last.toString(), "--days",
                Integer.toString(days), "--persons", Integer.toString(persons), "--seed", System.getProperty("mmm.recovery.seed", "11"), "--on-time",
                "--out", root.resolve("landing").toString(), "--truth", root.resolve("truth").toString()));
        if (!knockouts.isEmpty()) {
            argv.addAll(List.of("--knockout", String.join(",", knockouts)));
        }
        int code = GenerateJob.run(argv, config, spark);
        if (code != 0) {
            throw new IllegalStateException("generate exited " + code);
        }
        String landing = root.resolve("landing").toString();
        TouchRules rules = new TouchRules(config.journeys());
        LocalDate first = last.minusDays(days - 1L);
        // The local calendar day of an event is the date part of its RFC 3339 stamp (the truth counts local days).
        Dataset<Row> touchpoints = spark.read().schema("event_ts STRING, event_type STRING, channel STRING, "
                        + "partner_id STRING, country STRING").json(landing + "/touchpoints/*/*")
                .where(col("event_ts").isNotNull())
                .withColumn("event_date", to_date(substring(col("event_ts"), 1, 10)));
        Dataset<Row> partners = spark.read().option("header", "true").csv(landing + "/partners/dt=" + last
                        + "/partners.csv")
                .select(col("partner_id"), col("partner_type"), col("cps_rate").cast("double"),
                        col("cpc_rate").cast("double"), col("cpm_rate").cast("double"), col("rate_currency"),
                        lit(java.sql.Date.valueOf("1900-01-01")).as("valid_from"), lit(null).cast("date").as("valid_to"));
        Dataset<Row> fx = spark.read().option("header", "true").csv(landing + "/fx_rates/*/*.csv")
                .select(col("date").cast("date").as("rate_date"), col("currency"),
                        col("usd_per_unit").cast("double"));
        Dataset<Row> media = PanelBuilder.touchActivity(touchpoints, partners, fx, rules, "partner_type", first, last);
        // One row per order (its first version), as the converting journeys hold it.
        Dataset<Row> orders = spark.read().schema("order_id STRING, order_ts STRING, revenue STRING, currency STRING, "
                        + "country STRING").json(landing + "/orders/*/*")
                .where(col("order_id").isNotNull().and(col("order_ts").isNotNull()))
                .groupBy("order_id").agg(min(col("order_ts")).as("order_ts"),
                        org.apache.spark.sql.functions.first("revenue").as("revenue"),
                        org.apache.spark.sql.functions.first("country").as("country"))
                .select(to_date(substring(col("order_ts"), 1, 10)).as("order_date"),
                        rules.region(col("country")).as("region"), lit(true).as("is_converted"),
                        col("revenue").cast("double").as("revenue_usd"));
        Panel panel = PanelBuilder.collect(media, PanelBuilder.targets(orders, first, last), first, last,
                "weighted_touches", config.attribution().viewThroughWeight(),
                config.mmm().excludeChannels());
        Dataset<Row> truthRows = spark.read().option("header", "true")
                .csv(root.resolve("truth/media_contributions").toString());
        if (Boolean.getBoolean("mmm.recovery.expected")) {
            // experiment: the expected orders (no Poisson noise) as the target
            for (double[] row : panel.orders) {
                java.util.Arrays.fill(row, 0);
            }
            for (Row r : truthRows.groupBy("date", "region").agg(org.apache.spark.sql.functions.sum(
                    col("expected_incremental_orders").cast("double"))).collectAsList()) {
                int ri = panel.regionIndex(r.getString(1));
                int t = (int) (LocalDate.parse(r.getString(0)).toEpochDay() - panel.firstDate.toEpochDay());
                if (ri >= 0 && t >= 0 && t < panel.days) {
                    panel.orders[ri][t] = r.getDouble(2);
                }
            }
        }
        Map<String, Double> truth = new HashMap<>();
        for (Row r : truthRows
                .groupBy("channel", "channel_or_partner_type")
                .agg(org.apache.spark.sql.functions.sum(col("expected_incremental_orders").cast("double")))
                .collectAsList()) {
            String channel = r.getString(0);
            String key = channel.equals("affiliate") ? "affiliate:" + r.getString(1) : channel;
            truth.merge(key, r.getDouble(2), Double::sum);
        }
        return new GeneratedPanel(panel, truth);
    }
}
