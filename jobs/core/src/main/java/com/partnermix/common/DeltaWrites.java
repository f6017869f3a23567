package com.partnermix.common;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriter;
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

    /**
     * {@link #replaceSlice}, letting {@code rows} add columns to the stored table (Delta schema evolution): for a
     * derived table that gained a column, whose older slices keep null in it.
     */
    public static void replaceSliceAddingColumns(Warehouse wh, Table table, Dataset<Row> rows, String predicate,
                                                 String... partitionBy) {
        if (!wh.exists(table)) {
            replaceSlice(wh, table, rows, predicate, partitionBy);
            return;
        }
        rows.write().format("delta").mode(SaveMode.Overwrite)
                .option("replaceWhere", predicate)
                .option("mergeSchema", "true")
                .save(wh.path(table));
    }

    /**
     * Adds to a stored table the columns of {@code schema} it lacks (at the end, null in the stored rows): for a
     * table whose rows gained a column that later MERGEs write. One metadata commit, only when something is missing.
     */
    public static void addMissingColumns(Warehouse wh, Table table, org.apache.spark.sql.types.StructType schema) {
        java.util.Set<String> stored = new java.util.HashSet<>(java.util.Arrays.asList(wh.read(table).columns()));
        List<String> missing = new java.util.ArrayList<>();
        for (org.apache.spark.sql.types.StructField field : schema.fields()) {
            if (!stored.contains(field.name())) {
                missing.add("`" + field.name() + "` " + field.dataType().sql());
            }
        }
        if (!missing.isEmpty()) {
            wh.spark().sql("ALTER TABLE delta.`" + wh.path(table) + "` ADD COLUMNS (" + String.join(", ", missing) + ")");
        }
    }

    /** Appends rows (creating the table on the first run). */
    public static void append(Warehouse wh, Table table, Dataset<Row> rows, String... partitionBy) {
        DataFrameWriter<Row> writer = rows.write().format("delta").mode(SaveMode.Append).partitionBy(partitionBy);
        String statsColumns = Tables.STATS_COLUMNS.get(table);
        if (statsColumns != null && !wh.exists(table)) {
            writer = writer.option(STATS_COLUMNS_PROPERTY, statsColumns);   // a delta.* option: set on creation
        } else {
            keepStatsColumns(wh, table);
        }
        writer.save(wh.path(table));
    }

    private static final String STATS_COLUMNS_PROPERTY = "delta.dataSkippingStatsColumns";

    /**
     * Gives a table created before {@link Tables#STATS_COLUMNS} named its columns that setting (one metadata
     * commit, once): files written from then on carry statistics of those columns only.
     */
    private static void keepStatsColumns(Warehouse wh, Table table) {
        String statsColumns = Tables.STATS_COLUMNS.get(table);
        if (statsColumns == null) {
            return;
        }
        if (!statsColumns.equals(wh.properties(table).get(STATS_COLUMNS_PROPERTY))) {
            wh.spark().sql("ALTER TABLE delta.`" + wh.path(table) + "` SET TBLPROPERTIES ('" + STATS_COLUMNS_PROPERTY
                    + "' = '" + statsColumns + "')");
        }
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
        keepStatsColumns(wh, table);
        DeltaTable target = wh.delta(table);
        target.as("t")
                .merge(rows.as("s"), condition)
                .whenMatched("t." + deliveryColumn + " > s." + deliveryColumn).updateAll()
                .whenNotMatched().insertAll()
                .execute();
    }

    /**
     * Rows the table's last commit wrote (inserted or updated by a MERGE, written by an append or overwrite), read
     * from its operation metrics: a report needs no second pass over what was just written.
     */
    public static long rowsWritten(Warehouse wh, Table table) {
        org.apache.spark.sql.delta.actions.CommitInfo last = wh.lastCommit(table);
        java.util.Map<String, String> metrics = last.operationMetrics().isDefined()
                ? scala.collection.JavaConverters.mapAsJavaMap(last.operationMetrics().get()) : java.util.Map.of();
        // A MERGE's output rows include the unchanged rows it copied: count only what it inserted or updated.
        List<String> keys = "MERGE".equals(last.operation())
                ? List.of("numTargetRowsInserted", "numTargetRowsUpdated") : List.of("numOutputRows");
        long rows = 0;
        for (String key : keys) {
            if (metrics.containsKey(key)) {
                rows += Long.parseLong(metrics.get(key));
            }
        }
        return rows;
    }

    private static final String DELETE_MARK = "__delete";

    /**
     * From this share of a table's groups on, {@link #replaceGroups} rewrites the table instead of merging into it.
     * A MERGE reads and rewrites every file that holds an affected group (with groups spread over all files: every
     * file) after a join to find them; a rewrite reads the other groups' rows once and writes the table. Measured at
     * 10.6M touchpoints, a night whose late data touched 57 % of the persons: the three silver MERGEs took 67 s
     * against 15 s for writing the tables whole; the fraud job's adjusted models (12 % of the credit table's groups,
     * in files of their own) stay cheaper as a MERGE.
     */
    static final double REWRITE_SHARE = 0.25;
    /** Fewer affected groups than this are merged (without counting the table's groups), unless the table is small. */
    static final long REWRITE_MIN_GROUPS = 10_000;
    /**
     * Spark setting (bytes, or a size such as {@code 32m}; unset or 0: off): a table whose files take at most this
     * much is always rewritten. Reading and writing a few megabytes is one count and one write, where a MERGE plans
     * and runs several jobs (materialise the source, find the touched files, rewrite them). Measured on the demo's
     * nights (about 15k session rows): the four silver writes of journeys took 11-17 s as MERGEs, 8-12 s rewritten.
     * Off unless set, like interpreted queries a choice per installation (the demo sets it for small data): the
     * rewrite stores rows in another order, and a floating-point sum read from them can end in other last bits, so
     * an installation that crosses the size gives a backfill behind the crossing such differences (about 1e-15).
     */
    public static final String REWRITE_MAX_BYTES_SETTING = "spark.partnermix.rewriteMaxBytes";
    /** The demo's value of {@link #REWRITE_MAX_BYTES_SETTING} (and the one suggested for a small shop). */
    public static final String SMALL_TABLE_BYTES = "32m";

    /**
     * Replaces every row of the affected groups (for example the persons whose journeys were
     * rebuilt tonight) by {@code rebuilt}, in one commit: rows whose key is produced again
     * are updated, new keys inserted, and rows of an affected group that are not produced again
     * deleted. Rows of other groups keep their values. {@code affectedGroups} holds one column,
     * {@code groupColumn}; {@code rebuilt} must only hold rows of affected groups, and a row's key never moves to
     * another group. The commit is a MERGE, or an overwrite of the table with its other groups' rows when the
     * affected groups are many (see {@link #REWRITE_SHARE}) or the table is small (see
     * {@link #REWRITE_MAX_BYTES_SETTING}).
     *
     * @return the rows written for the affected groups
     */
    public static long replaceGroups(Warehouse wh, Table table, Dataset<Row> rebuilt, Dataset<Row> affectedGroups,
                                     String groupColumn, List<String> rowKeys, String... partitionBy) {
        return replaceGroups(wh, table, rebuilt, affectedGroups, List.of(groupColumn), rowKeys, partitionBy);
    }

    /** {@link #replaceGroups(Warehouse, Table, Dataset, Dataset, String, List, String...)} with a composite group key. */
    public static long replaceGroups(Warehouse wh, Table table, Dataset<Row> rebuilt, Dataset<Row> affectedGroups,
                                     List<String> groupColumns, List<String> rowKeys, String... partitionBy) {
        if (!wh.exists(table)) {
            append(wh, table, rebuilt, partitionBy);
            return rowsWritten(wh, table);
        }
        keepStatsColumns(wh, table);
        Column[] groupKey = groupColumns.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
        if (rewriteIsCheaper(wh, table, affectedGroups.select(groupKey), groupKey)) {
            return rewriteGroups(wh, table, rebuilt, affectedGroups.select(groupKey), groupColumns);
        }
        Column[] keyColumns = rowKeys.stream().map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
        // Keys of the affected groups that tonight's rebuild no longer produces: they are deleted.
        Dataset<Row> stale = wh.read(table)
                .join(affectedGroups, ScalaSeqs.of(groupColumns), "left_semi")
                .select(keyColumns)
                .join(rebuilt.select(keyColumns), ScalaSeqs.of(rowKeys),
                        "left_anti")
                .withColumn(DELETE_MARK, org.apache.spark.sql.functions.lit(true));
        Dataset<Row> source = rebuilt.withColumn(DELETE_MARK, org.apache.spark.sql.functions.lit(false))
                .unionByName(stale, true);
        String on = rowKeys.stream().map(k -> "t." + k + " = s." + k).collect(Collectors.joining(" AND "));
        java.util.Map<String, String> assignments = new java.util.LinkedHashMap<>();
        for (String column : rebuilt.columns()) {
            assignments.put(column, "s." + column);
        }
        wh.delta(table).as("t")
                .merge(source.as("s"), on)
                .whenMatched("s." + DELETE_MARK).delete()
                .whenMatched().updateExpr(assignments)
                .whenNotMatched("NOT s." + DELETE_MARK).insertExpr(assignments)
                .execute();
        return rowsWritten(wh, table);
    }

    /** A small table (see {@link #REWRITE_MAX_BYTES_SETTING}), or many affected groups (see {@link #REWRITE_SHARE}). */
    private static boolean rewriteIsCheaper(Warehouse wh, Table table, Dataset<Row> affectedGroups, Column[] groupKey) {
        long rewriteMaxBytes = org.apache.spark.network.util.JavaUtils.byteStringAsBytes(
                wh.spark().conf().get(REWRITE_MAX_BYTES_SETTING, "0"));
        if (rewriteMaxBytes > 0 && wh.sizeInBytes(table) <= rewriteMaxBytes) {
            return true;
        }
        long groups = affectedGroups.distinct().count();
        return groups >= REWRITE_MIN_GROUPS
                && groups >= REWRITE_SHARE * wh.read(table).select(groupKey).distinct().count();
    }

    /** {@link #replaceGroups} as one overwrite: the stored rows of the other groups, and the rebuilt ones. */
    private static long rewriteGroups(Warehouse wh, Table table, Dataset<Row> rebuilt, Dataset<Row> affectedGroups,
                                      List<String> groupColumns) {
        Dataset<Row> others = wh.read(table).join(affectedGroups, ScalaSeqs.of(groupColumns), "left_anti");
        long kept = others.count();
        // The table's partitioning, properties and statistics settings stay: an overwrite without a new schema.
        // Static: a dynamic overwrite (the local configuration's mode) would keep a partition whose affected rows
        // are all gone tonight.
        others.unionByName(rebuilt, true).write().format("delta").mode(SaveMode.Overwrite)
                .option("partitionOverwriteMode", "static").save(wh.path(table));
        return rowsWritten(wh, table) - kept;
    }
}
