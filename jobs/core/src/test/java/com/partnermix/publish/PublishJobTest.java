package com.partnermix.publish;

import com.partnermix.common.DeltaWrites;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.RunStoppedException;
import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.dq.DqJob;
import com.partnermix.testing.Rows;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Write, check, then publish: readers see only what a passed gold gate checked. */
@Slow
class PublishJobTest extends SparkTestBase {

    private static final LocalDate NIGHT_1 = LocalDate.parse("2026-11-20");
    private static final LocalDate NIGHT_2 = LocalDate.parse("2026-11-21");
    private static final String PATHS = "path STRING, conversions BIGINT";

    /** A warehouse whose gold gate checks two small tables (one Error rule each). */
    private static Warehouse warehouseWithChecks(String name) throws IOException {
        Path root = tmp.resolve(name);
        Path checks = Files.createDirectories(root.resolve("checks"));
        for (String table : List.of("gold.path_summary", "gold.model_comparison")) {
            Files.writeString(checks.resolve(table + ".yaml"), String.join("\n",
                    "table: " + table,
                    "checks:",
                    "  - name: conversions_non_negative",
                    "    rule: satisfies",
                    "    predicate: \"conversions >= 0\"",
                    "    level: error",
                    "    why: a path cannot convert a negative number of times", ""));
        }
        PartnermixConfig config = config(root, "data_quality.checks_dir=" + checks);
        return new Warehouse(spark(), config.paths().warehouse());
    }

    private static PartnermixConfig configOf(Warehouse wh) {
        Path root = Path.of(wh.root()).getParent();
        return config(root, "data_quality.checks_dir=" + root.resolve("checks"));
    }

    private static void write(Warehouse wh, Table table, String... jsonRows) {
        DeltaWrites.overwrite(wh, table, Rows.of(spark(), PATHS, jsonRows));
    }

    private static void gate(Warehouse wh, LocalDate date) {
        DqJob.gate("gold", date, DqJob.check(wh, configOf(wh), "gold", date));
    }

    private static List<String> published(Warehouse wh, Table table) {
        return Rows.sorted(Publications.readPublished(wh, table));
    }

    @Test
    void nothingIsPublishedBeforeTheGoldGateRanForTheNight() throws IOException {
        Warehouse wh = warehouseWithChecks("no-gate");
        write(wh, Tables.GOLD_PATH_SUMMARY, "{\"path\":\"review > coupon\",\"conversions\":3}");

        RunStoppedException stopped = assertThrows(RunStoppedException.class, () -> PublishJob.publish(wh, NIGHT_1));
        assertTrue(stopped.getMessage().contains("gold data-quality gate has not run for 2026-11-20"), stopped.getMessage());
        assertEquals(Map.of(), Publications.current(wh));
        assertFalse(wh.exists(Tables.DQ_PUBLICATIONS));
    }

    @Test
    void readersKeepThePreviousNightUntilTheNextOnePassesItsGateAndIsPublished() throws IOException {
        Warehouse wh = warehouseWithChecks("nights");
        write(wh, Tables.GOLD_PATH_SUMMARY, "{\"path\":\"review > coupon\",\"conversions\":3}");
        write(wh, Tables.GOLD_MODEL_COMPARISON, "{\"path\":\"creator\",\"conversions\":1}");
        gate(wh, NIGHT_1);
        PublishJob.Report first = PublishJob.publish(wh, NIGHT_1);

        assertEquals(List.of("dq.check_results@0:2", "gold.model_comparison@0:1", "gold.path_summary@0:1"),
                first.tables().stream().map(p -> p.table() + "@" + p.version() + ":" + p.rows()).sorted().toList());
        assertEquals(List.of("[review > coupon,3]"), published(wh, Tables.GOLD_PATH_SUMMARY));

        // Night 2 writes one table, then dies before its gate: readers still see night 1.
        write(wh, Tables.GOLD_PATH_SUMMARY, "{\"path\":\"review > coupon\",\"conversions\":5}",
                "{\"path\":\"creator > review\",\"conversions\":2}");
        assertEquals(List.of("[review > coupon,3]"), published(wh, Tables.GOLD_PATH_SUMMARY));
        RunStoppedException stopped = assertThrows(RunStoppedException.class, () -> PublishJob.publish(wh, NIGHT_2));
        assertTrue(stopped.getMessage().contains("has not run for 2026-11-21"), stopped.getMessage());
        assertEquals(List.of("[review > coupon,3]"), published(wh, Tables.GOLD_PATH_SUMMARY));

        // The rerun of night 2 passes its gate; a write after the gate (a rerun under way) is not what gets
        // published: readers get the version the gate checked.
        gate(wh, NIGHT_2);
        write(wh, Tables.GOLD_PATH_SUMMARY, "{\"path\":\"unchecked\",\"conversions\":9}");
        PublishJob.Report second = PublishJob.publish(wh, NIGHT_2);
        assertEquals(1L, Publications.current(wh).get(Tables.GOLD_PATH_SUMMARY));
        assertEquals(List.of("[creator > review,2]", "[review > coupon,5]"), published(wh, Tables.GOLD_PATH_SUMMARY));
        assertEquals(List.of("[creator,1]"), published(wh, Tables.GOLD_MODEL_COMPARISON));
        assertEquals(1, second.notes().size(), second.notes().toString());
        assertTrue(second.notes().get(0).startsWith("gold.path_summary: version 2 is newer than the checked 1"));

        // Publishing night 2 again replaces its rows: one row per table and night.
        PublishJob.publish(wh, NIGHT_2);
        Dataset<Row> log = wh.read(Tables.DQ_PUBLICATIONS);
        assertEquals(List.of("[2026-11-20,3]", "[2026-11-21,3]"),
                Rows.sorted(log.groupBy("run_date").count()));
    }

    @Test
    void aFailedGateBlocksPublicationAndNamesTheCheck() throws IOException {
        Warehouse wh = warehouseWithChecks("failed-gate");
        write(wh, Tables.GOLD_PATH_SUMMARY, "{\"path\":\"review\",\"conversions\":4}");
        write(wh, Tables.GOLD_MODEL_COMPARISON, "{\"path\":\"creator\",\"conversions\":1}");
        gate(wh, NIGHT_1);
        PublishJob.publish(wh, NIGHT_1);

        write(wh, Tables.GOLD_PATH_SUMMARY, "{\"path\":\"review\",\"conversions\":-1}");
        assertThrows(RunStoppedException.class, () -> gate(wh, NIGHT_2));
        RunStoppedException stopped = assertThrows(RunStoppedException.class, () -> PublishJob.publish(wh, NIGHT_2));
        assertTrue(stopped.getMessage().contains("gold gate of 2026-11-21 failed")
                && stopped.getMessage().contains("gold.path_summary conversions_non_negative"), stopped.getMessage());
        assertEquals(List.of("[review,4]"), published(wh, Tables.GOLD_PATH_SUMMARY));
        assertEquals(NIGHT_1, Publications.currentRows(wh).first().getDate(0).toLocalDate());
    }
}
