package com.partnermix.dq;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.RunStoppedException;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.ingest.IngestJob;
import com.partnermix.testing.LandingFixture;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static com.partnermix.testing.LandingFixture.click;
import static com.partnermix.testing.LandingFixture.order;
import static com.partnermix.testing.LandingFixture.pageView;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Slow
class DqJobTest extends SparkTestBase {

    private static final LocalDate D = LocalDate.parse("2026-11-20");

    private static Warehouse ingestedNight(String name, List<String> touchLines) {
        Path root = tmp.resolve(name);
        PartnermixConfig config = config(root);
        new LandingFixture(root.resolve("landing")).basics(D)
                .file("touchpoints", D, "part-0001.jsonl", touchLines)
                .file("orders", D, "part-0001.jsonl", List.of(
                        order("o-1", "2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z", "placed", "100", "a-1"),
                        order("o-2", "2026-11-20T11:00:00Z", "2026-11-20T11:00:00Z", "placed", "50", "a-2")));
        Warehouse wh = new Warehouse(spark(), config.paths().warehouse());
        IngestJob.ingest(spark(), wh, config, D);
        return wh;
    }

    private static List<String> cleanTouches() {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            lines.add(click("e-" + i, "2026-11-20T09:" + (10 + i) + ":00Z", i % 2 == 0 ? "P-CR-007" : "P-BX-001", "a-" + i));
            lines.add(pageView("pv-" + i, "2026-11-20T09:" + (10 + i) + ":05Z", "product", "a-" + i));
        }
        return lines;
    }

    private static PartnermixConfig configOf(Warehouse wh) {
        return config(Path.of(wh.root()).getParent());
    }

    @Test
    void aCleanNightPassesAndEveryOutcomeIsRecorded() {
        Warehouse wh = ingestedNight("clean", cleanTouches());
        List<CheckOutcome> outcomes = DqJob.check(wh, configOf(wh), "bronze", D);
        DqJob.gate("bronze", D, outcomes);

        Map<String, Long> byStatus = outcomes.stream().collect(Collectors.groupingBy(o -> o.status().name(), Collectors.counting()));
        assertEquals(Map.of("PASSED", (long) outcomes.size() - 2, "SKIPPED", 2L), byStatus, outcomes.toString());
        assertEquals(outcomes.size(), wh.read(Tables.DQ_CHECK_RESULTS).where("run_date = '2026-11-20' AND layer = 'bronze'").count());
        assertEquals(List.of("[bronze.touchpoints,nightly_volume,skipped,40.0]"), wh.read(Tables.DQ_CHECK_RESULTS)
                .where("check_name = 'nightly_volume' AND table_name = 'bronze.touchpoints'")
                .selectExpr("table_name", "check_name", "status", "measured_value").collectAsList().stream()
                .map(Row::toString).toList());
    }

    @Test
    void eachKindOfBrokenTableStopsTheGateNamingTableCheckAndMeasuredValue() {
        List<String> lines = new ArrayList<>(cleanTouches());
        // 9 of 49 lines broken: over the 10% quarantine share that stops a night
        for (int i = 0; i < 9; i++) {
            lines.add("{\"event_id\":\"bad-" + i + "\"");
        }
        Warehouse wh = ingestedNight("broken", lines);
        String touchpoints = wh.path(Tables.BRONZE_TOUCHPOINTS);
        // A second copy of an event (a dedup bug), and a touch of a partner the catalog does not know.
        // 42 rows then: uniqueness = 40 values seen once / 42 rows; 21 of 22 affiliate touches resolve.
        spark().read().format("delta").load(touchpoints).where("event_id = 'e-0'")
                .write().format("delta").mode(SaveMode.Append).save(touchpoints);
        spark().read().format("delta").load(touchpoints).where("event_id = 'e-1'")
                .withColumn("event_id", org.apache.spark.sql.functions.lit("e-ghost"))
                .withColumn("partner_id", org.apache.spark.sql.functions.lit("P-GHOST"))
                .write().format("delta").mode(SaveMode.Append).save(touchpoints);
        // A negative revenue (a bad upstream correction)
        wh.delta(Tables.BRONZE_ORDERS).updateExpr("order_id = 'o-2'", Map.of("revenue", "-50"));

        List<CheckOutcome> outcomes = DqJob.check(wh, configOf(wh), "bronze", D);
        RunStoppedException stop = assertThrows(RunStoppedException.class, () -> DqJob.gate("bronze", D, outcomes));
        String message = stop.getMessage();
        assertTrue(message.contains("bronze.touchpoints event_id_unique [error] failed: measured 0.952381"), message);
        assertTrue(message.contains("bronze.touchpoints affiliate_touch_resolves_to_partner [error] failed: measured 0.954545"), message);
        assertTrue(message.contains("bronze.orders revenue_non_negative [error] failed: measured 0.500000"), message);
        // 5 of the night's 6 feed rows hold (touchpoints fails; the empty experiments feed holds)
        assertTrue(message.contains("bronze.ingest_runs quarantine_share_tolerable [error] failed: measured 0.833333"), message);
        assertEquals(4, outcomes.stream().filter(CheckOutcome::blocksPipeline).count(), message);
    }

    @Test
    void rulesAboutRowsHoldOnAnEmptyTableButMinRowsDoesNot() throws Exception {
        // A quiet night: the fraud job found nothing, so gold.fraud_flags is empty. Found by the reliability
        // suite: Deequ reported every check of the empty table as failed and the gold gate stopped the night.
        Path root = tmp.resolve("empty-table");
        Path checks = Files.createDirectories(root.resolve("checks"));
        Files.copy(Path.of("data-quality", "gold.fraud_flags.yaml"), checks.resolve("gold.fraud_flags.yaml"));
        Files.writeString(checks.resolve("gold.path_summary.yaml"), String.join("\n", "table: gold.path_summary",
                "checks:", "  - name: some_paths", "    rule: min_rows", "    min: 1", "    level: error",
                "    why: an empty summary means the marts read nothing", ""));
        PartnermixConfig config = config(root, "data_quality.checks_dir=" + checks);
        Warehouse wh = new Warehouse(spark(), config.paths().warehouse());
        StructType flags = StructType.fromDDL("flag_id STRING, rule_code STRING, severity STRING, proposed_action STRING, "
                + "commission_at_risk_usd DECIMAL(18,4), order_id STRING, detail STRING, measured_value DOUBLE, "
                + "detected_date DATE, signals ARRAY<STRUCT<name: STRING, value: DOUBLE, holds: BOOLEAN, weight: DOUBLE>>, "
                + "score DOUBLE");
        spark().createDataFrame(List.<Row>of(), flags).write().format("delta").save(wh.path(Tables.GOLD_FRAUD_FLAGS));
        spark().createDataFrame(List.<Row>of(), StructType.fromDDL("path STRING")).write().format("delta")
                .save(wh.path(Tables.GOLD_PATH_SUMMARY));

        List<CheckOutcome> outcomes = DqJob.check(wh, config, "gold", D);
        Map<String, String> byCheck = outcomes.stream().collect(Collectors.toMap(o -> o.check().name(),
                o -> o.status().name()));
        Map<String, String> expected = new java.util.HashMap<>();
        for (String check : List.of("flag_id_unique", "rule_code_known", "severity_known", "action_known",
                "commission_at_risk_non_negative", "order_rules_name_an_order", "findings_have_evidence_or_detail",
                "detected_date_set", "score_non_negative", "actions_rest_on_signals")) {
            expected.put(check, "PASSED");
        }
        expected.put("some_paths", "FAILED");
        assertEquals(expected, byCheck);
    }

    @Test
    void anomalyCheckFiresOnAHalvedFeedOnlyOnceItHasHistory() throws Exception {
        Path root = tmp.resolve("anomaly");
        Path checks = Files.createDirectories(root.resolve("checks"));
        Files.writeString(checks.resolve("bronze.touchpoints.yaml"), """
                table: bronze.touchpoints
                run_slice: "delivery_date = '{date}'"
                checks:
                  - name: nightly_volume
                    rule: anomaly
                    metric: row_count
                    min_ratio: 0.6
                    max_ratio: 3.0
                    min_history: 2
                    level: error
                    why: a feed that silently halves must stop the night
                  - name: event_id_set
                    rule: complete
                    column: event_id
                    level: error
                    why: every event has an id
                """);
        PartnermixConfig config = config(root, "data_quality.checks_dir=" + checks);
        Warehouse wh = new Warehouse(spark(), config.paths().warehouse());
        // Nights of 100, 110, 95 and 105 events, then a night with half as many.
        int[] volumes = {100, 50, 110, 95, 105, 50};
        LocalDate first = LocalDate.parse("2026-11-01");
        List<Row> rows = new ArrayList<>();
        for (int night = 0; night < volumes.length; night++) {
            for (int i = 0; i < volumes[night]; i++) {
                rows.add(RowFactory.create("e-" + night + "-" + i, java.sql.Date.valueOf(first.plusDays(night))));
            }
        }
        spark().createDataFrame(rows, new StructType().add("event_id", "string").add("delivery_date", "date"))
                .write().format("delta").save(wh.path(Tables.BRONZE_TOUCHPOINTS));

        List<String> statuses = new ArrayList<>();
        for (int night = 0; night < volumes.length; night++) {
            List<CheckOutcome> outcomes = DqJob.check(wh, config, "bronze", first.plusDays(night));
            statuses.add(outcomes.get(0).status().name().toLowerCase() + "@" + outcomes.get(0).measuredValue().intValue());
        }
        // Night 2 halves but there is only one earlier night: skipped, not failed. Night 6 halves after four: failed.
        assertEquals(List.of("skipped@100", "skipped@50", "passed@110", "passed@95", "passed@105", "failed@50"), statuses);
        // The repository keeps the anomaly metric of each night, not the other checks' (dq.check_results has those).
        List<com.amazon.deequ.repository.AnalysisResult> stored = scala.collection.JavaConverters.seqAsJavaList(
                new com.amazon.deequ.repository.fs.FileSystemMetricsRepository(spark(),
                        config.dataQuality().metricsRepository()).load().get());
        assertEquals(List.of("nightly_volume x 6"), stored.stream()
                .map(r -> r.resultKey().tags().get("check").get()).distinct()
                .map(check -> check + " x " + stored.size()).toList());
    }
}
