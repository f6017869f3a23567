package com.partnermix.fraud;

import com.partnermix.common.ScalaSeqs;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code fraud --evaluate LABELS_DIR}: precision and recall of gold.fraud_flags against labelled truth (the
 * generator's {@code fraud_labels/}: rule_code, order_id, event_id, partner_id), each with its 95 % Wilson
 * interval; the flags of each rule by proposed action and the precision of the action-bearing ones (withhold,
 * reassign) apart; the confusion between rules at order level. Order-level rules match on (rule, order), click
 * rules on (rule, click), partner-level labels (no order, no click) on (rule, partner). Recall counts every flag
 * of the rule, {@code flag} ones included (a reviewer sees them). Only labels inside the warehouse count: orders
 * of silver.journeys, clicks of bronze.touchpoints.
 */
public final class FraudEvaluation {

    static final String NONE = "(none)";
    static final List<String> ACTIONS = List.of("withhold", "reassign");
    private static final double Z95 = 1.959964;

    private FraudEvaluation() {}

    /** A 95 % interval of a proportion; NaN bounds when there is nothing to measure. */
    public record Interval(double low, double high) {
        @Override
        public String toString() {
            return Double.isNaN(low) ? "[   -     -  ]" : String.format(Locale.ROOT, "[%.3f %.3f]", low, high);
        }
    }

    /** The Wilson score interval of {@code successes} out of {@code n} (sound for small n and for 0 or n successes). */
    public static Interval wilson(long successes, long n) {
        if (n <= 0) {
            return new Interval(Double.NaN, Double.NaN);
        }
        double p = (double) successes / n;
        double z2 = Z95 * Z95;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2.0 * n)) / denominator;
        double half = Z95 / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4.0 * n * n));
        return new Interval(Math.max(0, centre - half), Math.min(1, centre + half));
    }

    /**
     * @param observable        labels whose labelled click is in the order's journey in the warehouse (a click on a
     *                          device identity stitching could not link to the buyer is invisible to any rule)
     * @param observableMatched of those, the ones flagged
     * @param byAction          the rule's flags (distinct keys) by their strongest proposed action
     * @param actionFlagged     keys with a withhold or reassign flag of the rule
     * @param actionMatched     of those, labelled with the rule
     * @param actionAnyLabel    of those, labelled with any rule (a payout change on a fraudulent order)
     */
    public record Score(String rule, String level, long labels, long flagged, long matched, long observable,
                        long observableMatched, Map<String, Long> byAction, long actionFlagged, long actionMatched,
                        long actionAnyLabel) {
        public double observableRecall() {
            return observable == 0 ? Double.NaN : (double) observableMatched / observable;
        }

        public double precision() {
            return flagged == 0 ? Double.NaN : (double) matched / flagged;
        }

        public double recall() {
            return labels == 0 ? Double.NaN : (double) matched / labels;
        }

        public double actionPrecision() {
            return actionFlagged == 0 ? Double.NaN : (double) actionMatched / actionFlagged;
        }

        public Interval precisionInterval() {
            return wilson(matched, flagged);
        }

        public Interval recallInterval() {
            return wilson(matched, labels);
        }

        public Interval actionPrecisionInterval() {
            return wilson(actionMatched, actionFlagged);
        }
    }

    /**
     * @param confusion       (labelled rule, flagged rule) -> orders, over orders labelled or flagged by an
     *                        order-level rule; {@link #NONE} for an order without a label or without a flag
     * @param actionConfusion the same with the action-bearing flags only
     */
    public record Result(List<Score> scores, Map<List<String>, Long> confusion, Map<List<String>, Long> actionConfusion) {
        public Score rule(String rule, String level) {
            return scores.stream().filter(s -> s.rule().equals(rule) && s.level().equals(level)).findFirst()
                    .orElseThrow();
        }

        public String format() {
            StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                    "%-22s %-7s %7s %7s %7s %9s %-15s %7s %-15s %7s %8s %8s %7s %9s %-15s %7s%n", "rule", "level",
                    "labels", "flags", "matched", "precision", "95% CI", "recall", "95% CI", "flag", "withhold",
                    "reassign", "actions", "act.prec", "95% CI", "act.any"));
            for (Score s : scores) {
                out.append(String.format(Locale.ROOT,
                        "%-22s %-7s %,7d %,7d %,7d %9.3f %-15s %7.3f %-15s %,7d %,8d %,8d %,7d %9.3f %-15s %7.3f%n",
                        s.rule(), s.level(), s.labels(), s.flagged(), s.matched(), s.precision(), s.precisionInterval(),
                        s.recall(), s.recallInterval(), s.byAction().getOrDefault("flag", 0L),
                        s.byAction().getOrDefault("withhold", 0L), s.byAction().getOrDefault("reassign", 0L),
                        s.actionFlagged(), s.actionPrecision(), s.actionPrecisionInterval(),
                        s.actionFlagged() == 0 ? Double.NaN : (double) s.actionAnyLabel() / s.actionFlagged()));
            }
            out.append("precision and recall: (rule, order) for order rules, (rule, click) for click rules, (rule, "
                    + "partner) for partner rules; recall counts flags of every action; 95% CI: Wilson.\n"
                    + "actions: keys with a withhold or reassign flag; act.prec: of those, labelled with the rule; "
                    + "act.any: labelled with any rule.\n");
            for (Score s : scores) {
                if (s.observable() != s.labels()) {
                    out.append(String.format(Locale.ROOT, "%s: %d of %d labels observable (labelled click in the "
                                    + "order's journey), recall among them %.3f%n", s.rule(), s.observable(), s.labels(),
                            s.observableRecall()));
                }
            }
            out.append(matrix("confusion at order level (rows: labelled rule, columns: flagged rule; orders)",
                    confusion));
            out.append(matrix("confusion of action-bearing flags (withhold/reassign) at order level", actionConfusion));
            return out.toString();
        }

        /** One row per score, for tables over several runs. */
        public String csv() {
            StringBuilder out = new StringBuilder("rule,level,labels,flags,matched,precision,precision_low,"
                    + "precision_high,recall,recall_low,recall_high,flag,withhold,reassign,actions,action_matched,"
                    + "action_precision,action_precision_low,action_precision_high,action_any_label\n");
            for (Score s : scores) {
                out.append(String.join(",", s.rule(), s.level(), Long.toString(s.labels()),
                        Long.toString(s.flagged()), Long.toString(s.matched()), num(s.precision()),
                        num(s.precisionInterval().low()), num(s.precisionInterval().high()), num(s.recall()),
                        num(s.recallInterval().low()), num(s.recallInterval().high()),
                        Long.toString(s.byAction().getOrDefault("flag", 0L)),
                        Long.toString(s.byAction().getOrDefault("withhold", 0L)),
                        Long.toString(s.byAction().getOrDefault("reassign", 0L)), Long.toString(s.actionFlagged()),
                        Long.toString(s.actionMatched()), num(s.actionPrecision()),
                        num(s.actionPrecisionInterval().low()), num(s.actionPrecisionInterval().high()),
                        Long.toString(s.actionAnyLabel()))).append('\n');
            }
            return out.toString();
        }

        private static String num(double v) {
            return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
        }

        private static String matrix(String title, Map<List<String>, Long> cells) {
            TreeSet<String> rows = new TreeSet<>();
            TreeSet<String> columns = new TreeSet<>();
            cells.keySet().forEach(k -> {
                rows.add(k.get(0));
                columns.add(k.get(1));
            });
            StringBuilder out = new StringBuilder(title).append('\n').append(String.format("%-22s", ""));
            for (String c : columns) {
                out.append(String.format(" %9s", abbreviate(c)));
            }
            out.append('\n');
            for (String r : rows) {
                out.append(String.format("%-22s", r));
                for (String c : columns) {
                    out.append(String.format(Locale.ROOT, " %,9d", cells.getOrDefault(List.of(r, c), 0L)));
                }
                out.append('\n');
            }
            return out.toString();
        }

        /** STAND_DOWN_VIOLATION -> STAND_DOW: a column header of nine characters. */
        private static String abbreviate(String rule) {
            return rule.length() <= 9 ? rule : rule.substring(0, 9);
        }
    }

    public static Result evaluate(Warehouse wh, String labelsDir) {
        Dataset<Row> labels = wh.spark().read().option("header", "true").csv(labelsDir)
                .select("rule_code", "order_id", "event_id", "partner_id");
        return evaluate(wh, labels, wh.read(Tables.GOLD_FRAUD_FLAGS));
    }

    static Result evaluate(Warehouse wh, Dataset<Row> labels, Dataset<Row> flags) {
        Dataset<Row> orders = wh.read(Tables.SILVER_JOURNEYS).where(col("is_converted")).select("order_id");
        Dataset<Row> journeyClicks = wh.read(Tables.SILVER_JOURNEY_TOUCHES).select("order_id", "event_id");
        Dataset<Row> clicks = wh.read(Tables.BRONZE_TOUCHPOINTS).select("event_id");
        Column isAction = col("proposed_action").isin(ACTIONS.toArray());
        Dataset<Row> orderLabels = labels.where(col("rule_code").isin(FraudRules.ORDER_RULES.toArray())
                        .and(col("order_id").isNotNull()))
                .join(orders, ScalaSeqs.of("order_id"), "left_semi").localCheckpoint();
        Dataset<Row> anyLabelledOrders = orderLabels.select("order_id").distinct();
        List<Score> scores = new ArrayList<>();
        long[] overall = new long[10];
        for (FraudRule r : FraudRules.REGISTRY) {
            String rule = r.code();
            switch (r.level()) {
                case ORDER -> {
                    Dataset<Row> labelled = orderLabels.where(col("rule_code").equalTo(rule));
                    Dataset<Row> truth = labelled.select("order_id").distinct();
                    Dataset<Row> observable = labelled.where(col("event_id").isNull())
                            .unionByName(labelled.join(journeyClicks, ScalaSeqs.of("order_id", "event_id"), "left_semi"))
                            .select("order_id").distinct();
                    Dataset<Row> found = flags.where(col("rule_code").equalTo(rule).and(col("order_id").isNotNull()));
                    scores.add(score(rule, "order", truth, found, "order_id", overall, observable, anyLabelledOrders));
                    if (rule.equals(FraudRules.CLICK_FLOOD)) {
                        scores.add(partnerScore(rule, labels, flags));
                    }
                }
                case CLICK -> {
                    Dataset<Row> truth = labels.where(col("rule_code").equalTo(rule)).select("event_id").distinct()
                            .join(clicks, ScalaSeqs.of("event_id"), "left_semi");
                    Dataset<Row> found = flags.where(col("rule_code").equalTo(rule).and(col("event_id").isNotNull()));
                    Dataset<Row> anyLabelledClicks = labels.where(col("event_id").isNotNull()).select("event_id")
                            .distinct();
                    scores.add(score(rule, "click", truth, found, "event_id", overall, truth, anyLabelledClicks));
                }
                case PARTNER -> scores.add(partnerScore(rule, labels, flags));
            }
        }
        scores.add(new Score("ALL order+click rules", "", overall[0], overall[1], overall[2], overall[3], overall[4],
                Map.of("flag", overall[5], "withhold", overall[8], "reassign", overall[9]), overall[6], overall[7],
                overall[7]));
        Dataset<Row> orderFlags = flags.where(col("rule_code").isin(FraudRules.ORDER_RULES.toArray())
                .and(col("order_id").isNotNull()));
        return new Result(scores, confusion(orderLabels, orderFlags), confusion(orderLabels, orderFlags.where(isAction)));
    }

    private static Score partnerScore(String rule, Dataset<Row> labels, Dataset<Row> flags) {
        Dataset<Row> truth = labels.where(col("rule_code").equalTo(rule).and(col("order_id").isNull())
                .and(col("event_id").isNull())).select("partner_id").distinct();
        Dataset<Row> found = flags.where(col("rule_code").equalTo(rule));
        return score(rule, "partner", truth, found, "partner_id", null, truth, truth);
    }

    /**
     * @param found the rule's flags (key column, proposed_action)
     * @param anyLabelled the keys labelled with any rule
     */
    private static Score score(String rule, String level, Dataset<Row> truth, Dataset<Row> found, String key,
                               long[] overall, Dataset<Row> observable, Dataset<Row> anyLabelled) {
        Dataset<Row> byKey = found.groupBy(key).agg(org.apache.spark.sql.functions.max(
                org.apache.spark.sql.functions.when(col("proposed_action").equalTo("withhold"), 3)
                        .when(col("proposed_action").equalTo("reassign"), 2).otherwise(1)).as("rank"))
                .localCheckpoint();
        Map<String, Long> byAction = new LinkedHashMap<>();
        for (Row r : byKey.groupBy("rank").count().collectAsList()) {
            int rank = r.getInt(0);
            byAction.put(rank == 3 ? "withhold" : rank == 2 ? "reassign" : "flag", r.getLong(1));
        }
        Dataset<Row> actions = byKey.where(col("rank").geq(2)).select(key);
        long labels = truth.count();
        long flagged = byKey.count();
        long matched = truth.join(byKey, ScalaSeqs.of(key), "left_semi").count();
        long visible = observable.count();
        long visibleMatched = observable.join(byKey, ScalaSeqs.of(key), "left_semi").count();
        long actionFlagged = actions.count();
        long actionMatched = actions.join(truth, ScalaSeqs.of(key), "left_semi").count();
        long actionAny = actions.join(anyLabelled, ScalaSeqs.of(key), "left_semi").count();
        if (overall != null) {
            overall[0] += labels;
            overall[1] += flagged;
            overall[2] += matched;
            overall[3] += visible;
            overall[4] += visibleMatched;
            overall[5] += byAction.getOrDefault("flag", 0L);
            overall[6] += actionFlagged;
            overall[7] += actionMatched;
            overall[8] += byAction.getOrDefault("withhold", 0L);
            overall[9] += byAction.getOrDefault("reassign", 0L);
        }
        return new Score(rule, level, labels, flagged, matched, visible, visibleMatched, byAction, actionFlagged,
                actionMatched, actionAny);
    }

    /** (labelled rule, flagged rule) -> orders, {@link #NONE} on the side that has nothing for an order. */
    private static Map<List<String>, Long> confusion(Dataset<Row> orderLabels, Dataset<Row> orderFlags) {
        Dataset<Row> l = orderLabels.select(col("order_id"), col("rule_code").as("labelled")).distinct();
        Dataset<Row> f = orderFlags.select(col("order_id"), col("rule_code").as("flagged")).distinct();
        Dataset<Row> pairs = l.join(f, ScalaSeqs.of("order_id"), "full_outer")
                .select(coalesce(col("labelled"), lit(NONE)).as("l"), coalesce(col("flagged"), lit(NONE)).as("f"))
                .groupBy("l", "f").count();
        Map<List<String>, Long> out = new TreeMap<>((a, b) -> (a.get(0) + "|" + a.get(1)).compareTo(b.get(0) + "|"
                + b.get(1)));
        for (Row r : pairs.collectAsList()) {
            out.put(List.of(r.getString(0), r.getString(1)), r.getLong(2));
        }
        return out;
    }
}
