package com.partnermix.common;

import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The statistics Delta keeps of gold.attribution_credit: only of the columns readers skip files by. */
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
    void aCreditTableCreatedBeforeTheSettingGetsItAtItsNextWrite() {
        Warehouse wh = new Warehouse(spark(), tmp.resolve("older").toString());
        credit("o1").write().format("delta").save(wh.path(Tables.GOLD_ATTRIBUTION_CREDIT));
        assertEquals(Set.of("credit", "event_id", "model", "order_date", "order_id", "partner_id"),
                statsColumnsOfLastCommit(wh, Tables.GOLD_ATTRIBUTION_CREDIT));

        DeltaWrites.replaceGroups(wh, Tables.GOLD_ATTRIBUTION_CREDIT, credit("o2"), credit("o2").select("order_id"),
                "order_id", List.of("order_id", "model"));
        assertEquals(Set.of("model", "order_date"), statsColumnsOfLastCommit(wh, Tables.GOLD_ATTRIBUTION_CREDIT));
        assertEquals(List.of("o1", "o2"), wh.read(Tables.GOLD_ATTRIBUTION_CREDIT).orderBy("order_id")
                .select("order_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    }
}
