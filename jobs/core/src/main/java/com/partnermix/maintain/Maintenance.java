package com.partnermix.maintain;

import com.partnermix.common.JobDescriptions;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.RunStoppedException;
import com.partnermix.common.SparkSessions;
import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.Snapshot;
import scala.Option;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The maintenance run: every table of the warehouse (a table not written yet is skipped), then the scratch
 * checkpoints. Idempotent: a second run finds nothing to rewrite and nothing old enough to delete that the first
 * did not already delete.
 */
public final class Maintenance {

    private Maintenance() {}

    /**
     * Settings of the run: VACUUM records itself in the table history and deletes files in parallel; it lists a table
     * folder in as many tasks as Spark's partition discovery parallelism (10,000 by default, minutes of empty tasks
     * per table on a small cluster), so that is the cluster's parallelism here.
     */
    private static Map<String, String> settings(org.apache.spark.sql.SparkSession spark) {
        return Map.of("spark.databricks.delta.vacuum.logging.enabled", "true",
                "spark.databricks.delta.vacuum.parallelDelete.enabled", "true",
                "spark.sql.sources.parallelPartitionDiscovery.parallelism",
                Integer.toString(Math.max(1, spark.sparkContext().defaultParallelism())));
    }

    /** Maintains every table with the Z-orders of {@link Tables#ZORDER_BY}. */
    public static MaintenanceReport run(Warehouse wh, PartnermixConfig config, LocalDate date, Instant now) {
        return run(wh, config, Tables.ZORDER_BY, date, now);
    }

    static MaintenanceReport run(Warehouse wh, PartnermixConfig config, Map<Table, List<String>> zorderBy,
                                 LocalDate date, Instant now) {
        PartnermixConfig.Maintain m = config.maintain();
        checkZOrders(wh, zorderBy);
        Map<Table, SortedSet<Long>> published = PublishedVersions.toKeep(wh, m.keepPublications());
        List<TableMaintenance.Result> results = new ArrayList<>();
        List<Table> missing = new ArrayList<>();
        try (var maintenanceSettings = SparkSessions.withSettings(wh.spark(), settings(wh.spark()))) {
            for (Table table : Tables.all()) {
                if (!wh.exists(table)) {
                    missing.add(table);
                    continue;
                }
                try (JobDescriptions.Scope named = JobDescriptions.step(wh.spark(), table.qualifiedName())) {
                    results.add(TableMaintenance.run(wh, table, zorderBy.getOrDefault(table, List.of()),
                            published.getOrDefault(table, new TreeSet<>()), m.retentionHours(), now));
                }
            }
        }
        List<ScratchCheckpoints.Removed> checkpoints = ScratchCheckpoints.clean(
                wh.spark().sparkContext().hadoopConfiguration(), config.paths().checkpoints(), now,
                m.checkpointMaxAgeHours());
        return new MaintenanceReport(date, results, missing, checkpoints);
    }

    /** A configured Z-order that cannot work stops the run before any table is touched. */
    private static void checkZOrders(Warehouse wh, Map<Table, List<String>> zorderBy) {
        List<String> problems = new ArrayList<>();
        zorderBy.forEach((table, columns) -> {
            if (wh.exists(table)) {
                Snapshot snapshot = DeltaLog.forTable(wh.spark(), wh.path(table))
                        .update(false, Option.empty(), Option.empty());
                String problem = Layout.invalidZOrder(table, snapshot, columns);
                if (problem != null) {
                    problems.add(problem);
                }
            }
        });
        if (!problems.isEmpty()) {
            throw new RunStoppedException("maintain stopped before touching any table: " + String.join("; ", problems));
        }
    }
}
