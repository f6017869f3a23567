package com.partnermix.fraud;

import com.partnermix.common.DeltaWrites;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.time.LocalDate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * {@code gold.fraud_review_queue}: one row per order (or, for flags without an order, per partner)
 * with all its flags, ranked by proposed action (payout changes first), then by the flags' highest score and
 * commission at risk. Reviewers set {@code status} (open, confirmed,
 * dismissed, ...), {@code reviewer}, {@code reviewed_at} and {@code review_note} with SQL; the nightly
 * rebuild keeps those columns, and keeps reviewed items whose flags have since disappeared
 * ({@code is_current = false}) so no decision is lost.
 */
final class ReviewQueue {

    private static final String[] DECISION_COLUMNS = {"status", "reviewer", "reviewed_at", "review_note"};

    private ReviewQueue() {}

    private static Column rank(Column severity) {
        return when(severity.equalTo("high"), 3).when(severity.equalTo("medium"), 2).otherwise(1);
    }

    /** Rebuilds the queue from every flag; returns the number of items. */
    static long rebuild(Warehouse wh, LocalDate date) {
        Dataset<Row> flags = wh.read(Tables.GOLD_FRAUD_FLAGS);
        Column queueId = when(col("order_id").isNotNull(), concat(lit("order:"), col("order_id")))
                .otherwise(concat(lit("partner:"), col("partner_id")));
        Column actionRank = when(col("proposed_action").equalTo("withhold"), 3)
                .when(col("proposed_action").equalTo("reassign"), 2).otherwise(1);
        Dataset<Row> items = flags.withColumn("queue_id", queueId)
                .groupBy("queue_id")
                .agg(min(when(col("order_id").isNotNull(), lit("order")).otherwise(lit("partner"))).as("item_type"),
                        max("order_id").as("order_id"),
                        sort_array(collect_set("partner_id")).as("partner_ids"),
                        sort_array(collect_set("rule_code")).as("rule_codes"),
                        sort_array(collect_list("flag_id")).as("flag_ids"),
                        count("*").as("flag_count"),
                        max(rank(col("severity"))).as("severity_rank"),
                        max(actionRank).as("action_rank"),
                        max("score").as("max_score"),
                        sum("commission_at_risk_usd").as("commission_at_risk_usd"),
                        min("detected_date").as("first_detected_date"),
                        max("detected_date").as("last_detected_date"))
                .withColumn("max_severity", when(col("severity_rank").equalTo(3), "high")
                        .when(col("severity_rank").equalTo(2), "medium").otherwise("low"))
                .withColumn("proposed_action", when(col("action_rank").equalTo(3), "withhold")
                        .when(col("action_rank").equalTo(2), "reassign").otherwise("flag"))
                .withColumn("is_current", lit(true));
        if (wh.exists(Tables.GOLD_FRAUD_REVIEW_QUEUE)) {
            // Materialised first: the queue is overwritten below from a plan that reads it.
            Dataset<Row> decisions = wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE).localCheckpoint();
            if (!java.util.Arrays.asList(decisions.columns()).contains("max_score")) {
                decisions = decisions.withColumn("max_score", lit(null).cast("double"));   // a queue from before scores
            }
            Dataset<Row> reviewedGone = decisions.where(col("status").notEqual("open"))
                    .join(items.select("queue_id"), ScalaSeqs.of("queue_id"), "left_anti")
                    .withColumn("is_current", lit(false))
                    .withColumn("flag_count", lit(0L));
            items = items.join(decisions.select("queue_id", DECISION_COLUMNS), ScalaSeqs.of("queue_id"), "left");
            items = items.unionByName(reviewedGone.selectExpr(items.columns()));
        } else {
            items = items.withColumn("status", lit(null).cast("string"))
                    .withColumn("reviewer", lit(null).cast("string"))
                    .withColumn("reviewed_at", lit(null).cast("timestamp"))
                    .withColumn("review_note", lit(null).cast("string"));
        }
        Dataset<Row> queue = items.withColumn("status", coalesce(col("status"), lit("open")))
                .withColumn("review_rank", row_number().over(Window.orderBy(col("is_current").desc(),
                        col("action_rank").desc(), col("max_score").desc_nulls_last(),
                        col("commission_at_risk_usd").desc_nulls_last(), col("severity_rank").desc(),
                        col("queue_id"))))
                .withColumn("queue_date", lit(java.sql.Date.valueOf(date)))
                .select("review_rank", "queue_id", "item_type", "order_id", "partner_ids", "rule_codes", "flag_ids",
                        "flag_count", "max_severity", "proposed_action", "commission_at_risk_usd",
                        "first_detected_date", "last_detected_date", "is_current", "status", "reviewer", "reviewed_at",
                        "review_note", "severity_rank", "action_rank", "queue_date", "max_score")
                .orderBy("review_rank");
        DeltaWrites.overwrite(wh, Tables.GOLD_FRAUD_REVIEW_QUEUE, queue.coalesce(1));
        return wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE).count();
    }
}
