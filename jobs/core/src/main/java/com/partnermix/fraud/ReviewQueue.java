package com.partnermix.fraud;

import com.partnermix.common.DeltaWrites;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructField;

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
 * commission at risk, and its latest decision ({@code status}: open until a
 * reviewer decides, {@code reviewer}, {@code reviewed_at}, {@code review_note}) from
 * {@code gold.fraud_review_decisions} ({@link ReviewDecisions}), as of the run date. Reviewed items whose flags
 * have since disappeared are kept ({@code is_current = false}) so no decision drops out of sight.
 *
 * <p>The rebuild reads its inputs, then overwrites the queue. Decisions are never written here: a reviewer appends
 * them to the decisions table (the {@code review} subcommand), so a decision made while the rebuild runs is not in
 * this rebuild's queue but stays stored, and the next rebuild shows it; nothing a reviewer does is overwritten.
 */
final class ReviewQueue {

    private static final String[] ITEM_COLUMNS = {"item_type", "order_id", "partner_ids", "rule_codes", "flag_ids",
            "max_severity", "proposed_action", "commission_at_risk_usd", "first_detected_date", "last_detected_date",
            "severity_rank", "action_rank"};

    private ReviewQueue() {}

    private static Column rank(Column severity) {
        return when(severity.equalTo("high"), 3).when(severity.equalTo("medium"), 2).otherwise(1);
    }

    /** Rebuilds the queue from every flag and the decisions reviewed by {@code date}; returns the number of items. */
    static long rebuild(Warehouse wh, LocalDate date) {
        return prepare(wh, date).write();
    }

    /** A rebuild that has read its inputs and not written yet. */
    static final class Prepared {
        private final Warehouse wh;
        private final Dataset<Row> queue;

        private Prepared(Warehouse wh, Dataset<Row> queue) {
            this.wh = wh;
            this.queue = queue;
        }

        /** Overwrites the queue (one commit); returns its number of items. */
        long write() {
            DeltaWrites.overwrite(wh, Tables.GOLD_FRAUD_REVIEW_QUEUE, queue.coalesce(1));
            return wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE).count();
        }
    }

    /**
     * Reads the flags, the stored queue (materialised: the queue is overwritten from a plan that reads it) and the
     * decisions (materialised: the decisions this rebuild shows), after taking the reviews only the queue holds into
     * the decisions table.
     */
    static Prepared prepare(Warehouse wh, LocalDate date) {
        Dataset<Row> flags = wh.read(Tables.GOLD_FRAUD_FLAGS);
        if (!java.util.Arrays.asList(flags.columns()).contains("score")) {
            flags = flags.withColumn("score", lit(null).cast("double"));   // flags written before scores existed
        }
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
        Dataset<Row> stored = wh.exists(Tables.GOLD_FRAUD_REVIEW_QUEUE)
                ? wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE).localCheckpoint() : null;
        ReviewDecisions.takeInQueueReviews(wh, stored);
        Dataset<Row> decisions = ReviewDecisions.latestAsOf(wh.read(Tables.GOLD_FRAUD_REVIEW_DECISIONS), date)
                .localCheckpoint();

        // Items no flag raises any more, kept while their latest decision is not open: what the stored queue knew
        // of them, or what the id says (an item that left the queue while a reviewer decided on it).
        Dataset<Row> gone = decisions.where(col("status").notEqual(ReviewDecisions.OPEN)).select("queue_id")
                .join(items.select("queue_id"), ScalaSeqs.of("queue_id"), "left_anti");
        if (stored != null) {
            gone = gone.join(stored.select("queue_id", ITEM_COLUMNS), ScalaSeqs.of("queue_id"), "left");
        } else {
            gone = gone.withColumn("order_id", lit(null).cast("string"));
        }
        Column fromId = org.apache.spark.sql.functions.substring_index(col("queue_id"), ":", 1);
        Column idValue = org.apache.spark.sql.functions.expr("substr(queue_id, instr(queue_id, ':') + 1)");
        gone = gone.withColumn("item_type", stored != null ? coalesce(col("item_type"), fromId) : fromId)
                .withColumn("order_id", coalesce(col("order_id"), when(fromId.equalTo("order"), idValue)))
                .withColumn("partner_ids", stored != null ? coalesce(col("partner_ids"), partnerIds(fromId, idValue))
                        : partnerIds(fromId, idValue))
                .withColumn("is_current", lit(false))
                .withColumn("flag_count", lit(0L));
        for (StructField field : items.schema().fields()) {
            if (!java.util.Arrays.asList(gone.columns()).contains(field.name())) {
                gone = gone.withColumn(field.name(), lit(null).cast(field.dataType()));
            }
        }
        Dataset<Row> all = items.unionByName(gone.selectExpr(items.columns()))
                .join(decisions, ScalaSeqs.of("queue_id"), "left");
        Dataset<Row> queue = all.withColumn("status", coalesce(col("status"), lit(ReviewDecisions.OPEN)))
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
        return new Prepared(wh, queue);
    }

    private static Column partnerIds(Column kind, Column value) {
        return when(kind.equalTo("partner"), org.apache.spark.sql.functions.array(value))
                .otherwise(org.apache.spark.sql.functions.array().cast("array<string>"));
    }
}
