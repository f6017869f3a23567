package com.partnermix.common;

import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Content checksums: what a rerun, a backfill or a restore is compared with, table by table. */
class ChecksumsTest extends SparkTestBase {

    static final String SCHEMA = "id STRING, amount DOUBLE, tags ARRAY<STRING>";

    static Dataset<Row> rows(String... json) {
        return Rows.of(spark(), SCHEMA, json);
    }

    @Test
    void theSameRowsInAnyOrderOrColumnOrderGiveTheSameChecksumAndADuplicateRowCounts() {
        Map<String, Dataset<Row>> named = new LinkedHashMap<>();
        named.put("a", rows("{\"id\":\"o1\",\"amount\":10.5,\"tags\":[\"x\"]}", "{\"id\":\"o2\",\"amount\":3.0}"));
        named.put("a reordered", rows("{\"id\":\"o2\",\"amount\":3.0}", "{\"id\":\"o1\",\"amount\":10.5,\"tags\":[\"x\"]}")
                .select("tags", "amount", "id"));
        named.put("a with o2 twice", rows("{\"id\":\"o1\",\"amount\":10.5,\"tags\":[\"x\"]}",
                "{\"id\":\"o2\",\"amount\":3.0}", "{\"id\":\"o2\",\"amount\":3.0}"));
        named.put("a changed", rows("{\"id\":\"o1\",\"amount\":10.6,\"tags\":[\"x\"]}", "{\"id\":\"o2\",\"amount\":3.0}"));
        named.put("a as float", rows("{\"id\":\"o1\",\"amount\":10.5,\"tags\":[\"x\"]}", "{\"id\":\"o2\",\"amount\":3.0}")
                .selectExpr("id", "CAST(amount AS FLOAT) amount", "tags"));

        Map<String, Checksums.Checksum> sums = Checksums.ofEach(named);

        assertEquals(List.of("a", "a reordered", "a with o2 twice", "a changed", "a as float"), List.copyOf(sums.keySet()));
        // The digest of these rows as the one-table-per-query checksum of earlier builds printed it (computed with
        // that code): `verify --checksums` output of an older build stays comparable.
        assertEquals(new Checksums.Checksum(2, "54e5ecf002155c389041bfc22926664c341b1d2a"), sums.get("a"));
        assertEquals(sums.get("a"), sums.get("a reordered"));
        assertEquals(2, sums.get("a").rows());
        assertEquals(3, sums.get("a with o2 twice").rows());
        assertNotEquals(sums.get("a").digest(), sums.get("a with o2 twice").digest());
        assertNotEquals(sums.get("a").digest(), sums.get("a changed").digest());
        assertEquals(2, sums.get("a as float").rows());
        // 10.5 and 3.0 are exact as floats: the values render alike, only the schema part of the digest differs
        assertEquals(sums.get("a").digest().substring(0, 32), sums.get("a as float").digest().substring(0, 32));
        assertNotEquals(sums.get("a").digest(), sums.get("a as float").digest());
    }

    @Test
    void oneQueryForManyTablesGivesEachTableItsOwnChecksumAndAnEmptyTableZeroSums() {
        Dataset<Row> a = rows("{\"id\":\"o1\",\"amount\":10.5}", "{\"id\":\"o2\",\"amount\":3.0}");
        Dataset<Row> b = rows("{\"id\":\"o3\",\"amount\":1.0}");
        Dataset<Row> empty = a.limit(0);
        Map<String, Dataset<Row>> named = new LinkedHashMap<>();
        named.put("silver.a", a);
        named.put("silver.empty", empty);
        named.put("silver.b", b);

        Map<String, Checksums.Checksum> sums = Checksums.ofEach(named);

        // each table alone gives what it gives in company
        assertEquals(Checksums.ofEach(Map.of("x", a)).get("x"), sums.get("silver.a"));
        assertEquals(Checksums.ofEach(Map.of("x", b)).get("x"), sums.get("silver.b"));
        assertNotEquals(sums.get("silver.a"), sums.get("silver.b"));
        assertEquals(0, sums.get("silver.empty").rows());
        assertTrue(sums.get("silver.empty").digest().startsWith("0".repeat(32)), sums.get("silver.empty").digest());
        assertEquals(sums.get("silver.a").digest().substring(32), sums.get("silver.empty").digest().substring(32));
        assertEquals(Map.of(), Checksums.ofEach(Map.of()));
    }
}
