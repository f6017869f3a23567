package com.partnermix.common;

import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Where tables live: {@code <warehouse>/<schema>/<name>} as Delta tables. Jobs address
 * tables by path so that they need no metastore; {@code publish} registers them by name
 * for BI tools.
 */
public final class Warehouse {

    private final SparkSession spark;
    private final String root;

    public Warehouse(SparkSession spark, String root) {
        this.spark = spark;
        this.root = root.endsWith("/") ? root.substring(0, root.length() - 1) : root;
    }

    public SparkSession spark() {
        return spark;
    }

    public String root() {
        return root;
    }

    public String path(Table table) {
        return root + "/" + table.schema() + "/" + table.name();
    }

    public boolean exists(Table table) {
        return DeltaTable.isDeltaTable(spark, path(table));
    }

    public Dataset<Row> read(Table table) {
        if (!exists(table)) {
            throw new IllegalStateException("Table " + table + " does not exist yet at " + path(table)
                    + ": run the job that writes it first");
        }
        return spark.read().format("delta").load(path(table));
    }

    /** The table's latest Delta version (its last commit): read from the log on the driver, without a Spark job. */
    public long version(Table table) {
        return latest(table).version();
    }

    /**
     * The commit information (operation, operation metrics) of the table's last commit, read from its log file on the
     * driver: {@link DeltaTable#history} starts a Spark job to read the same file.
     */
    public org.apache.spark.sql.delta.actions.CommitInfo lastCommit(Table table) {
        org.apache.spark.sql.delta.DeltaLog log = log(table);
        long version = version(table);
        return org.apache.spark.sql.delta.DeltaHistoryManager.getCommitInfoOpt(log.store(),
                        org.apache.spark.sql.delta.util.FileNames$.MODULE$.unsafeDeltaFile(log.logPath(), version),
                        log.newDeltaHadoopConf())
                .getOrElse(() -> {
                    throw new IllegalStateException("no commit information in version " + version + " of " + table);
                });
    }

    /** The table's properties (TBLPROPERTIES), read from its log on the driver without a Spark job. */
    public java.util.Map<String, String> properties(Table table) {
        return scala.collection.JavaConverters.mapAsJavaMap(latest(table).metadata().configuration());
    }

    /** The table's newest snapshot, brought up to date from its log on the driver. */
    private org.apache.spark.sql.delta.Snapshot latest(Table table) {
        return log(table).update(false, scala.Option.empty(), scala.Option.empty());
    }

    private org.apache.spark.sql.delta.DeltaLog log(Table table) {
        return org.apache.spark.sql.delta.DeltaLog.forTable(spark, path(table));
    }

    /** The table as of one Delta version (time travel): what a check or a publication pinned. */
    public Dataset<Row> readAt(Table table, long version) {
        return spark.read().format("delta").option("versionAsOf", version).load(path(table));
    }

    /**
     * The size of the table's data files now: from the checksum file of its last commit when Delta wrote one,
     * else summed over the log's file list (a Spark job).
     */
    public long sizeInBytes(Table table) {
        return sizeOf(latest(table));
    }

    /** The size of the table's data files as of one Delta version, from its log (as {@link #sizeInBytes(Table)}). */
    public long sizeInBytes(Table table, long version) {
        return sizeOf(log(table).getSnapshotAt(version, scala.Option.empty(), scala.Option.empty()));
    }

    private static long sizeOf(org.apache.spark.sql.delta.Snapshot snapshot) {
        scala.Option<Object> known = snapshot.sizeInBytesIfKnown();
        return known.isDefined() ? (Long) known.get() : snapshot.sizeInBytes();
    }

    public DeltaTable delta(Table table) {
        return DeltaTable.forPath(spark, path(table));
    }
}
