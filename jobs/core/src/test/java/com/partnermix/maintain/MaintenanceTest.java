package com.partnermix.maintain;

import com.partnermix.cli.Main;
import com.partnermix.common.Checksums;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.RunStoppedException;
import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.publish.Publications;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import scala.Option;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * maintain on small inline Delta tables: OPTIMIZE packs many small files into few without changing the content
 * (checksum), VACUUM deletes the old files of unpublished versions but keeps a published version readable, scratch
 * checkpoints of crashed runs go, and a rerun changes nothing.
 */
@Slow
class MaintenanceTest extends SparkTestBase {

    private static final LocalDate DATE = LocalDate.of(2026, 11, 22);
    private static final StructType JOURNEYS = new StructType().add("person_id", "string").add("journey_id", "string")
            .add("orders", "long");
    private static final StructType TOUCHPOINTS = new StructType().add("event_id", "string")
            .add("anonymous_id", "string").add("event_date", "date");
    private static final StructType DAILY = new StructType().add("date", "date").add("partner_id", "string")
            .add("gmv", "double");

    @Test
    void optimizeClustersAndCompactsWithoutChangingTheContentAndARerunChangesNothing() throws Exception {
        Path root = tmp.resolve("optimize");
        PartnermixConfig config = config(root);
        Warehouse wh = new Warehouse(spark(), config.paths().warehouse());
        // 8 nights' small writes to a journeys table (Z-ordered by person_id), 3 to each of 2 touchpoint partitions.
        for (int night = 0; night < 8; night++) {
            List<Row> rows = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                rows.add(RowFactory.create("p" + ((night * 7 + i * 3) % 11), "j" + night + "-" + i, (long) night * i));
            }
            append(wh, Tables.SILVER_JOURNEYS, rows, JOURNEYS);
        }
        for (int delivery = 0; delivery < 3; delivery++) {
            append(wh, Tables.BRONZE_TOUCHPOINTS, List.of(
                    RowFactory.create("e" + delivery + "a", "d1", Date.valueOf("2026-11-20")),
                    RowFactory.create("e" + delivery + "b", "d2", Date.valueOf("2026-11-21"))), TOUCHPOINTS, "event_date");
        }
        Checksums.Checksum journeys = Checksums.of(wh.read(Tables.SILVER_JOURNEYS));
        Checksums.Checksum touchpoints = Checksums.of(wh.read(Tables.BRONZE_TOUCHPOINTS));
        // A crashed journeys run's scratch checkpoints (3 days untouched) and a running fraud run's (fresh).
        Path crashed = root.resolve("checkpoints/identity/2026-11-18/3f1c/rdd-12/part-00000");
        Path running = root.resolve("checkpoints/fraud/2026-11-22/9a0b/rdd-3/part-00000");
        for (Path file : List.of(crashed, running)) {
            Files.createDirectories(file.getParent());
            Files.write(file, new byte[100]);
        }
        assertTrue(crashed.toFile().setLastModified(Instant.now().minus(Duration.ofHours(72)).toEpochMilli()));

        MaintenanceReport first = Maintenance.run(wh, config, DATE, Instant.now());
        System.out.println(first.format());

        TableMaintenance.Result j = first.table(Tables.SILVER_JOURNEYS);
        assertEquals("zorder(person_id)", j.optimize());
        assertEquals(8, j.liveBefore());
        assertEquals(1, j.liveAfter());
        assertEquals(List.of("[\"person_id\"]"), wh.delta(Tables.SILVER_JOURNEYS).history()
                .where(col("operation").equalTo("OPTIMIZE")).selectExpr("operationParameters['zOrderBy']")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
        TableMaintenance.Result t = first.table(Tables.BRONZE_TOUCHPOINTS);
        assertEquals("compaction", t.optimize());
        assertEquals(6, t.liveBefore());
        assertEquals(2, t.liveAfter());   // one file per event_date partition
        assertEquals(journeys, Checksums.of(wh.read(Tables.SILVER_JOURNEYS)));
        assertEquals(touchpoints, Checksums.of(wh.read(Tables.BRONZE_TOUCHPOINTS)));
        // The replaced small files are younger than the 168 h minimum: still on storage (the last version reads them).
        assertEquals(0, first.filesDeleted());
        assertEquals(168, j.retentionHours());
        assertTrue(first.missing().contains(Tables.GOLD_ATTRIBUTION_CREDIT));
        assertEquals(2, first.tables().size());
        assertEquals(List.of("identity/2026-11-18"), first.checkpoints().stream().map(ScratchCheckpoints.Removed::folder)
                .toList());
        assertFalse(Files.exists(root.resolve("checkpoints/identity/2026-11-18")));
        assertTrue(Files.exists(running));

        long journeysVersion = wh.version(Tables.SILVER_JOURNEYS);
        Set<String> storedAfterFirst = StoredFiles.list(spark(), wh.path(Tables.SILVER_JOURNEYS)).files().keySet();
        MaintenanceReport second = Maintenance.run(wh, config, DATE, Instant.now());

        assertEquals("zorder(person_id) up to date", second.table(Tables.SILVER_JOURNEYS).optimize());
        assertEquals("compaction (nothing to do)", second.table(Tables.BRONZE_TOUCHPOINTS).optimize());
        assertEquals(0, second.filesDeleted());
        assertTrue(second.checkpoints().isEmpty());
        assertEquals(storedAfterFirst, StoredFiles.list(spark(), wh.path(Tables.SILVER_JOURNEYS)).files().keySet());
        // The rerun committed only its VACUUM records, no data.
        List<String> operations = wh.delta(Tables.SILVER_JOURNEYS).history()
                .where(col("version").gt(journeysVersion)).select("operation").as(org.apache.spark.sql.Encoders.STRING())
                .collectAsList();
        assertEquals(new TreeSet<>(List.of("VACUUM START", "VACUUM END")), new TreeSet<>(operations));
        assertEquals(journeys, Checksums.of(wh.read(Tables.SILVER_JOURNEYS)));
    }

    @Test
    void vacuumKeepsAPublishedVersionReadableAndDeletesTheOldFilesOfUnpublishedOnes() throws Exception {
        Path root = tmp.resolve("vacuum");
        PartnermixConfig config = config(root, "maintain.retention_hours=1", "maintain.keep_publications=1");
        Warehouse wh = new Warehouse(spark(), config.paths().warehouse());
        Instant now = Instant.now();
        // Versions 0, 1, 2 of two gold tables, each a full rewrite. Files of version 0 were written 20 days ago,
        // those of version 1 ten days ago (minus half an hour); removed tombstones leave the table state at once
        // (retention 0), so VACUUM decides by the files' ages alone, as it does for every removal older than a week.
        for (Table table : List.of(Tables.GOLD_PARTNER_DAILY, Tables.GOLD_MODEL_COMPARISON)) {
            for (int version = 0; version < 3; version++) {
                List<Row> rows = new ArrayList<>();
                for (int i = 0; i <= version; i++) {
                    rows.add(RowFactory.create(Date.valueOf("2026-11-0" + (version + 1)), "P" + i, 10.0 * version + i));
                }
                DataFrameWriter<Row> writer = spark().createDataFrame(rows, DAILY).coalesce(1).write().format("delta")
                        .mode("overwrite");
                if (version == 0) {
                    writer = writer.option("delta.deletedFileRetentionDuration", "interval 0 hours");
                }
                writer.save(wh.path(table));
            }
            age(wh, table, 0, now.minus(Duration.ofDays(20)));
            age(wh, table, 1, now.minus(Duration.ofDays(10)).plus(Duration.ofMinutes(30)));
        }
        // Two publications: the earlier pins partner_daily at version 1; the current one both tables at version 2.
        publish(wh, Instant.parse("2026-11-21T05:00:00Z"), Map.of(Tables.GOLD_PARTNER_DAILY, 1L,
                Tables.GOLD_MODEL_COMPARISON, 2L));
        publish(wh, Instant.parse("2026-11-22T05:00:00Z"), Map.of(Tables.GOLD_PARTNER_DAILY, 2L,
                Tables.GOLD_MODEL_COMPARISON, 2L));
        Checksums.Checksum publishedBefore = Checksums.of(wh.readAt(Tables.GOLD_PARTNER_DAILY, 1));
        Set<String> versionZeroFiles = files(wh, Tables.GOLD_PARTNER_DAILY, 0);
        Set<String> versionOneFiles = files(wh, Tables.GOLD_PARTNER_DAILY, 1);

        MaintenanceReport report = Maintenance.run(wh, config, DATE, now);

        TableMaintenance.Result daily = report.table(Tables.GOLD_PARTNER_DAILY);
        // The oldest file to keep is version 1's, 239.5 hours old: 240 whole hours + 1 hour of margin.
        assertEquals(241, daily.retentionHours());
        assertEquals(new TreeSet<>(List.of(1L, 2L)), daily.keptVersions());
        assertEquals(1, daily.filesDeleted());   // version 0's file, 20 days old
        Path table = Path.of(wh.path(Tables.GOLD_PARTNER_DAILY));
        versionZeroFiles.forEach(f -> assertFalse(Files.exists(table.resolve(f)), f));
        versionOneFiles.forEach(f -> assertTrue(Files.exists(table.resolve(f)), f));
        assertEquals(publishedBefore, Checksums.of(wh.readAt(Tables.GOLD_PARTNER_DAILY, 1)));   // time travel still works
        assertThrows(Exception.class, () -> wh.readAt(Tables.GOLD_PARTNER_DAILY, 0).collectAsList());

        // Unpublished version 1 of model_comparison: only the 1 h retention protects it, and its file is 10 days old.
        TableMaintenance.Result comparison = report.table(Tables.GOLD_MODEL_COMPARISON);
        assertEquals(1, comparison.retentionHours());
        assertEquals(new TreeSet<>(List.of(2L)), comparison.keptVersions());
        assertEquals(2, comparison.filesDeleted());
        assertThrows(Exception.class, () -> wh.readAt(Tables.GOLD_MODEL_COMPARISON, 1).collectAsList());
        assertEquals(3, wh.read(Tables.GOLD_MODEL_COMPARISON).count());

        MaintenanceReport rerun = Maintenance.run(wh, config, DATE, now.plusSeconds(60));
        assertEquals(0, rerun.filesDeleted());
        assertEquals(publishedBefore, Checksums.of(wh.readAt(Tables.GOLD_PARTNER_DAILY, 1)));
    }

    @Test
    void aZOrderByAPartitionColumnStopsTheRunBeforeAnyTableIsTouched() {
        Path root = tmp.resolve("invalid");
        PartnermixConfig config = config(root);
        Warehouse wh = new Warehouse(spark(), config.paths().warehouse());
        for (int delivery = 0; delivery < 2; delivery++) {
            append(wh, Tables.BRONZE_TOUCHPOINTS, List.of(RowFactory.create("e" + delivery, "d1",
                    Date.valueOf("2026-11-20"))), TOUCHPOINTS, "event_date");
        }
        long version = wh.version(Tables.BRONZE_TOUCHPOINTS);

        RunStoppedException stopped = assertThrows(RunStoppedException.class,
                () -> Maintenance.run(wh, config, Map.of(Tables.BRONZE_TOUCHPOINTS, List.of("event_date")), DATE,
                        Instant.now()));

        assertTrue(stopped.getMessage().contains("'event_date' is a partition column of bronze.touchpoints"),
                stopped.getMessage());
        assertEquals(version, wh.version(Tables.BRONZE_TOUCHPOINTS));
    }

    @Test
    void aShortRetentionIsHonouredOnATableWithDeltasDefaultSafetyRetentionAndKeepsThePublishedVersion() {
        Path root = tmp.resolve("short");
        PartnermixConfig config = config(root, "maintain.retention_hours=1", "maintain.keep_publications=0");
        Warehouse wh = new Warehouse(spark(), config.paths().warehouse());
        // Version 0 published, versions 1 and 2 written after it: default table properties (tombstones kept 168 h).
        for (int version = 0; version < 3; version++) {
            spark().createDataFrame(List.of(RowFactory.create(Date.valueOf("2026-11-2" + version), "P1", 1.0 + version)),
                    DAILY).coalesce(1).write().format("delta").mode("overwrite").save(wh.path(Tables.GOLD_PARTNER_DAILY));
        }
        publish(wh, Instant.parse("2026-11-22T05:00:00Z"), Map.of(Tables.GOLD_PARTNER_DAILY, 0L));
        Checksums.Checksum published = Checksums.of(wh.readAt(Tables.GOLD_PARTNER_DAILY, 0));
        Checksums.Checksum latest = Checksums.of(wh.read(Tables.GOLD_PARTNER_DAILY));

        MaintenanceReport report = Maintenance.run(wh, config, DATE, Instant.now());

        TableMaintenance.Result daily = report.table(Tables.GOLD_PARTNER_DAILY);
        // Version 0's file was removed seconds ago: its tombstone dates it, 1 whole hour + 1 hour of margin.
        assertEquals(2, daily.retentionHours());
        assertEquals(new TreeSet<>(List.of(0L)), daily.keptVersions());
        assertEquals(0, daily.filesDeleted());
        assertTrue(daily.notes().stream().anyMatch(n -> n.contains("VACUUM retains 2 h, below the table's 168 h")),
                daily.notes().toString());
        assertEquals(published, Checksums.of(wh.readAt(Tables.GOLD_PARTNER_DAILY, 0)));
        assertEquals(latest, Checksums.of(wh.read(Tables.GOLD_PARTNER_DAILY)));
        // Delta's guard is back on for every other VACUUM of the session.
        assertEquals("true", spark().conf().get("spark.databricks.delta.retentionDurationCheck.enabled", "true"));
    }

    @Test
    void theSettingsAreValidatedWhenTheConfigurationLoads() {
        assertEquals(new PartnermixConfig.Maintain(168, 7, 48), config(tmp.resolve("settings")).maintain());
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> config(tmp.resolve("settings"), "maintain.retention_hours=0"));
        assertTrue(zero.getMessage().contains("maintain.retention_hours must be at least 1"), zero.getMessage());
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class,
                () -> config(tmp.resolve("settings"), "maintain.keep_publications=-1"));
        assertTrue(negative.getMessage().contains("maintain.keep_publications must be 0 or more"),
                negative.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> config(tmp.resolve("settings"), "maintain.retention_days=7"));
        assertTrue(unknown.getMessage().contains("retention_days"), unknown.getMessage());
    }

    @Test
    void theSubcommandIsRegisteredAndAnswersHelpWithoutRunning() {
        assertTrue(Main.jobs().get("maintain") instanceof MaintainJob);
        assertEquals(0, Main.execute(new String[] {"maintain", "--help"}));
    }

    private static void append(Warehouse wh, Table table, List<Row> rows, StructType schema, String... partitionBy) {
        spark().createDataFrame(rows, schema).coalesce(1).write().format("delta").mode("append")
                .partitionBy(partitionBy).save(wh.path(table));
    }

    /** The data files (relative paths) of one version. */
    private static Set<String> files(Warehouse wh, Table table, long version) {
        return new TreeSet<>(DeltaLog.forTable(spark(), wh.path(table))
                .getSnapshotAt(version, Option.empty(), Option.empty()).allFiles().toDF().select("path")
                .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    }

    /** Sets the storage time of the files a version added (written that long ago). */
    private static void age(Warehouse wh, Table table, long version, Instant written) {
        Set<String> earlier = version == 0 ? Set.of() : files(wh, table, version - 1);
        for (String f : files(wh, table, version)) {
            if (!earlier.contains(f)) {
                File file = Path.of(wh.path(table)).resolve(f).toFile();
                assertTrue(file.setLastModified(written.toEpochMilli()), file.toString());
            }
        }
    }

    private static void publish(Warehouse wh, Instant at, Map<Table, Long> versions) {
        List<Row> rows = new ArrayList<>();
        versions.forEach((table, version) -> rows.add(RowFactory.create(Date.valueOf(DATE), Timestamp.from(at),
                table.qualifiedName(), version, 0L)));
        Dataset<Row> df = spark().createDataFrame(rows, Publications.SCHEMA);
        df.write().format("delta").mode("append").save(wh.path(Tables.DQ_PUBLICATIONS));
    }
}
