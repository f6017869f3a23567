package com.partnermix.mmm;

import com.partnermix.common.ConfigLoader;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Warehouse;
import com.partnermix.generate.GenerateJob;
import com.partnermix.ingest.IngestJob;
import com.partnermix.journeys.JourneysJob;
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

/**
 * A generated landing zone turned into an MMM panel the way a warehouse builds it: ingested, journeys built (they
 * mark the purchase sessions the panel leaves out), then {@link MmmJob#buildPanel}; plus the generator's true
 * expected incremental orders per channel.
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

    static GeneratedPanel generate(SparkSession spark, PartnermixConfig base, Path root, LocalDate last, int days,
                                   int persons, List<String> knockouts) throws Exception {
        PartnermixConfig config = ConfigLoader.withPaths(base, root.resolve("warehouse").toString(),
                root.resolve("landing").toString(), root.resolve("truth").toString(),
                root.resolve("checkpoints").toString());
        List<String> argv = new ArrayList<>(List.of("--date", last.toString(), "--days",
                Integer.toString(days), "--persons", Integer.toString(persons), "--seed", System.getProperty("mmm.recovery.seed", "11"), "--on-time",
                "--out", config.paths().landing(), "--truth", config.paths().groundTruth()));
        if (!knockouts.isEmpty()) {
            argv.addAll(List.of("--knockout", String.join(",", knockouts)));
        }
        long t0 = System.nanoTime();
        int code = GenerateJob.run(argv, config, spark);
        if (code != 0) {
            throw new IllegalStateException("generate exited " + code);
        }
        // The window as a backfill: every delivery day ingested, then the journeys built once over all of it.
        Warehouse wh = new Warehouse(spark, config.paths().warehouse());
        LocalDate first = last.minusDays(days - 1L);
        long t1 = System.nanoTime();
        for (List<LocalDate> pass : IngestJob.passes(first.datesUntil(last.plusDays(1)).toList(),
                IngestJob.DAYS_PER_PASS)) {
            IngestJob.ingestDays(spark, wh, config, pass);
        }
        long t2 = System.nanoTime();
        JourneysJob.build(wh, config, last);
        long t3 = System.nanoTime();
        Panel panel = MmmJob.buildPanel(wh, config, first, last);
        // Minutes of work before the first assertion: where they went.
        System.out.printf(java.util.Locale.ROOT, "panel %s: generated in %.1f s, ingested %.1f s, "
                + "journeys %.1f s, panel %.1f s%n", root.getFileName(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9, (System.nanoTime() - t3) / 1e9);
        Dataset<Row> truthRows = spark.read().option("header", "true")
                .csv(config.paths().groundTruth() + "/media_contributions");
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
