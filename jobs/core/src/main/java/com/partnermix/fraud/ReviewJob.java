package com.partnermix.fraud;

import com.partnermix.job.Args;
import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code review}: how fraud reviewers record their decisions (the SQL endpoint is read-only, and an edit of the
 * queue would race its nightly rebuild).
 * <ul>
 *   <li>{@code review --queue-id order:o1 --status dismissed --reviewer ana [--note TEXT] [--reviewed-at T]}
 *       appends one decision to {@code gold.fraud_review_decisions} after checking the item is in
 *       {@code gold.fraud_review_queue} and the status is one of {@link ReviewDecisions#STATUSES} (exit 2
 *       otherwise). {@code --reviewed-at} (ISO time, UTC unless it has an offset) records a decision made earlier;
 *       default: now.</li>
 *   <li>{@code review --list [--limit N] [--all]}: the open items in queue order, with decisions recorded since the
 *       last rebuild already applied ({@code --all}: every item).</li>
 *   <li>{@code review --queue-id ID}: the item's decisions, oldest first.</li>
 * </ul>
 * The queue shows a decision from the nightly {@code fraud} run of its review date on, the commission statements
 * from the {@code marts} run of that date on.
 */
public final class ReviewJob implements Job {

    /** A decision may be dated this far ahead of this machine's clock (another machine's clock may run ahead). */
    static final Duration CLOCK_SKEW = Duration.ofMinutes(5);

    @Override
    public String name() {
        return "review";
    }

    @Override
    public String summary() {
        return "fraud reviewers' decisions: --queue-id ID --status " + String.join("|", ReviewDecisions.STATUSES)
                + " --reviewer NAME [--note TEXT] [--reviewed-at T] -> gold.fraud_review_decisions; --list";
    }

    /** A decision to record, an item's history, or the list. */
    public static final class Options {
        @Option(names = "--queue-id", paramLabel = "ID", description = "the queue item, e.g. order:o-123; alone: its "
                + "decisions, oldest first")
        String queueId;

        @Option(names = "--status", paramLabel = "STATUS", completionCandidates = Statuses.class,
                description = "the decision: one of ${COMPLETION-CANDIDATES}")
        String status;

        @Option(names = "--reviewer", paramLabel = "NAME", description = "who decided")
        String reviewer;

        @Option(names = "--note", paramLabel = "TEXT", description = "why (no personal data: it is refused)")
        String note;

        @Option(names = "--reviewed-at", paramLabel = "T", description = "when it was decided, an ISO time, UTC unless "
                + "it has an offset, e.g. 2026-11-20T15:00:00 (default: now)")
        String reviewedAt;

        @Option(names = "--list", description = "the open items in queue order, decisions since the last rebuild applied")
        boolean list;

        @Option(names = "--limit", paramLabel = "N", description = "--list: at most N items (default: 20)")
        int limit = 20;

        @Option(names = "--all", description = "--list: every item, decided ones too")
        boolean all;
    }

    /** For the help text; {@link ReviewDecisions.Decision} checks the value. */
    static final class Statuses implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return ReviewDecisions.STATUSES.iterator();
        }
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public int run(JobContext context) {
        Options options = context.options(Options.class);
        if (options.list) {
            System.out.println(list(context.warehouse(), options.limit, options.all));
            return 0;
        }
        if (options.queueId == null) {
            throw new Args.UsageException(
                    "review needs --queue-id ID with --status, --reviewer (and --note, --reviewed-at), or --list");
        }
        String queueId = options.queueId;
        if (options.status == null) {
            System.out.println(history(context.warehouse(), queueId));
            return 0;
        }
        ReviewDecisions.Decision decision = decision(options, queueId, Instant.now());
        Warehouse wh = context.warehouse();
        requireItem(wh, queueId);
        String id = ReviewDecisions.record(wh, decision);
        System.out.printf("review: %s -> %s by %s, reviewed %s (decision %s), recorded in %s. The queue shows it after "
                        + "the fraud run of %s, the commission statements from the marts run of that date.%n", queueId,
                decision.status(), decision.reviewer(), decision.reviewedAt(), id,
                Tables.GOLD_FRAUD_REVIEW_DECISIONS, decision.reviewedAt().atOffset(ZoneOffset.UTC).toLocalDate());
        return 0;
    }

    /** The decision the options describe; a usage error (exit 2) when it cannot be one. */
    static ReviewDecisions.Decision decision(Options options, String queueId, Instant now) {
        Instant reviewedAt = options.reviewedAt == null ? now : parseTime(options.reviewedAt);
        if (reviewedAt.isAfter(now.plus(CLOCK_SKEW))) {
            throw new Args.UsageException("--reviewed-at " + reviewedAt + " is in the future");
        }
        try {
            return new ReviewDecisions.Decision(queueId, options.status, options.reviewer, options.note, reviewedAt);
        } catch (IllegalArgumentException e) {
            throw new Args.UsageException(e.getMessage());
        }
    }

    static Instant parseTime(String text) {
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new Args.UsageException("--reviewed-at must be an ISO time like 2026-11-20T15:00:00 (UTC) or "
                        + "2026-11-20T16:00:00+01:00, got '" + text + "'");
            }
        }
    }

    /** The item must be in the queue (current, or kept for an earlier decision). */
    static void requireItem(Warehouse wh, String queueId) {
        if (!wh.exists(Tables.GOLD_FRAUD_REVIEW_QUEUE)) {
            throw new Args.UsageException("there is no review queue yet in " + wh.root() + ": the fraud job writes it");
        }
        if (wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE).where(col("queue_id").equalTo(lit(queueId))).isEmpty()) {
            throw new Args.UsageException("no item '" + queueId + "' in " + Tables.GOLD_FRAUD_REVIEW_QUEUE
                    + " (review --list shows the open items)");
        }
    }

    /** The queue in rank order with every decision recorded so far applied (not only those of the last rebuild). */
    static String list(Warehouse wh, int limit, boolean all) {
        if (!wh.exists(Tables.GOLD_FRAUD_REVIEW_QUEUE)) {
            return "no review queue yet in " + wh.root() + ": the fraud job writes it";
        }
        Dataset<Row> latest = ReviewDecisions.latestAsOf(ReviewDecisions.all(wh), null)
                .select(col("queue_id"), col("status").as("latest_status"), col("reviewer").as("latest_reviewer"));
        Dataset<Row> items = wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE).join(latest,
                        com.partnermix.common.ScalaSeqs.of("queue_id"), "left")
                .withColumn("now_status", org.apache.spark.sql.functions.coalesce(col("latest_status"), lit("open")));
        if (!all) {
            items = items.where(col("now_status").equalTo(ReviewDecisions.OPEN).and(col("is_current")));
        }
        long total = items.count();
        List<Row> rows = items.orderBy("review_rank").limit(limit).collectAsList();
        StringBuilder out = new StringBuilder(String.format("%s items%s (queue of %s), top %d by commission at risk:%n",
                total, all ? "" : " open", rows.isEmpty() ? "-" : rows.get(0).getAs("queue_date"), rows.size()));
        out.append(String.format("%5s  %-28s %-7s %-9s %12s  %-10s %s%n", "rank", "queue_id", "severity", "action",
                "at risk USD", "status", "rules"));
        for (Row r : rows) {
            Object risk = r.getAs("commission_at_risk_usd");
            out.append(String.format("%5d  %-28s %-7s %-9s %12.2f  %-10s %s%n", r.<Integer>getAs("review_rank"),
                    r.getAs("queue_id"), r.getAs("max_severity"), r.getAs("proposed_action"),
                    risk == null ? 0.0 : ((Number) risk).doubleValue(), r.getAs("now_status"),
                    r.isNullAt(r.fieldIndex("rule_codes")) ? "" : String.join(",", r.<String>getList(
                            r.fieldIndex("rule_codes")))));
        }
        return out.toString();
    }

    /** Every decision of one item, oldest first. */
    static String history(Warehouse wh, String queueId) {
        List<Row> rows = ReviewDecisions.all(wh).where(col("queue_id").equalTo(lit(queueId)))
                .orderBy("reviewed_at", "recorded_at", "decision_id").collectAsList();
        StringBuilder out = new StringBuilder(String.format("%s: %d decision(s)%n", queueId, rows.size()));
        for (Row r : rows) {
            out.append(String.format("  %s  %-10s %-16s %s%n", r.getAs("reviewed_at"), r.getAs("status"),
                    r.getAs("reviewer"), r.getAs("review_note") == null ? "" : r.getAs("review_note")));
        }
        return out.toString();
    }
}
