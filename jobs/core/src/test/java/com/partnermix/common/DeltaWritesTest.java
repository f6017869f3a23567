package com.partnermix.common;

import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Replacing groups of rows (a MERGE, or a rewrite of the table when many groups change) and the statistics Delta
 * keeps of gold.attribution_credit and bronze.touchpoints: only of the columns readers skip files by.
 */
class DeltaWritesTest extends SparkTestBase {

    private static Dataset<Row> credit(String... orderIds) {
        List<String> values = java.util.Arrays.stream(orderIds)
                .map(o -> "('" + o + "', DATE'2026-11-20', 'linear', 'e-" + o + "', 'P1', 1.0)").toList();
        return spark().sql("SELECT * FROM VALUES " + String.join(", ", values)
                + " AS t(order_id, order_date, model, event_id, partner_id, credit)");
    }

    /** The columns with a minimum in the statistics of the files the table's newest commit added. */
    private static Set<String> statsColumnsOfLastCommit(Warehouse wh, Table table) {
        long version = wh.version(table);
        Dataset<Row> log = spark().read().json(String.format("%s/_delta_log/%020d.json", wh.path(table), version));
        Set<String> columns = new TreeSet<>();
        for (Row r : log.where(col("add").isNotNull()).select("add.stats").collectAsList()) {
            Row stats = spark().read().json(spark().createDataset(List.of(r.getString(0)),
                    org.apache.spark.sql.Encoders.STRING())).select("minValues.*").head();
            columns.addAll(List.of(stats.schema().fieldNames()));
        }
        return columns;
    }

    @Test
    void theCreditTableIsCreatedWithStatisticsOfItsOrderDateAndModelOnly() {
        Warehouse wh = new Warehouse(spark(), tmp.resolve("created").toString());
        DeltaWrites.replaceGroups(wh, Tables.GOLD_ATTRIBUTION_CREDIT, credit("o1", "o2"),
                credit("o1", "o2").select("order_id"), "order_id", List.of("order_id", "model"));
        assertEquals(Set.of("model", "order_date"), statsColumnsOfLastCommit(wh, Tables.GOLD_ATTRIBUTION_CREDIT));
    }

    @Test
    void aCreditTableCreatedBeforeTheSettingGetsItAtItsNextWriteMergedOrRewritten() {
        for (String rewriteMaxBytes : List.of("0", DeltaWrites.SMALL_TABLE_BYTES)) {   // merged, then rewritten
            try (var writePath = SparkSessions.withSettings(spark(),
                    Map.of(DeltaWrites.REWRITE_MAX_BYTES_SETTING, rewriteMaxBytes))) {
                Warehouse wh = new Warehouse(spark(), tmp.resolve("older-" + rewriteMaxBytes).toString());
                credit("o1").write().format("delta").save(wh.path(Tables.GOLD_ATTRIBUTION_CREDIT));
                assertEquals(Set.of("credit", "event_id", "model", "order_date", "order_id", "partner_id"),
                        statsColumnsOfLastCommit(wh, Tables.GOLD_ATTRIBUTION_CREDIT));

                DeltaWrites.replaceGroups(wh, Tables.GOLD_ATTRIBUTION_CREDIT, credit("o2"),
                        credit("o2").select("order_id"), "order_id", List.of("order_id", "model"));
                assertEquals(Set.of("model", "order_date"),
                        statsColumnsOfLastCommit(wh, Tables.GOLD_ATTRIBUTION_CREDIT));
                assertEquals(List.of("o1", "o2"), wh.read(Tables.GOLD_ATTRIBUTION_CREDIT).orderBy("order_id")
                        .select("order_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
                assertEquals(rewriteMaxBytes.equals("0") ? "MERGE" : "WRITE",
                        lastOperation(wh, Tables.GOLD_ATTRIBUTION_CREDIT));
            }
        }
    }

    private static String lastOperation(Warehouse wh, Table table) {
        return wh.delta(table).history(1).select("operation").head().getString(0);
    }

    /** Touchpoints of one event day, delivered on {@code deliveryDay}. */
    private static Dataset<Row> touchpoints(String deliveryDay, String... eventIds) {
        List<String> values = java.util.Arrays.stream(eventIds)
                .map(e -> "('" + e + "', TIMESTAMP'2026-11-19 10:00:00', DATE'2026-11-19', 'anon-" + e + "', DATE'"
                        + deliveryDay + "')").toList();
        return spark().sql("SELECT * FROM VALUES " + String.join(", ", values)
                + " AS t(event_id, event_ts, event_date, anonymous_id, delivery_date)");
    }

    @Test
    void touchpointsAreAppendedWithStatisticsOfTheirDeliveryDateAndTimeOnly() {
        Warehouse wh = new Warehouse(spark(), tmp.resolve("touch-created").toString());
        DeltaWrites.append(wh, Tables.BRONZE_TOUCHPOINTS, touchpoints("2026-11-19", "e1", "e2"), "event_date");
        assertEquals(Set.of("delivery_date", "event_ts"), statsColumnsOfLastCommit(wh, Tables.BRONZE_TOUCHPOINTS));
        DeltaWrites.append(wh, Tables.BRONZE_TOUCHPOINTS, touchpoints("2026-11-20", "e3"), "event_date");
        assertEquals(Set.of("delivery_date", "event_ts"), statsColumnsOfLastCommit(wh, Tables.BRONZE_TOUCHPOINTS));
    }

    @Test
    void aTouchpointTableCreatedBeforeTheSettingGetsItAtItsNextAppend() {
        Warehouse wh = new Warehouse(spark(), tmp.resolve("touch-older").toString());
        touchpoints("2026-11-19", "e1").write().format("delta").partitionBy("event_date")
                .save(wh.path(Tables.BRONZE_TOUCHPOINTS));
        assertEquals(Set.of("anonymous_id", "delivery_date", "event_id", "event_ts"),
                statsColumnsOfLastCommit(wh, Tables.BRONZE_TOUCHPOINTS));

        DeltaWrites.append(wh, Tables.BRONZE_TOUCHPOINTS, touchpoints("2026-11-20", "e2"), "event_date");
        assertEquals(Set.of("delivery_date", "event_ts"), statsColumnsOfLastCommit(wh, Tables.BRONZE_TOUCHPOINTS));
        assertEquals(List.of("e1", "e2"), wh.read(Tables.BRONZE_TOUCHPOINTS).orderBy("event_id")
                .select("event_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    }

    @Test
    void anEarlierDeliveryMergedIntoAnOlderTouchpointTableGivesItTheSettingToo() {
        Warehouse wh = new Warehouse(spark(), tmp.resolve("touch-merged").toString());
        touchpoints("2026-11-19", "e1").write().format("delta").partitionBy("event_date")
                .save(wh.path(Tables.BRONZE_TOUCHPOINTS));

        // e1 was ingested from the 19th first; the 18th's copy is the earlier delivery and replaces it.
        DeltaWrites.mergeEarliestDelivery(wh, Tables.BRONZE_TOUCHPOINTS, touchpoints("2026-11-18", "e1"),
                List.of("event_id"), "delivery_date", null);
        assertEquals(Set.of("delivery_date", "event_ts"), statsColumnsOfLastCommit(wh, Tables.BRONZE_TOUCHPOINTS));
        assertEquals(List.of("e1 2026-11-18"), wh.read(Tables.BRONZE_TOUCHPOINTS)
                .selectExpr("concat(event_id, ' ', delivery_date)").as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList());
    }

    /** Orders 0..n-1, each with two model rows; the credit says which night wrote it. */
    private static Dataset<Row> orders(long from, long to, double night) {
        return spark().range(from, to).selectExpr("concat('o', id) AS order_id", "explode(array('linear', 'markov')) AS model",
                night + " AS credit");
    }

    /**
     * Whichever way the groups are replaced, the result is the same: rebuilt rows replace their group's, an affected
     * group that is not rebuilt is emptied, and every other group keeps its rows. Without the small-table setting
     * the share of affected groups decides; with it, a table of about 1 MB is rewritten however few they are.
     */
    @Test
    void replacingManyGroupsRewritesTheTableAndFewGroupsAreMerged() {
        replaceGroupsOfSixtyThousandOrders(12_000L, "MERGE");   // 20 % of the orders: merged
        replaceGroupsOfSixtyThousandOrders(30_000L, "WRITE");   // 50 %: rewritten
    }

    @Test
    void withTheSmallTableSettingASmallTableIsRewrittenHoweverFewOfItsGroupsAreReplaced() {
        try (var smallTablesRewritten = SparkSessions.withSettings(spark(),
                Map.of(DeltaWrites.REWRITE_MAX_BYTES_SETTING, DeltaWrites.SMALL_TABLE_BYTES))) {
            replaceGroupsOfSixtyThousandOrders(12_000L, "WRITE");
        }
    }

    /** A dynamic partition overwrite (the local configuration's mode) would keep a partition whose rows all went. */
    @Test
    void aRewriteEmptiesAPartitionWhoseGroupsAreAllGoneUnderDynamicOverwrites() {
        try (var rewrittenDynamically = SparkSessions.withSettings(spark(), Map.of(
                DeltaWrites.REWRITE_MAX_BYTES_SETTING, DeltaWrites.SMALL_TABLE_BYTES,
                "spark.sql.sources.partitionOverwriteMode", "dynamic"))) {
            Warehouse wh = new Warehouse(spark(), tmp.resolve("partitioned").toString());
            Table table = Tables.SILVER_JOURNEYS;
            Dataset<Row> night1 = spark().sql("SELECT * FROM VALUES ('o1', 'a', 1.0), ('o2', 'b', 1.0)"
                    + " AS t(order_id, part, credit)");
            DeltaWrites.replaceGroups(wh, table, night1, night1.select("order_id"), "order_id",
                    List.of("order_id"), "part");
            // Night 2 rebuilds o1 and produces no row for it: o1 goes, and with it the only row of partition a.
            Dataset<Row> affected = spark().sql("SELECT 'o1' AS order_id");
            long written = DeltaWrites.replaceGroups(wh, table, night1.limit(0), affected, "order_id",
                    List.of("order_id"));

            assertEquals(0L, written);
            assertEquals("WRITE", lastOperation(wh, table));
            assertEquals(List.of("o2 b"), wh.read(table).selectExpr("concat(order_id, ' ', part)")
                    .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        }
    }

    private void replaceGroupsOfSixtyThousandOrders(long affected, String expectedOperation) {
        Warehouse wh = new Warehouse(spark(), tmp.resolve("groups-" + affected + "-" + expectedOperation).toString());
        Table table = Tables.SILVER_JOURNEYS;
        DeltaWrites.replaceGroups(wh, table, orders(0, 60_000, 1.0), orders(0, 60_000, 1.0).select("order_id"),
                "order_id", List.of("order_id", "model"));
        // Night 2 rebuilds the first `affected` orders but the last 1,000 of them, which vanish.
        long written = DeltaWrites.replaceGroups(wh, table, orders(0, affected - 1_000, 2.0),
                orders(0, affected, 2.0).select("order_id"), "order_id", List.of("order_id", "model"));

        assertEquals(2 * (affected - 1_000), written);
        Row totals = wh.read(table).selectExpr("count(*)", "sum(if(credit = 2.0, 1, 0))",
                "count(distinct order_id)").head();
        assertEquals(List.of(2 * (60_000 - 1_000L), 2 * (affected - 1_000), 59_000L),
                List.of(totals.getLong(0), totals.getLong(1), totals.getLong(2)));
        assertEquals(0L, wh.read(table).where("order_id = 'o" + (affected - 1) + "' OR (order_id = 'o"
                + affected + "' AND credit <> 1.0)").count());
        assertEquals(expectedOperation, lastOperation(wh, table));
    }
}
