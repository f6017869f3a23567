package com.partnermix.maintain;

import com.partnermix.common.ScalaSeqs;
import com.partnermix.common.SparkSessions;
import com.partnermix.common.Table;
import com.partnermix.common.Warehouse;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaConfigs;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import scala.Option;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;

/** OPTIMIZE, then VACUUM, of one table; what it did. */
final class TableMaintenance {

    private TableMaintenance() {}

    /** What maintenance did to one table. */
    record Result(Table table, String optimize, long liveBefore, long liveAfter, long storedBefore, long storedAfter,
                  long filesDeleted, long bytesDeleted, long retentionHours, SortedSet<Long> keptVersions,
                  List<String> notes, double seconds) {}

    static Result run(Warehouse wh, Table table, List<String> zorderBy, SortedSet<Long> published,
                      long retentionHours, Instant now) {
        long started = System.nanoTime();
        SparkSession spark = wh.spark();
        String path = wh.path(table);
        DeltaLog log = DeltaLog.forTable(spark, path);
        Snapshot before = log.update(false, Option.empty(), Option.empty());
        StoredFiles storedBefore = StoredFiles.list(spark, path);
        List<String> notes = new ArrayList<>();

        Layout.Outcome optimized;
        try {
            optimized = Layout.optimize(spark, log, before, zorderBy);
        } catch (ConcurrentModificationException e) {
            // A job committed to the table meanwhile: its files may be gone from under this OPTIMIZE. Nothing was
            // committed; the next run catches up.
            optimized = new Layout.Outcome("skipped: a concurrent write", 0, 0);
            notes.add(table + ": OPTIMIZE gave way to a concurrent write (" + e.getMessage() + ")");
        }
        Snapshot current = log.update(false, Option.empty(), Option.empty());

        SortedSet<Long> kept = new TreeSet<>();
        long hours = retentionHours(table, log, current, published, retentionHours, now, storedBefore, kept, notes);
        vacuum(spark, path, hours, Retention.ceilHours(DeltaLog.tombstoneRetentionMillis(current.metadata())), table,
                notes);

        StoredFiles storedAfter = StoredFiles.list(spark, path);
        StoredFiles deleted = storedBefore.removedBy(storedAfter);
        return new Result(table, optimized.action() + (optimized.filesRemoved() + optimized.filesAdded() == 0
                && !optimized.action().startsWith("skipped") && !optimized.action().endsWith("up to date")
                ? " (nothing to do)" : ""), before.numOfFiles(), current.numOfFiles(), storedBefore.files().size(),
                storedAfter.files().size(), deleted.files().size(), deleted.bytes(), hours, kept, notes,
                (System.nanoTime() - started) / 1e9);
    }

    /**
     * VACUUM with the retention worked out. Delta refuses a retention below the table's tombstone retention
     * ({@code delta.deletedFileRetentionDuration}, 168 h by default), its guard against deleting the files of a
     * writer that has not committed yet; a shorter {@code maintain.retention_hours} was configured on purpose, so
     * that guard is lifted for this one VACUUM (and said so in the report).
     */
    private static void vacuum(SparkSession spark, String path, long hours, long tombstoneHours, Table table,
                               List<String> notes) {
        if (hours >= tombstoneHours) {
            DeltaTable.forPath(spark, path).vacuum((double) hours);
            return;
        }
        notes.add(table + ": VACUUM retains " + hours + " h, below the table's " + tombstoneHours
                + " h (maintain.retention_hours): no writer may run beside maintain");
        try (var noRetentionCheck = SparkSessions.withSettings(spark,
                Map.of("spark.databricks.delta.retentionDurationCheck.enabled", "false"))) {
            DeltaTable.forPath(spark, path).vacuum((double) hours);
        }
    }

    /**
     * The retention for VACUUM ({@link Retention}): at least the configured {@code maintain.retention_hours}, and
     * long enough for every file of a published version of {@code dq.publications}'s kept publications. Adds the
     * versions it keeps readable to {@code kept}.
     */
    private static long retentionHours(Table table, DeltaLog log, Snapshot current, SortedSet<Long> published,
                                       long retentionHours, Instant now, StoredFiles stored, SortedSet<Long> kept,
                                       List<String> notes) {
        long tombstoneMs = DeltaLog.tombstoneRetentionMillis(current.metadata());
        long floor = retentionHours;
        long logRetentionMs = DeltaConfigs.getMilliSeconds(DeltaConfigs.LOG_RETENTION().fromMetaData(current.metadata()));
        Dataset<Row> keptFiles = null;
        for (long version : published) {
            if (version > current.version()) {
                continue;
            }
            Snapshot snapshot;
            try {
                snapshot = log.getSnapshotAt(version, Option.empty(), Option.empty());
            } catch (RuntimeException e) {
                notes.add(table + ": published version " + version + " cannot be read any more ("
                        + e.getClass().getSimpleName() + "): Delta dropped its log (delta.logRetentionDuration)");
                continue;
            }
            kept.add(version);
            if (snapshot.timestamp() < now.toEpochMilli() - logRetentionMs) {
                notes.add(table + ": published version " + version + " is older than delta.logRetentionDuration ("
                        + Retention.ceilHours(logRetentionMs) + " h): Delta may drop its log at the next checkpoint");
            }
            Dataset<Row> files = snapshot.allFiles().toDF().select(col("path"));
            keptFiles = keptFiles == null ? files : keptFiles.union(files);
        }
        if (keptFiles == null) {
            return floor;
        }
        // Files of kept versions that the current version no longer uses: only their removal can break a version.
        Dataset<Row> removedLater = keptFiles.distinct()
                .join(current.allFiles().toDF().select("path"), ScalaSeqs.of("path"), "left_anti")
                .join(current.tombstones().toDF().select(col("path"), col("deletionTimestamp")), ScalaSeqs.of("path"),
                        "left");
        // A tombstone protects its file only while it is in the table state: from its removal until the table's
        // tombstone retention has passed, minus the margin for VACUUM running a little later.
        long tombstoneUsableAfter = now.toEpochMilli() - tombstoneMs + Retention.HOUR_MS;
        List<Long> keepTimes = new ArrayList<>();
        long lost = 0;
        for (Row r : removedLater.collectAsList()) {
            StoredFiles.Stored file = stored.files().get(decode(r.getString(0)));
            if (file == null) {
                lost++;
                continue;
            }
            long keepTime = file.modified();
            if (!r.isNullAt(1) && r.getLong(1) > tombstoneUsableAfter) {
                keepTime = Math.max(keepTime, r.getLong(1));
            }
            keepTimes.add(keepTime);
        }
        if (lost > 0) {
            notes.add(table + ": " + lost + " files of the published versions " + kept + " were already deleted "
                    + "(an earlier VACUUM with a shorter retention): those versions cannot be read");
        }
        return Retention.hours(now, floor, keepTimes);
    }

    /** A Delta log path (relative, URL-encoded) as the storage listing names it. */
    private static String decode(String deltaPath) {
        try {
            return URI.create(deltaPath).getPath();
        } catch (IllegalArgumentException e) {
            return deltaPath;
        }
    }
}
