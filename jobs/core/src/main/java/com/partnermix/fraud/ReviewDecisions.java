package com.partnermix.fraud;

import com.partnermix.common.PersonalDataPatterns;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import io.delta.exceptions.DeltaConcurrentModificationException;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.to_date;

/**
 * {@code gold.fraud_review_decisions}: every decision a reviewer made on a review item, append-only. The
 * {@code review} subcommand appends one row per decision (a blind Delta append: two reviewers at once, or a reviewer
 * during the nightly rebuild, never conflict and never overwrite each other); nothing else writes the table except
 * the rebuild taking in reviews it finds only in the queue. The nightly {@link ReviewQueue} rebuild shows each
 * item's latest decision in {@code gold.fraud_review_queue}, and the commission statements read the decisions, so a
 * decision made while the rebuild runs is in the next rebuild instead of being overwritten.
 *
 * <p>The latest decision of an item is the one with the latest {@code reviewed_at}; between decisions reviewed at
 * the same instant, the one recorded last ({@code recorded_at}, then {@code decision_id}). Readers of a run date D
 * count the decisions reviewed on or before D only, so a rerun of D gives what D gave.
 */
public final class ReviewDecisions {

    private ReviewDecisions() {}

    /** The statuses a reviewer may set: open (reopen), escalated (a second look), confirmed (fraud), dismissed. */
    public static final List<String> STATUSES = List.of("open", "escalated", "confirmed", "dismissed");
    /** A false alarm: the commission withheld for the item's flags is released (marts.Statements). */
    public static final String DISMISSED = "dismissed";
    static final String OPEN = "open";

    /** Recorded by the review subcommand. */
    static final String SOURCE_REVIEW = "review";
    /** Found only in the queue: a warehouse from before this table, or an edit of the queue by hand. */
    static final String SOURCE_QUEUE = "queue";

    public static final StructType SCHEMA = new StructType()
            .add("decision_id", "string", false)
            .add("queue_id", "string", false)
            .add("status", "string", false)
            .add("reviewer", "string")
            .add("review_note", "string")
            .add("reviewed_at", "timestamp", false)
            .add("recorded_at", "timestamp", false)
            .add("source", "string", false);

    private static final String[] COLUMNS = SCHEMA.fieldNames();
    private static final Pattern QUEUE_ID = Pattern.compile("(order|partner):[^\\p{Cntrl}]{1,256}");
    /** What verify's no_raw_personal_data refuses to find in any table: a reviewer's note is no exception. */
    private static final Pattern PERSONAL_DATA = Pattern.compile(String.join("|",
            PersonalDataPatterns.RAW_IPV4, PersonalDataPatterns.RAW_IPV6, PersonalDataPatterns.RAW_USER_AGENT));
    static final int MAX_NOTE = 2000;
    static final int MAX_REVIEWER = 128;

    /** One reviewer's decision on one item. */
    public record Decision(String queueId, String status, String reviewer, String note, Instant reviewedAt) {

        /** Refuses what cannot be a decision, with a message that says what is allowed. */
        public Decision {
            if (queueId == null || !QUEUE_ID.matcher(queueId).matches()) {
                throw new IllegalArgumentException("the item must be a queue_id of gold.fraud_review_queue "
                        + "(order:<order_id> or partner:<partner_id>), got '" + queueId + "'");
            }
            if (status == null || !STATUSES.contains(status)) {
                throw new IllegalArgumentException("status must be one of " + String.join(", ", STATUSES) + ", got '"
                        + status + "'");
            }
            if (reviewer == null || reviewer.isBlank() || reviewer.length() > MAX_REVIEWER
                    || reviewer.chars().anyMatch(Character::isISOControl)) {
                throw new IllegalArgumentException("a decision names its reviewer (1 to " + MAX_REVIEWER
                        + " characters, no control characters)");
            }
            if (note != null && (note.length() > MAX_NOTE
                    || note.chars().anyMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t'))) {
                throw new IllegalArgumentException("the note must be at most " + MAX_NOTE
                        + " characters without control characters");
            }
            if (note != null && PERSONAL_DATA.matcher(note).find()) {
                throw new IllegalArgumentException("the note holds what looks like a raw IP address or user agent, "
                        + "which the warehouse never stores: name the flag, event or order id instead");
            }
            if (reviewedAt == null) {
                throw new IllegalArgumentException("a decision has the time it was made");
            }
        }
    }

    /** Appends the decision (one commit) and returns its decision_id. */
    public static String record(Warehouse wh, Decision decision) {
        String id = UUID.randomUUID().toString();
        Row row = RowFactory.create(id, decision.queueId(), decision.status(), decision.reviewer().strip(),
                decision.note(), Timestamp.from(decision.reviewedAt()), Timestamp.from(Instant.now()), SOURCE_REVIEW);
        append(wh, wh.spark().createDataFrame(List.of(row), SCHEMA));
        return id;
    }

    /**
     * Appends decisions. A blind append commits beside any other append; only the table's creation can race (two
     * first writers), and the loser then finds the table and appends to it.
     */
    static void append(Warehouse wh, Dataset<Row> rows) {
        for (int attempt = 1; ; attempt++) {
            try {
                DeltaWrites.append(wh, Tables.GOLD_FRAUD_REVIEW_DECISIONS, rows.selectExpr(COLUMNS));
                return;
            } catch (DeltaConcurrentModificationException e) {
                // ProtocolChangedException: "multiple writers are writing to an empty directory"
                if (attempt >= 3) {
                    throw new IllegalStateException("could not append to " + Tables.GOLD_FRAUD_REVIEW_DECISIONS
                            + " after " + attempt + " attempts: " + e.getMessage(), e);
                }
            }
        }
    }

    /** The stored decisions (none yet: an empty table of the schema). */
    static Dataset<Row> stored(Warehouse wh) {
        return wh.exists(Tables.GOLD_FRAUD_REVIEW_DECISIONS) ? wh.read(Tables.GOLD_FRAUD_REVIEW_DECISIONS)
                : wh.spark().createDataFrame(List.of(), SCHEMA);
    }

    /**
     * Every decision: the stored ones, and the reviews the queue holds that no stored decision does (a warehouse
     * from before the decisions table, or a hand edit of the queue, which the next rebuild takes in).
     */
    public static Dataset<Row> all(Warehouse wh) {
        Dataset<Row> stored = stored(wh);
        if (!wh.exists(Tables.GOLD_FRAUD_REVIEW_QUEUE)) {
            return stored;
        }
        return stored.unionByName(onlyInQueue(wh, wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE), stored));
    }

    /**
     * Takes the reviews only {@code queue} holds into the decisions table, and creates the table (empty) if it does
     * not exist yet. A warehouse from before the table keeps every decision its queue holds: it starts from them.
     *
     * @return the number of decisions taken in
     */
    static long takeInQueueReviews(Warehouse wh, Dataset<Row> queue) {
        Dataset<Row> stored = stored(wh);
        Dataset<Row> found = queue == null ? stored.limit(0) : onlyInQueue(wh, queue, stored).localCheckpoint();
        long n = found.count();
        if (n > 0 || !wh.exists(Tables.GOLD_FRAUD_REVIEW_DECISIONS)) {
            append(wh, found);
        }
        return n;
    }

    /**
     * The queue's reviews (a status other than open) that no stored decision holds, as decisions: reviewed when
     * {@code reviewed_at} says (when the queue's last commit, at the latest, if it is empty). An item shows its
     * latest decision after a rebuild, so a queue written by the rebuild yields nothing.
     */
    static Dataset<Row> onlyInQueue(Warehouse wh, Dataset<Row> queue, Dataset<Row> stored) {
        List<String> present = Arrays.asList(queue.columns());
        Column lastCommit = lit(wh.delta(Tables.GOLD_FRAUD_REVIEW_QUEUE).history(1).select("timestamp").head()
                .getTimestamp(0));
        Dataset<Row> reviews = queue.where(col("status").isNotNull().and(col("status").notEqual(OPEN)))
                .select(col("queue_id"), col("status"),
                        present.contains("reviewer") ? col("reviewer") : lit(null).cast("string").as("reviewer"),
                        present.contains("review_note") ? col("review_note")
                                : lit(null).cast("string").as("review_note"),
                        present.contains("reviewed_at") ? coalesce(col("reviewed_at"), lastCommit).as("reviewed_at")
                                : lastCommit.as("reviewed_at"));
        Dataset<Row> s = stored.select(col("queue_id").as("s_queue_id"), col("status").as("s_status"),
                col("reviewer").as("s_reviewer"), col("review_note").as("s_review_note"),
                col("reviewed_at").as("s_reviewed_at"));
        Column same = col("queue_id").eqNullSafe(col("s_queue_id")).and(col("status").eqNullSafe(col("s_status")))
                .and(col("reviewer").eqNullSafe(col("s_reviewer")))
                .and(col("review_note").eqNullSafe(col("s_review_note")))
                .and(col("reviewed_at").eqNullSafe(col("s_reviewed_at")));
        Column key = concat_ws("|", col("queue_id"), col("status"), coalesce(col("reviewer"), lit("")),
                coalesce(col("review_note"), lit("")), date_format(col("reviewed_at"), "yyyy-MM-dd'T'HH:mm:ss.SSSSSS"));
        return reviews.join(s, same, "left_anti")
                .dropDuplicates("queue_id", "status", "reviewer", "review_note", "reviewed_at")
                .withColumn("decision_id", concat(lit(SOURCE_QUEUE + "-"), substring(sha2(key, 256), 1, 32)))
                .withColumn("recorded_at", lit(Timestamp.from(Instant.now())))
                .withColumn("source", lit(SOURCE_QUEUE))
                .selectExpr(COLUMNS);
    }

    /**
     * The latest decision of each item among those reviewed on or before {@code asOf} (null: all) (queue_id, status,
     * reviewer, review_note, reviewed_at). {@code decisions} needs queue_id, status and reviewed_at; recorded_at and
     * decision_id break ties when present.
     */
    public static Dataset<Row> latestAsOf(Dataset<Row> decisions, LocalDate asOf) {
        List<String> present = Arrays.asList(decisions.columns());
        List<Column> order = new ArrayList<>(List.of(col("reviewed_at").desc()));
        if (present.contains("recorded_at")) {
            order.add(col("recorded_at").desc_nulls_last());
        }
        if (present.contains("decision_id")) {
            order.add(col("decision_id").desc_nulls_last());
        }
        Column counts = col("reviewed_at").isNotNull();
        if (asOf != null) {
            counts = counts.and(to_date(col("reviewed_at")).leq(lit(java.sql.Date.valueOf(asOf))));
        }
        Dataset<Row> ranked = decisions.where(counts)
                .withColumn("decision_rank", row_number().over(Window.partitionBy("queue_id")
                        .orderBy(order.toArray(Column[]::new))))
                .where(col("decision_rank").equalTo(1)).drop("decision_rank");
        List<Column> out = new ArrayList<>(List.of(col("queue_id"), col("status")));
        out.add(present.contains("reviewer") ? col("reviewer") : lit(null).cast("string").as("reviewer"));
        out.add(present.contains("review_note") ? col("review_note") : lit(null).cast("string").as("review_note"));
        out.add(col("reviewed_at"));
        return ranked.select(out.toArray(Column[]::new));
    }
}
