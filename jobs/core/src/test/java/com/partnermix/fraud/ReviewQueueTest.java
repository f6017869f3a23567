package com.partnermix.fraud;

import com.partnermix.common.DeltaWrites;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.pipeline.LocalFolders;
import com.partnermix.testing.Launcher;
import com.partnermix.testing.Launcher.Output;
import com.partnermix.testing.Rows;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.delta.DeltaLog;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reviewers' decisions and the nightly queue rebuild, on flags written by hand (no pipeline run): a decision made
 * while the rebuild runs is never lost, a decision counts from the night of its review day on (a rerun gives the
 * same queue), an existing warehouse starts from the decisions its queue holds, and the review command refuses
 * what is not a decision (exit 2).
 */
@Slow
class ReviewQueueTest extends SparkTestBase {

    private static final LocalDate D1 = LocalDate.parse("2026-11-20");
    private static final LocalDate D2 = D1.plusDays(1);
    private static final LocalDate D3 = D1.plusDays(2);
    private static final String FLAGS = "flag_id STRING, rule_code STRING, severity STRING, order_id STRING, "
            + "event_id STRING, partner_id STRING, commission_at_risk_usd DECIMAL(18,4), proposed_action STRING, "
            + "detected_date DATE";
    /** o1: a browser extension's stand-down violation; partner:P-CF: a click flood without an order. */
    private static final String O1 = flag("f1", "STAND_DOWN_VIOLATION", "high", "o1", "P-BX-001", "3.1620", "reassign");
    private static final String PCF = flag("f2", "CLICK_FLOOD", "medium", null, "P-CF-002", "0.5500", "withhold");

    private static String flag(String id, String rule, String severity, String order, String partner, String risk,
                               String action) {
        return "{\"flag_id\":\"" + id + "\",\"rule_code\":\"" + rule + "\",\"severity\":\"" + severity + "\","
                + (order == null ? "" : "\"order_id\":\"" + order + "\",") + "\"partner_id\":\"" + partner + "\","
                + "\"commission_at_risk_usd\":" + risk + ",\"proposed_action\":\"" + action + "\","
                + "\"detected_date\":\"2026-11-20\"}";
    }

    private static Warehouse warehouseWith(String name, String... flags) {
        Warehouse wh = new Warehouse(spark(), tmp.resolve(name).resolve("warehouse").toString());
        setFlags(wh, flags);
        return wh;
    }

    private static void setFlags(Warehouse wh, String... flags) {
        DeltaWrites.overwrite(wh, Tables.GOLD_FRAUD_FLAGS, Rows.of(spark(), FLAGS, flags));
    }

    private static Instant at(LocalDate day, String time) {
        return Instant.parse(day + "T" + time + "Z");
    }

    /** queue_id -> "status reviewer reviewed_at note current" of every item. */
    private static Map<String, String> queue(Warehouse wh) {
        Map<String, String> out = new TreeMap<>();
        for (Row r : wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE).collectAsList()) {
            out.put(r.getAs("queue_id"), r.getAs("status") + " " + r.getAs("reviewer") + " "
                    + (r.getAs("reviewed_at") == null ? null : r.<java.sql.Timestamp>getAs("reviewed_at").toInstant())
                    + " " + r.getAs("review_note") + " " + (r.<Boolean>getAs("is_current") ? "current" : "gone"));
        }
        return out;
    }

    @Test
    void aDecisionRecordedWhileTheRebuildRunsIsKeptAndShownByTheNextRebuild() {
        Warehouse wh = warehouseWith("race", O1, PCF);
        ReviewQueue.rebuild(wh, D1);
        assertEquals(Map.of("order:o1", "open null null null current", "partner:P-CF-002", "open null null null current"),
                queue(wh));

        // Night 2's rebuild has read its inputs when the reviewer records a decision; then it writes the queue.
        ReviewQueue.Prepared night2 = ReviewQueue.prepare(wh, D2);
        ReviewDecisions.record(wh, new ReviewDecisions.Decision("order:o1", "dismissed", "ana", "the creator's own link",
                at(D2, "10:00:00")));
        night2.write();
        // That queue was computed without the decision (so this is the race an UPDATE of the queue loses) ...
        assertEquals("open null null null current", queue(wh).get("order:o1"));
        // ... but the decision is stored, and the next rebuild (here the rerun of night 2) shows it.
        List<Row> stored = wh.read(Tables.GOLD_FRAUD_REVIEW_DECISIONS).collectAsList();
        assertEquals(1, stored.size());
        assertEquals(List.of("order:o1", "dismissed", "ana", "the creator's own link", "review"),
                List.of(stored.get(0).getAs("queue_id"), stored.get(0).getAs("status"), stored.get(0).getAs("reviewer"),
                        stored.get(0).getAs("review_note"), stored.get(0).getAs("source")));
        ReviewQueue.rebuild(wh, D2);
        assertEquals("dismissed ana 2026-11-21T10:00:00Z the creator's own link current", queue(wh).get("order:o1"));
        assertEquals("open null null null current", queue(wh).get("partner:P-CF-002"));

        // A rerun gives the same queue.
        List<String> before = Rows.sorted(wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE));
        ReviewQueue.rebuild(wh, D2);
        assertEquals(before, Rows.sorted(wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE)));
        assertEquals(1L, wh.read(Tables.GOLD_FRAUD_REVIEW_DECISIONS).count());
    }

    @Test
    void aDecisionOnAnItemThatLeavesTheQueueMeanwhileIsStillShown() {
        Warehouse wh = warehouseWith("leaving", O1, PCF);
        ReviewQueue.rebuild(wh, D1);
        // Night 2: the click flood no longer fires, so the open item leaves the queue; the reviewer decides on it
        // while that rebuild runs.
        setFlags(wh, O1);
        ReviewQueue.Prepared night2 = ReviewQueue.prepare(wh, D2);
        ReviewDecisions.record(wh, new ReviewDecisions.Decision("partner:P-CF-002", "confirmed", "ben", null,
                at(D2, "11:00:00")));
        night2.write();
        assertFalse(queue(wh).containsKey("partner:P-CF-002"));
        // Night 3 keeps it for the decision, without flags (is_current false), named from its id.
        ReviewQueue.rebuild(wh, D3);
        assertEquals("confirmed ben 2026-11-21T11:00:00Z null gone", queue(wh).get("partner:P-CF-002"));
        Row item = wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE).where(col("queue_id").equalTo("partner:P-CF-002")).first();
        assertEquals("partner", item.<String>getAs("item_type"));
        assertEquals(List.of("P-CF-002"), item.getList(item.fieldIndex("partner_ids")));
        assertEquals(0L, item.<Long>getAs("flag_count"));
        assertEquals(2, item.<Integer>getAs("review_rank"));   // after every current item
    }

    @Test
    void aDecisionCountsFromTheNightOfItsReviewDaySoARerunOfAnEarlierNightGivesWhatItGave() {
        Warehouse wh = warehouseWith("as-of", O1);
        ReviewDecisions.record(wh, new ReviewDecisions.Decision("order:o1", "confirmed", "ana", "seen twice",
                at(D1, "15:00:00")));
        ReviewDecisions.record(wh, new ReviewDecisions.Decision("order:o1", "escalated", "ben", null,
                at(D2, "09:00:00")));
        // Recorded later with the same review time: the one recorded last is the decision.
        ReviewDecisions.record(wh, new ReviewDecisions.Decision("order:o1", "dismissed", "ben", "a test order",
                at(D2, "09:00:00")));
        ReviewQueue.rebuild(wh, D1);
        assertEquals("confirmed ana 2026-11-20T15:00:00Z seen twice current", queue(wh).get("order:o1"));
        ReviewQueue.rebuild(wh, D2);
        assertEquals("dismissed ben 2026-11-21T09:00:00Z a test order current", queue(wh).get("order:o1"));
        ReviewQueue.rebuild(wh, D1);   // a rerun (or backfill) of night 1
        assertEquals("confirmed ana 2026-11-20T15:00:00Z seen twice current", queue(wh).get("order:o1"));
    }

    @Test
    void anExistingWarehouseStartsFromTheDecisionsItsQueueHoldsAndAHandEditIsTakenIn() {
        Warehouse wh = warehouseWith("migration", O1, PCF);
        ReviewQueue.rebuild(wh, D1);
        // A warehouse from before the decisions table: reviewers set the queue's columns with SQL.
        LocalFolders.wipe(wh.path(Tables.GOLD_FRAUD_REVIEW_DECISIONS));
        DeltaLog.clearCache();
        wh.delta(Tables.GOLD_FRAUD_REVIEW_QUEUE).updateExpr("queue_id = 'order:o1'", Map.of("status", "'confirmed'",
                "reviewer", "'ana'", "reviewed_at", "TIMESTAMP'2026-11-20 16:00:00'", "review_note", "'seen twice'"));
        assertFalse(wh.exists(Tables.GOLD_FRAUD_REVIEW_DECISIONS));

        ReviewQueue.rebuild(wh, D2);
        assertEquals("confirmed ana 2026-11-20T16:00:00Z seen twice current", queue(wh).get("order:o1"));
        List<Row> taken = wh.read(Tables.GOLD_FRAUD_REVIEW_DECISIONS).collectAsList();
        assertEquals(1, taken.size());
        assertEquals(List.of("order:o1", "confirmed", "ana", "queue"), List.of(taken.get(0).getAs("queue_id"),
                taken.get(0).getAs("status"), taken.get(0).getAs("reviewer"), taken.get(0).getAs("source")));
        // Taken in once: the rebuilt queue shows the stored decision, which is not taken in again.
        ReviewQueue.rebuild(wh, D2);
        assertEquals(1L, wh.read(Tables.GOLD_FRAUD_REVIEW_DECISIONS).count());

        // An old habit: a hand edit of the queue after the table exists is taken in by the next rebuild too.
        wh.delta(Tables.GOLD_FRAUD_REVIEW_QUEUE).updateExpr("queue_id = 'partner:P-CF-002'", Map.of("status",
                "'dismissed'", "reviewer", "'ben'", "reviewed_at", "TIMESTAMP'2026-11-21 08:00:00'"));
        ReviewQueue.rebuild(wh, D2);
        assertEquals("dismissed ben 2026-11-21T08:00:00Z null current", queue(wh).get("partner:P-CF-002"));
        assertEquals(2L, wh.read(Tables.GOLD_FRAUD_REVIEW_DECISIONS).count());
    }

    @Test
    void theReviewCommandRecordsADecisionAndRefusesWhatIsNotOne() {
        Warehouse wh = warehouseWith("cli", O1, PCF);
        ReviewQueue.rebuild(wh, D1);
        String[] common = {"--set", "paths.warehouse=" + wh.root(), "--set", "spark.shuffle_partitions=2",
                "--set", "privacy.salt=test-salt"};

        Output badStatus = run(common, "review", "--queue-id", "order:o1", "--status", "fraud", "--reviewer", "ana");
        assertEquals(2, badStatus.code(), badStatus.err());
        assertTrue(badStatus.err().contains("status must be one of open, escalated, confirmed, dismissed, got 'fraud'"),
                badStatus.err());
        Output unknown = run(common, "review", "--queue-id", "order:o9", "--status", "dismissed", "--reviewer", "ana");
        assertEquals(2, unknown.code(), unknown.err());
        assertTrue(unknown.err().contains("no item 'order:o9' in gold.fraud_review_queue"), unknown.err());
        Output nobody = run(common, "review", "--queue-id", "order:o1", "--status", "dismissed");
        assertEquals(2, nobody.code(), nobody.err());
        assertTrue(nobody.err().contains("a decision names its reviewer"), nobody.err());
        Output future = run(common, "review", "--queue-id", "order:o1", "--status", "dismissed", "--reviewer", "ana",
                "--reviewed-at", "2999-01-01T00:00:00");
        assertEquals(2, future.code(), future.err());
        assertTrue(future.err().contains("is in the future"), future.err());

        Output ip = run(common, "review", "--queue-id", "order:o1", "--status", "dismissed", "--reviewer", "ana",
                "--note", "same buyer as 203.0.113.7");
        assertEquals(2, ip.code(), ip.err());
        assertTrue(ip.err().contains("looks like a raw IP address or user agent"), ip.err());

        Output ok = run(common, "review", "--queue-id", "order:o1", "--status", "dismissed", "--reviewer", "ana",
                "--note", "the creator's own link", "--reviewed-at", "2026-11-21T10:00:00");
        assertEquals(0, ok.code(), ok.err());
        assertTrue(ok.out().contains("review: order:o1 -> dismissed by ana, reviewed 2026-11-21T10:00:00Z"), ok.out());
        assertEquals(1L, wh.read(Tables.GOLD_FRAUD_REVIEW_DECISIONS).count());   // the refused ones stored nothing

        // The open items, with the decision recorded since the last rebuild already applied.
        Output list = run(common, "review", "--list");
        assertEquals(0, list.code(), list.err());
        assertTrue(list.out().startsWith("1 items open (queue of 2026-11-20)"), list.out());
        assertTrue(list.out().contains("partner:P-CF-002"), list.out());
        assertFalse(list.out().contains("order:o1"), list.out());
        Output history = run(common, "review", "--queue-id", "order:o1");
        assertTrue(history.out().contains("order:o1: 1 decision(s)") && history.out().contains("dismissed  ana"),
                history.out());

        ReviewQueue.rebuild(wh, D2);
        assertEquals("dismissed ana 2026-11-21T10:00:00Z the creator's own link current", queue(wh).get("order:o1"));
    }

    @Test
    void theDataQualityChecksAllowExactlyTheStatusesTheCommandRecords() throws Exception {
        String checks = java.nio.file.Files.readString(java.nio.file.Path.of("data-quality",
                Tables.GOLD_FRAUD_REVIEW_DECISIONS + ".yaml"));
        assertTrue(checks.contains("values: [" + String.join(", ", ReviewDecisions.STATUSES) + "]"), checks);
    }

    private static Output run(String[] common, String... args) {
        return Launcher.run(java.util.stream.Stream.concat(java.util.Arrays.stream(args), java.util.Arrays.stream(common))
                .toArray(String[]::new));
    }
}
