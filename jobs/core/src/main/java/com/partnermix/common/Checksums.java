package com.partnermix.common;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.xxhash64;

/**
 * An order-independent content checksum of a table: the same rows with the same values give the same
 * checksum whatever files, partitions or row order hold them. Two warehouses (a rerun, a backfill, a
 * restored copy) are compared table by table with it.
 */
public final class Checksums {

    private Checksums() {}

    /** Rows and the checksum of a table's content; equal content gives equal values. */
    public record Checksum(long rows, String digest) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%,d rows %s", rows, digest);
        }
    }

    /**
     * Each row is rendered as JSON with its columns in name order (maps, arrays and structs included, so every
     * type can be hashed), hashed with two seeds, and the hashes are summed: a sum, unlike XOR, counts a row
     * delivered twice twice. The schema is part of the digest, so a changed column type is a difference too.
     */
    public static Checksum of(Dataset<Row> rows) {
        return ofEach(Map.of("", rows)).get("");
    }

    /**
     * The checksum of each named dataset, the same as {@link #of} gives, in one query: every table's row hashes
     * are summed by name in one aggregation, so comparing a whole warehouse costs one Spark query, not one per
     * table (a small table's query is mostly fixed cost). In the order of {@code named}.
     */
    public static Map<String, Checksum> ofEach(Map<String, Dataset<Row>> named) {
        Dataset<Row> hashes = null;
        for (Map.Entry<String, Dataset<Row>> table : named.entrySet()) {
            Dataset<Row> rows = table.getValue();
            Column[] byName = Arrays.stream(rows.columns()).sorted().map(c -> col("`" + c + "`")).toArray(Column[]::new);
            Column json = to_json(struct(byName));
            // Sums of 64-bit hashes as decimals: they cannot overflow and wrap around.
            Dataset<Row> tableHashes = rows.select(lit(table.getKey()).as("name"),
                    xxhash64(json).cast("decimal(38,0)").as("h1"),
                    xxhash64(lit("partnermix"), json).cast("decimal(38,0)").as("h2"));
            hashes = hashes == null ? tableHashes : hashes.unionAll(tableHashes);
        }
        Map<String, Row> sums = new HashMap<>();
        if (hashes != null) {
            hashes.groupBy("name").agg(count(lit(1)), sum("h1"), sum("h2")).collectAsList()
                    .forEach(r -> sums.put(r.getString(0), r));
        }
        Map<String, Checksum> out = new LinkedHashMap<>();
        named.forEach((name, rows) -> {
            Row r = sums.get(name);   // none: the dataset has no rows
            long h1 = r == null ? 0 : r.getDecimal(2).longValue();
            long h2 = r == null ? 0 : r.getDecimal(3).longValue();
            String schema = Arrays.stream(rows.schema().fields()).map(f -> f.name() + ":" + f.dataType().simpleString())
                    .sorted().reduce("", (a, b) -> a + "," + b);
            out.put(name, new Checksum(r == null ? 0 : r.getLong(1),
                    String.format(Locale.ROOT, "%016x%016x%08x", h1, h2, schema.hashCode())));
        });
        return out;
    }
}
