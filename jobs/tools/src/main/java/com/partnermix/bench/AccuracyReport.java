package com.partnermix.bench;

import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * {@code bench --accuracy}: how far each model's credit lies from the generator's causal truth. The truth is each
 * group's expected incremental orders (what removing its exposures would cost, from the simulation's hazard:
 * {@code media_contributions} of the ground truth); a model's shares are its credit summed per group over every
 * credited touch. Groups: the partner type of an affiliate touch, the channel of any other. The distance is the
 * total variation between the two share vectors: 0 the same, 1 disjoint.
 */
final class AccuracyReport {

    private AccuracyReport() {}

    /** Expected incremental orders per group, as shares (the baseline left out). */
    static Map<String, Double> trueShares(SparkSession spark, String groundTruth) {
        Map<String, Double> orders = new TreeMap<>();
        spark.read().option("header", "true").csv(groundTruth + "/media_contributions")
                .where(col("channel_or_partner_type").notEqual("baseline"))
                .groupBy("channel_or_partner_type")
                .agg(sum(col("expected_incremental_orders").cast("double")))
                .collectAsList()   // one row per channel and partner type
                .forEach(r -> orders.put(r.getString(0), r.getDouble(1)));
        return shares(orders);
    }

    /** Per model: credit per group over the credited touches (unattributed rows have none), as shares. */
    static Map<String, Map<String, Double>> creditedShares(Warehouse wh) {
        Dataset<Row> credit = wh.read(Tables.GOLD_ATTRIBUTION_CREDIT).where(col("event_id").isNotNull());
        Map<String, Map<String, Double>> byModel = new TreeMap<>();
        credit.groupBy(col("model"), when(col("channel").equalTo("affiliate"), col("partner_type"))
                        .otherwise(col("channel")).as("group"))
                .agg(sum("credit"))
                .collectAsList()   // models x groups
                .forEach(r -> byModel.computeIfAbsent(r.getString(0), m -> new TreeMap<>())
                        .put(r.getString(1), r.getDouble(2)));
        byModel.replaceAll((model, orders) -> shares(orders));
        return byModel;
    }

    /** Total variation distance: half the sum of absolute differences over the groups of either. */
    static double distance(Map<String, Double> a, Map<String, Double> b) {
        java.util.Set<String> groups = new java.util.TreeSet<>(a.keySet());
        groups.addAll(b.keySet());
        double d = 0;
        for (String g : groups) {
            d += Math.abs(a.getOrDefault(g, 0.0) - b.getOrDefault(g, 0.0));
        }
        return d / 2;
    }

    static Map<String, Double> shares(Map<String, Double> amounts) {
        double total = amounts.values().stream().mapToDouble(v -> Math.max(0, v)).sum();
        Map<String, Double> out = new TreeMap<>();
        amounts.forEach((k, v) -> out.put(k, total > 0 ? Math.max(0, v) / total : 0.0));
        return out;
    }

    /** The table printed: distance per model (best first), and the groups' shares of the truth and each model. */
    static List<String> format(Map<String, Double> truth, Map<String, Map<String, Double>> credited) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, "%-24s %9s", "model", "distance"));
        credited.entrySet().stream()
                .sorted(Map.Entry.comparingByValue(java.util.Comparator.comparingDouble(s -> distance(truth, s))))
                .forEach(e -> lines.add(String.format(Locale.ROOT, "%-24s %9.3f", e.getKey(),
                        distance(truth, e.getValue()))));
        lines.add("");
        StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-20s %7s", "group", "truth"));
        List<String> models = new ArrayList<>(credited.keySet());
        models.forEach(m -> header.append(String.format(Locale.ROOT, " %8.8s", m)));
        lines.add(header.toString());
        java.util.Set<String> groups = new java.util.TreeSet<>(truth.keySet());
        credited.values().forEach(s -> groups.addAll(s.keySet()));
        for (String g : groups) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-20s %7.3f", g,
                    truth.getOrDefault(g, 0.0)));
            models.forEach(m -> line.append(String.format(Locale.ROOT, " %8.3f",
                    credited.get(m).getOrDefault(g, 0.0))));
            lines.add(line.toString());
        }
        return lines;
    }
}
