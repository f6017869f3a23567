package com.partnermix.fraud;

import com.partnermix.common.ScalaSeqs;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;

/**
 * {@code fraud --evaluate LABELS_DIR}: precision and recall of gold.fraud_flags against labelled
 * truth (the generator's {@code fraud_labels/}: rule_code, order_id, event_id, partner_id). Order-level
 * rules match on (rule, order), cookie stuffing on (rule, click), partner-level labels (no order, no
 * click) on (rule, partner). Only labels inside the warehouse count: orders of silver.journeys, clicks
 * of bronze.touchpoints.
 */
public final class FraudEvaluation {

    private FraudEvaluation() {}

    /**
     * @param observable labels whose labelled click is in the order's journey in the warehouse (a click on a
     *                   device identity stitching could not link to the buyer is invisible to any rule)
     * @param observableMatched of those, the ones flagged
     */
    public record Score(String rule, String level, long labels, long flagged, long matched, long observable,
                        long observableMatched) {
        public double observableRecall() {
            return observable == 0 ? Double.NaN : (double) observableMatched / observable;
        }

        public double precision() {
            return flagged == 0 ? Double.NaN : (double) matched / flagged;
        }

        public double recall() {
            return labels == 0 ? Double.NaN : (double) matched / labels;
        }
    }

    public record Result(List<Score> scores) {
        public Score rule(String rule, String level) {
            return scores.stream().filter(s -> s.rule().equals(rule) && s.level().equals(level)).findFirst()
                    .orElseThrow();
        }

        public String format() {
            StringBuilder out = new StringBuilder(String.format("%-22s %-7s %8s %8s %8s %9s %7s %11s %10s%n", "rule",
                    "level", "labels", "flags", "matched", "precision", "recall", "observable", "obs.recall"));
            for (Score s : scores) {
                out.append(String.format("%-22s %-7s %,8d %,8d %,8d %9.3f %7.3f %,11d %10.3f%n", s.rule(), s.level(),
                        s.labels(), s.flagged(), s.matched(), s.precision(), s.recall(), s.observable(),
                        s.observableRecall()));
            }
            out.append("observable: labels whose labelled click is in the order's journey (or, without a click, every "
                    + "label); obs.recall = recall among them\n");
            return out.toString();
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
        List<Score> scores = new ArrayList<>();
        long[] overall = new long[5];
        for (String rule : FraudRules.ORDER_RULES) {
            Dataset<Row> labelled = labels.where(col("rule_code").equalTo(rule).and(col("order_id").isNotNull()))
                    .join(orders, ScalaSeqs.of("order_id"), "left_semi");
            Dataset<Row> truth = labelled.select("order_id").distinct();
            Dataset<Row> observable = labelled.where(col("event_id").isNull())
                    .unionByName(labelled.join(journeyClicks, ScalaSeqs.of("order_id", "event_id"), "left_semi"))
                    .select("order_id").distinct();
            Dataset<Row> found = flags.where(col("rule_code").equalTo(rule).and(col("order_id").isNotNull()))
                    .select("order_id").distinct();
            scores.add(score(rule, "order", truth, found, "order_id", overall, observable));
        }
        Dataset<Row> stuffedTruth = labels.where(col("rule_code").equalTo(FraudRules.COOKIE_STUFFING))
                .select("event_id").distinct().join(clicks, ScalaSeqs.of("event_id"), "left_semi");
        Dataset<Row> stuffedFound = flags.where(col("rule_code").equalTo(FraudRules.COOKIE_STUFFING))
                .select("event_id").distinct();
        scores.add(score(FraudRules.COOKIE_STUFFING, "click", stuffedTruth, stuffedFound, "event_id", overall,
                stuffedTruth));
        scores.add(new Score("ALL order+click rules", "", overall[0], overall[1], overall[2], overall[3], overall[4]));
        for (String rule : List.of(FraudRules.CLICK_FLOOD, FraudRules.TIMING_OUTLIER)) {
            Dataset<Row> truth = labels.where(col("rule_code").equalTo(rule).and(col("order_id").isNull())
                    .and(col("event_id").isNull())).select("partner_id").distinct();
            Dataset<Row> found = flags.where(col("rule_code").equalTo(rule)).select("partner_id").distinct();
            scores.add(score(rule, "partner", truth, found, "partner_id", null, truth));
        }
        return new Result(scores);
    }

    private static Score score(String rule, String level, Dataset<Row> truth, Dataset<Row> found, String key,
                               long[] overall, Dataset<Row> observable) {
        long labels = truth.count();
        long flagged = found.count();
        long matched = truth.join(found, ScalaSeqs.of(key), "left_semi").count();
        long visible = observable.count();
        long visibleMatched = observable.join(found, ScalaSeqs.of(key), "left_semi").count();
        if (overall != null) {
            overall[0] += labels;
            overall[1] += flagged;
            overall[2] += matched;
            overall[3] += visible;
            overall[4] += visibleMatched;
        }
        return new Score(rule, level, labels, flagged, matched, visible, visibleMatched);
    }
}
