package com.partnermix.common;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Arrays;
import java.util.Locale;

import static org.apache.spark.sql.functions.coalesce;
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
        Column[] byName = Arrays.stream(rows.columns()).sorted().map(c -> col("`" + c + "`")).toArray(Column[]::new);
        Column json = to_json(struct(byName));
        // Sums of 64-bit hashes as decimals: they cannot overflow and wrap around.
        Row r = rows.select(xxhash64(json).cast("decimal(38,0)").as("h1"),
                        xxhash64(lit("partnermix"), json).cast("decimal(38,0)").as("h2"))
                .agg(count(lit(1)), coalesce(sum("h1"), lit(0)), coalesce(sum("h2"), lit(0)))
                .first();
        String schema = Arrays.stream(rows.schema().fields()).map(f -> f.name() + ":" + f.dataType().simpleString())
                .sorted().reduce("", (a, b) -> a + "," + b);
        String digest = String.format(Locale.ROOT, "%016x%016x%08x", r.getDecimal(1).longValue(),
                r.getDecimal(2).longValue(), schema.hashCode());
        return new Checksum(r.getLong(0), digest);
    }
}
