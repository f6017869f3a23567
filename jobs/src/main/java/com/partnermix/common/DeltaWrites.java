package com.partnermix.common;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The idempotent write patterns of the warehouse. Each is one Delta commit, so readers see
 * the table before or after it, never half of it, and a rerun gives the same table.
 */
public final class DeltaWrites {

    private DeltaWrites() {}

    /** Replaces the whole table (small derived tables rebuilt from their full input). */
    public static void overwrite(Warehouse wh, Table table, Dataset<Row> rows, String... partitionBy) {
        rows.write().format("delta").mode(SaveMode.Overwrite)
                .option("overwriteSchema", "true")
                .partitionBy(partitionBy)
                .save(wh.path(table));
    }

    /**
     * Replaces exactly the rows matching {@code predicate} (a run date's slice) with {@code rows};
     * creates the table on the first run.
     */
    public static void replaceSlice(Warehouse wh, Table table, Dataset<Row> rows, String predicate,
                                    String... partitionBy) {
        if (!wh.exists(table)) {
            rows.write().format("delta").mode(SaveMode.ErrorIfExists).partitionBy(partitionBy).save(wh.path(table));
            return;
        }
        rows.write().format("delta").mode(SaveMode.Overwrite)
                .option("replaceWhere", predicate)
                .save(wh.path(table));
    }

    /** Appends rows (creating the table on the first run). */
    public static void append(Warehouse wh, Table table, Dataset<Row> rows, String... partitionBy) {
        rows.write().format("delta").mode(SaveMode.Append).partitionBy(partitionBy).save(wh.path(table));
    }

    /**
     * Inserts the rows whose key is not stored yet and replaces a stored row whose
     * {@code deliveryColumn} is later than the incoming one, in one MERGE commit.
     * {@code pruning} restricts the scan of the target (for example to the batch's event
     * dates); null scans everything.
     */
    public static void mergeEarliestDelivery(Warehouse wh, Table table, Dataset<Row> rows, List<String> keys,
                                             String deliveryColumn, Column pruning) {
        String on = keys.stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND "));
        Column condition = org.apache.spark.sql.functions.expr(on);
        if (pruning != null) {
            condition = condition.and(pruning);
        }
        DeltaTable target = wh.delta(table);
        target.as("t")
                .merge(rows.as("s"), condition)
                .whenMatched("t." + deliveryColumn + " > s." + deliveryColumn).updateAll()
                .whenNotMatched().insertAll()
                .execute();
    }
}
