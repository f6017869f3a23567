package com.partnermix.maintain;

import com.partnermix.common.Table;
import io.delta.tables.DeltaOptimizeBuilder;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import scala.collection.JavaConverters;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.col;

/**
 * OPTIMIZE of one table: Z-ORDER BY its configured columns, or compaction (small files packed together).
 *
 * <p>Why Z-ORDER and not liquid clustering ({@code CLUSTER BY}, which Delta 3.3 can switch on for an existing
 * unpartitioned table): clustering cannot be combined with partitioning ({@code bronze.touchpoints}), it upgrades
 * the table protocol for good (writer features {@code clustering} and {@code domainMetadata}, which every writer of
 * the warehouse, the notebooks' reader included, must then support), and on tables of this size its OPTIMIZE
 * rewrites the unfinished clusters whole, as a Z-order does. Z-ORDER only rewrites files ({@code dataChange = false}):
 * the table's metadata, the jobs' writes and every reader stay as they are.
 *
 * <p>Delta's Z-order rewrites every file of each partition it is given, clustered or not (and, in Delta 3.3, tags
 * nothing on the files it wrote). So only what a commit added since the last Z-order by the same columns (read
 * from the table history and the commits after it) is passed: the whole table when it is not partitioned, else
 * the partitions those files belong to; a rerun rewrites nothing. Compaction is incremental by itself: it packs
 * files smaller than Delta's target size and leaves a lone file alone.
 */
final class Layout {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private Layout() {}

    /** What one OPTIMIZE did: files removed and added (0 and 0 when there was nothing to do). */
    record Outcome(String action, long filesRemoved, long filesAdded) {}

    /**
     * Why the configured Z-order columns cannot be used on this table, or null: a column missing, a partition
     * column (files are already split by it), or one Delta keeps no statistics of (Z-order is for data skipping,
     * which reads those statistics; Delta refuses it).
     */
    static String invalidZOrder(Table table, Snapshot snapshot, List<String> columns) {
        StructType schema = snapshot.metadata().schema();
        List<String> partitions = snapshot.metadata().getPartitionColumns();
        List<String> withStats = statisticsColumns(snapshot);
        for (String column : columns) {
            if (!List.of(schema.fieldNames()).contains(column)) {
                return "Tables.ZORDER_BY, " + table + ": no column '" + column + "' in " + table;
            }
            if (partitions.contains(column)) {
                return "Tables.ZORDER_BY, " + table + ": '" + column + "' is a partition column of " + table
                        + " (its files are already split by it): leave it out";
            }
            if (!withStats.contains(column)) {
                return "Tables.ZORDER_BY, " + table + ": Delta keeps no statistics of '" + column + "' in " + table
                        + " (columns with statistics: " + withStats + "), so a Z-order by it could not skip files";
            }
        }
        return null;
    }

    /** The columns Delta collects min/max statistics of: the table's list, else its first N leaf columns. */
    static List<String> statisticsColumns(Snapshot snapshot) {
        Map<String, String> conf = snapshot.metadata().getConfiguration();
        String listed = conf.get("delta.dataSkippingStatsColumns");
        if (listed != null && !listed.isBlank()) {
            return List.of(listed.split(",")).stream().map(String::trim).toList();
        }
        int indexed = Integer.parseInt(conf.getOrDefault("delta.dataSkippingNumIndexedCols", "32").trim());
        List<String> leaves = new ArrayList<>();
        List<String> partitions = snapshot.metadata().getPartitionColumns();
        for (StructField field : snapshot.metadata().schema().fields()) {
            if (!partitions.contains(field.name())) {
                addLeaves(field, field.name(), leaves);
            }
        }
        return indexed < 0 ? leaves : leaves.subList(0, Math.min(indexed, leaves.size()));
    }

    private static void addLeaves(StructField field, String name, List<String> out) {
        if (field.dataType() instanceof StructType struct) {
            for (StructField child : struct.fields()) {
                addLeaves(child, name + "." + child.name(), out);
            }
        } else {
            out.add(name);
        }
    }

    /** Runs OPTIMIZE on the table: a Z-order of what changed since the last one, or a compaction. */
    static Outcome optimize(SparkSession spark, DeltaLog log, Snapshot snapshot, List<String> zorderBy) {
        String path = log.dataPath().toString();
        DeltaOptimizeBuilder builder = DeltaTable.forPath(spark, path).optimize();
        if (zorderBy.isEmpty()) {
            return outcome("compaction", builder.executeCompaction());
        }
        String action = "zorder(" + String.join(",", zorderBy) + ")";
        List<String> partitions = snapshot.metadata().getPartitionColumns();
        long last = lastZOrder(spark, path, zorderBy);
        List<Row> stale = last < 0 ? null : partitionsAddedSince(log, last, partitions);
        if (stale != null && stale.isEmpty()) {
            return new Outcome(action + " up to date", 0, 0);
        }
        if (partitions.isEmpty()) {
            return outcome(action, builder.executeZOrderBy(zorderBy.toArray(String[]::new)));
        }
        if (stale == null) {
            Column[] values = partitions.stream().map(p -> col("partitionValues").getItem(p).as(p))
                    .toArray(Column[]::new);
            stale = snapshot.allFiles().toDF().select(values).distinct().collectAsList();
        }
        Outcome done = outcome(action, builder.where(partitionPredicate(partitions, stale))
                .executeZOrderBy(zorderBy.toArray(String[]::new)));
        return new Outcome(action + " of " + stale.size() + " partitions", done.filesRemoved(), done.filesAdded());
    }

    /** The version of the table's latest OPTIMIZE ZORDER BY these columns; -1 when its history has none. */
    static long lastZOrder(SparkSession spark, String path, List<String> zorderBy) {
        long last = -1;
        for (Row r : DeltaTable.forPath(spark, path).history().where(col("operation").equalTo("OPTIMIZE"))
                .select(col("version"), col("operationParameters").getItem("zOrderBy")).collectAsList()) {
            if (!r.isNullAt(1) && zorderBy.equals(jsonList(r.getString(1)))) {
                last = Math.max(last, r.getLong(0));
            }
        }
        return last;
    }

    /**
     * The partitions (values in partition-column order; one empty row for an unpartitioned table) of the files the
     * commits after {@code version} added. Every commit after a version the history lists is still in the log.
     */
    static List<Row> partitionsAddedSince(DeltaLog log, long version, List<String> partitions) {
        Set<List<String>> seen = new LinkedHashSet<>();
        scala.collection.Iterator<scala.Tuple2<Object, scala.collection.Seq<Action>>> changes =
                log.getChanges(version + 1, false);
        while (changes.hasNext()) {
            for (Action action : JavaConverters.seqAsJavaList(changes.next()._2())) {
                if (action instanceof AddFile add) {
                    Map<String, String> values = JavaConverters.mapAsJavaMap(add.partitionValues());
                    seen.add(partitions.stream().map(values::get).toList());
                }
            }
        }
        return seen.stream().map(v -> RowFactory.create(v.toArray())).toList();
    }

    private static List<String> jsonList(String json) {
        try {
            return List.of(JSON.readValue(json, String[].class));
        } catch (java.io.IOException e) {
            return List.of();
        }
    }

    /** {@code (p1 = 'a' AND p2 = 'b') OR ...} over the partitions' values as Delta stores them (strings). */
    static String partitionPredicate(List<String> partitions, List<Row> values) {
        return values.stream().map(row -> {
            List<String> terms = new ArrayList<>();
            for (int i = 0; i < partitions.size(); i++) {
                String name = "`" + partitions.get(i).replace("`", "``") + "`";
                terms.add(row.isNullAt(i) ? name + " IS NULL" : name + " = " + sqlString(row.getString(i)));
            }
            return "(" + String.join(" AND ", terms) + ")";
        }).collect(Collectors.joining(" OR "));
    }

    static String sqlString(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static Outcome outcome(String action, Dataset<Row> metrics) {
        Row m = metrics.select("metrics.numFilesRemoved", "metrics.numFilesAdded").head();
        return new Outcome(action, m.getLong(0), m.getLong(1));
    }
}
