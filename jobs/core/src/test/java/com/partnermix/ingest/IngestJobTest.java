package com.partnermix.ingest;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.RunStoppedException;
import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.job.Args;
import com.partnermix.job.JobContext;
import com.partnermix.testing.LandingFixture;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static com.partnermix.testing.LandingFixture.click;
import static com.partnermix.testing.LandingFixture.order;
import static com.partnermix.testing.LandingFixture.pageView;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Slow
class IngestJobTest extends SparkTestBase {

    private static final LocalDate D1 = LocalDate.parse("2026-11-19");
    private static final LocalDate D2 = LocalDate.parse("2026-11-20");
    /** Every feed ranks only its repeated or stored keys' rows (large runs do; the fixtures are small). */
    private static final String KEYS_ONLY = "ingest.rank_keys_only_from_rows=0";

    /** One test's own landing zone and warehouse. */
    private record Env(LandingFixture landing, PartnermixConfig config, Warehouse wh) {
        IngestReport ingest(LocalDate date) {
            return IngestJob.ingest(spark(), wh, config, date);
        }

        List<String> rows(Table table, String... columns) {
            return wh.read(table).selectExpr(columns).collectAsList().stream()
                    .map(Row::toString).sorted().toList();
        }
    }

    private static Env env(String name, String... overrides) {
        Path root = tmp.resolve(name);
        PartnermixConfig config = config(root, overrides);
        return new Env(new LandingFixture(root.resolve("landing")), config,
                new Warehouse(spark(), config.paths().warehouse()));
    }

    @Test
    void everyLandingLineIsAcceptedQuarantinedOrDroppedAsDuplicate() {
        Env env = env("balance");
        env.landing.basics(D2)
                .file("touchpoints", D2, "part-0001.jsonl", List.of(
                        click("e-1", "2026-11-19T21:15:03.000+08:00", "P-CR-007", "a-1"),
                        pageView("e-2", "2026-11-19T21:16:10.000+08:00", "cart", "a-1"),
                        "{\"event_id\":\"e-3\",\"event_ts\":\"2026-11-19T21:17:00Z\",\"event_type\":\"impression\","
                                + "\"channel\":\"display\",\"anonymous_id\":\"a-2\",\"extra\":true}",
                        "{\"event_id\":\"e-4\",\"event_ts\":\"2026-11-19T21:1",
                        "{\"event_id\":\"e-5\",\"event_type\":\"click\",\"channel\":\"email\",\"anonymous_id\":\"a\"}",
                        click("e-6", "19.11.2026 21:15", "P-CR-007", "a-1"),
                        click("e-7", "2026-11-19T21:15:03Z", "P-CR-007", "a-1").replace("\"click\"", "\"swipe\""),
                        click("e-8", "2026-11-19T21:15:03Z", "P-CR-007", "a-1").replace("\"partner_id\":\"P-CR-007\",", ""),
                        click("e-9", "2026-11-19T21:15:03Z", "P-XX-404", "a-1")))
                .file("touchpoints", D2, "part-0002.jsonl.gz", List.of(
                        click("e-1", "2026-11-19T21:15:03.000+08:00", "P-CR-007", "a-1")))
                .file("orders", D2, "part-0001.jsonl", List.of(
                        order("o-1", "2026-11-19T21:17:26.000+08:00", "2026-11-19T21:17:26.000+08:00", "placed", "89.90", "a-1"),
                        order("o-2", "2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z", "placed", "\"120.00\"", "a-2"),
                        order("o-3", "2026-11-20T10:00:00Z", "2026-11-20T10:00:00Z", "placed", "-1", "a-3"),
                        // the same version of o-1 again, written with another offset
                        order("o-1", "2026-11-19T13:17:26.000Z", "2026-11-19T13:17:26.000Z", "placed", "89.90", "a-1")))
                // the optional lift-test feed: one test, one whose period ends before it starts
                .file("experiments", D2, "lift-tests.csv", List.of(String.join(",", Contract.EXPERIMENT_COLUMNS),
                        "lift-1,cashback,2026-10-01,2026-10-28,5000,310,5000,290,1200,0",
                        "lift-2,coupon,2026-10-28,2026-10-01,5000,310,5000,290,1200,0"));

        IngestReport report = env.ingest(D2);

        assertEquals(new IngestReport.FeedCounts("touchpoints", 2, 10, 3, 6, 1), report.feed("touchpoints"));
        assertEquals(new IngestReport.FeedCounts("orders", 1, 4, 2, 1, 1), report.feed("orders"));
        assertEquals(new IngestReport.FeedCounts("partners", 1, 2, 2, 0, 0), report.feed("partners"));
        assertEquals(new IngestReport.FeedCounts("fx_rates", 1, 2, 2, 0, 0), report.feed("fx_rates"));
        assertEquals(new IngestReport.FeedCounts("spend", 1, 1, 1, 0, 0), report.feed("spend"));
        assertEquals(new IngestReport.FeedCounts("experiments", 1, 2, 1, 1, 0), report.feed("experiments"));
        assertEquals(Map.of("malformed_json", 1L, "missing_field:event_ts", 1L, "bad_timestamp:event_ts", 1L,
                "unknown_enum:event_type", 1L, "affiliate_without_partner", 1L, "unknown_partner", 1L,
                "negative_revenue", 1L, "bad_value:end_date", 1L), report.quarantineReasons());
        assertEquals(List.of("[lift-1,cashback,310,290,2026-11-20]"), env.rows(Tables.BRONZE_EXPERIMENTS,
                "experiment_id", "group", "test_conversions", "control_conversions", "delivery_date"));
        assertEquals(List.of("[e-1]", "[e-2]", "[e-3]"), env.rows(Tables.BRONZE_TOUCHPOINTS, "event_id"));
        assertEquals(List.of("[touchpoints/dt=2026-11-20/part-0001.jsonl,unknown_partner]"),
                env.rows(Tables.BRONZE_QUARANTINE, "source_file", "reason").stream()
                        .filter(r -> r.contains("unknown_partner")).toList());
        // The run's counts are kept for BI and the data-quality checks.
        assertEquals(List.of("[touchpoints,10,3,6,1]"), env.wh.read(Tables.BRONZE_INGEST_RUNS)
                .where("feed = 'touchpoints'").selectExpr("feed", "landing_lines", "accepted", "quarantined", "duplicates")
                .collectAsList().stream().map(Row::toString).toList());
    }

    @Test
    void duplicateDeliveriesAcrossDaysAreStoredOnceWhateverTheIngestOrder() {
        Env inOrder = env("dedup-in-order");
        Env reversed = env("dedup-reversed", KEYS_ONLY);
        for (Env env : List.of(inOrder, reversed)) {
            env.landing.basics(D1).basics(D2)
                    .file("touchpoints", D1, "part-0001.jsonl", List.of(
                            click("e-1", "2026-11-18T10:00:00Z", "P-CR-007", "a-1"),
                            click("e-2", "2026-11-19T10:00:00Z", "P-BX-001", "a-1")))
                    .file("touchpoints", D2, "part-0001.jsonl", List.of(
                            click("e-2", "2026-11-19T10:00:00Z", "P-BX-001", "a-1"),
                            click("e-3", "2026-11-20T10:00:00Z", "P-CR-007", "a-2")))
                    .file("orders", D1, "part-0001.jsonl", List.of())
                    .file("orders", D2, "part-0001.jsonl", List.of());
        }
        inOrder.ingest(D1);
        IngestReport second = inOrder.ingest(D2);
        reversed.ingest(D2);
        reversed.ingest(D1);

        assertEquals(new IngestReport.FeedCounts("touchpoints", 1, 2, 1, 0, 1), second.feed("touchpoints"));
        List<String> expected = List.of("[e-1,2026-11-19]", "[e-2,2026-11-19]", "[e-3,2026-11-20]");
        assertEquals(expected, inOrder.rows(Tables.BRONZE_TOUCHPOINTS, "event_id", "delivery_date"));
        assertEquals(expected, reversed.rows(Tables.BRONZE_TOUCHPOINTS, "event_id", "delivery_date"));
    }

    @Test
    void aRangeOfDeliveryDaysInOnePassGivesTheTablesAndCountsOfDailyRuns() throws Exception {
        Env ranged = env("range", KEYS_ONLY);
        Env rangedCli = env("range-cli");
        Env daily = env("range-daily");
        LocalDate d3 = D2.plusDays(1);
        String tomorrowOfD1 = "2026-11-21T12:00:00Z";   // after D1's delivery day + 24 h, within D3's
        for (Env env : List.of(ranged, rangedCli, daily)) {
            env.landing.basics(D1).basics(D2).basics(d3)
                    // P-NEW-1 joins the catalog on D2
                    .file("partners", D2, "partners.csv", List.of(LandingFixture.PARTNERS_HEADER,
                            "P-CR-007,Maya Moves,creator,APAC,hybrid,0.10,,,500,USD,false,,MAYA20,active,2025-03-01",
                            "P-NEW-1,New Reviews,review,APAC,cps,0.05,,,,USD,false,,,active,2026-11-20"))
                    .file("touchpoints", D1, "part-0001.jsonl", List.of(
                            click("e-1", "2026-11-18T10:00:00Z", "P-CR-007", "a-1"),
                            click("e-1", "2026-11-18T10:00:00Z", "P-CR-007", "a-1"),
                            click("e-2", "2026-11-19T10:00:00Z", "P-NEW-1", "a-2"),
                            click("e-4", tomorrowOfD1, "P-CR-007", "a-3")))
                    .file("touchpoints", D2, "part-0001.jsonl", List.of(
                            click("e-1", "2026-11-18T10:00:00Z", "P-CR-007", "a-1"),
                            click("e-2", "2026-11-19T10:00:00Z", "P-NEW-1", "a-2"),
                            click("e-3", "2026-11-20T10:00:00Z", "P-CR-007", "a-4")))
                    .file("touchpoints", d3, "part-0001.jsonl", List.of(
                            click("e-4", tomorrowOfD1, "P-CR-007", "a-3"),
                            click("e-3", "2026-11-20T10:00:00Z", "P-CR-007", "a-4"),
                            click("e-5", "2026-11-21T10:00:00Z", "P-BX-001", "a-5")))
                    .file("orders", D1, "part-0001.jsonl", List.of(
                            order("o-1", "2026-11-19T10:00:00Z", "2026-11-19T10:00:00Z", "placed", "100", "a-1")))
                    .file("orders", D2, "part-0001.jsonl", List.of(
                            order("o-1", "2026-11-19T10:00:00Z", "2026-11-19T10:00:00Z", "placed", "100", "a-1"),
                            order("o-1", "2026-11-19T10:00:00Z", "2026-11-20T09:00:00Z", "cancelled", "100", "a-1")))
                    .file("orders", d3, "part-0001.jsonl", List.of());
            env.ingest(d3);   // the last day arrived first: the earlier deliveries must replace its copies
        }
        List<IngestReport> dailyReports = List.of(daily.ingest(D1), daily.ingest(D2), daily.ingest(d3));
        List<IngestReport> rangeReports = IngestJob.ingestDays(spark(), ranged.wh, ranged.config, List.of(d3, D1, D2));
        IngestJob job = new IngestJob();
        Args args = Args.parse(List.of(job), "ingest", "--from", D1.toString(), "--to", d3.toString(),
                "--days-per-pass", "2");
        assertEquals(0, job.run(new JobContext(args, rangedCli.config, spark())));

        // Worked by hand: e-1 first on D1 (its D1 copy and D2 copy are duplicates); e-2 names P-NEW-1, unknown on D1,
        // known on D2; e-4 is in the future for D1 but not for D3; e-3 comes first on D2, replacing D3's copy.
        assertEquals(List.of(D1, D2, d3), rangeReports.stream().map(IngestReport::date).toList());
        assertEquals(new IngestReport.FeedCounts("touchpoints", 1, 4, 1, 2, 1), rangeReports.get(0).feed("touchpoints"));
        assertEquals(Map.of("unknown_partner", 1L, "event_after_delivery", 1L), rangeReports.get(0).quarantineReasons());
        assertEquals(new IngestReport.FeedCounts("touchpoints", 1, 3, 2, 0, 1), rangeReports.get(1).feed("touchpoints"));
        assertEquals(new IngestReport.FeedCounts("touchpoints", 1, 3, 2, 0, 1), rangeReports.get(2).feed("touchpoints"));
        assertEquals(new IngestReport.FeedCounts("orders", 1, 2, 1, 0, 1), rangeReports.get(1).feed("orders"));
        assertEquals(new IngestReport.FeedCounts("partners", 1, 2, 2, 0, 0), rangeReports.get(1).feed("partners"));
        assertEquals(List.of("[e-1,2026-11-19,ingest:2026-11-19]", "[e-2,2026-11-20,ingest:2026-11-20]",
                        "[e-3,2026-11-20,ingest:2026-11-20]", "[e-4,2026-11-21,ingest:2026-11-21]",
                        "[e-5,2026-11-21,ingest:2026-11-21]"),
                ranged.rows(Tables.BRONZE_TOUCHPOINTS, "event_id", "delivery_date", "ingest_run_id"));
        for (int i = 0; i < 3; i++) {
            assertEquals(dailyReports.get(i).feeds(), rangeReports.get(i).feeds());
            assertEquals(dailyReports.get(i).quarantineReasons(), rangeReports.get(i).quarantineReasons());
        }
        assertEquals(snapshot(daily.wh), snapshot(ranged.wh));
        assertEquals(snapshot(daily.wh), snapshot(rangedCli.wh));
    }

    @Test
    void aRangeNeedsBothEndsInOrderAndNoDate() {
        IngestJob.Options range = new IngestJob.Options();
        range.from = D1;
        range.to = D2;
        assertEquals(List.of(D1, D2), IngestJob.deliveryDays(null, range));
        assertEquals(List.of(D2), IngestJob.deliveryDays(D2, new IngestJob.Options()));
        assertEquals("give either --date or --from/--to, not both", assertThrows(Args.UsageException.class,
                () -> IngestJob.deliveryDays(D1, range)).getMessage());
        range.to = D1.minusDays(1);
        assertEquals("--from and --to go together, --from on or before --to (got 2026-11-19 .. 2026-11-18)",
                assertThrows(Args.UsageException.class, () -> IngestJob.deliveryDays(null, range)).getMessage());
        range.to = null;
        assertThrows(Args.UsageException.class, () -> IngestJob.deliveryDays(null, range));
        assertTrue(assertThrows(Args.UsageException.class, () -> IngestJob.deliveryDays(null, new IngestJob.Options()))
                .getMessage().startsWith("ingest needs --date YYYY-MM-DD or --from/--to"));
        LocalDate d3 = D2.plusDays(1);
        assertEquals(List.of(List.of(D1, D2), List.of(d3)), IngestJob.passes(List.of(D1, D2, d3), 2));
        assertEquals(List.of(List.of(D1, D2, d3)), IngestJob.passes(List.of(D1, D2, d3), IngestJob.DAYS_PER_PASS));
        assertEquals("--days-per-pass must be at least 1 (got 0)", assertThrows(Args.UsageException.class,
                () -> IngestJob.passes(List.of(D1), 0)).getMessage());
    }

    @Test
    void rerunningADateGivesIdenticalTablesAndCounts() {
        Env env = env("rerun", KEYS_ONLY);
        env.landing.basics(D1)
                .file("touchpoints", D1, "part-0001.jsonl", List.of(
                        click("e-1", "2026-11-18T10:00:00Z", "P-CR-007", "a-1"),
                        click("e-1", "2026-11-18T10:00:00Z", "P-CR-007", "a-1"),
                        "{broken"))
                .file("orders", D1, "part-0001.jsonl", List.of(
                        order("o-1", "2026-11-19T10:00:00Z", "2026-11-19T10:00:00Z", "placed", "10", "a-1")));
        IngestReport first = env.ingest(D1);
        Map<String, List<String>> before = snapshot(env.wh);
        IngestReport again = env.ingest(D1);

        assertEquals(first.feeds(), again.feeds());
        assertEquals(before, snapshot(env.wh));
    }

    @Test
    void orderVersionsKeepTheirHistory() {
        Env env = env("versions");
        env.landing.basics(D1).basics(D2)
                .file("touchpoints", D1, "part-0001.jsonl", List.of())
                .file("touchpoints", D2, "part-0001.jsonl", List.of())
                .file("orders", D1, "part-0001.jsonl", List.of(
                        order("o-1", "2026-11-19T10:00:00Z", "2026-11-19T10:00:00Z", "placed", "100", "a-1")))
                .file("orders", D2, "part-0001.jsonl", List.of(
                        order("o-1", "2026-11-19T10:00:00Z", "2026-11-20T08:00:00Z", "returned", "40", "a-1")));
        env.ingest(D1);
        env.ingest(D2);
        assertEquals(List.of("[o-1,placed,100.0000,2026-11-19]", "[o-1,returned,40.0000,2026-11-20]"),
                env.rows(Tables.BRONZE_ORDERS, "order_id", "status", "revenue", "delivery_date"));
    }

    @Test
    void noRawIpOrUserAgentIsStoredAnywhere() {
        Env env = env("pii");
        env.landing.basics(D1)
                .file("touchpoints", D1, "part-0001.jsonl", List.of(
                        click("e-1", "2026-11-18T10:00:00Z", "P-CR-007", "a-1"),
                        click("e-2", "2026-11-18T10:00:00Z", "P-CR-007", "a-1").substring(0, 190)))
                .file("orders", D1, "part-0001.jsonl", List.of());
        env.ingest(D1);

        for (Table table : Tables.BRONZE) {
            Dataset<Row> rows = env.wh.read(table);
            for (StructField field : rows.schema().fields()) {
                if (field.dataType().equals(DataTypes.StringType)) {
                    long leaks = rows.where(rows.col(field.name()).contains("203.0.113.7")
                            .or(rows.col(field.name()).contains("Mozilla"))).count();
                    assertEquals(0, leaks, table + "." + field.name() + " holds raw personal data");
                }
            }
        }
        // HMAC-SHA256 keyed with privacy.salt; the network (203.0.113.0/24) is kept as its keyed hash too
        Pii pii = new Pii("test-salt", 24, 48);
        assertEquals(List.of("[" + pii.hash("203.0.113.7") + "," + pii.hash("203.0.113.0/24") + ",true]"),
                env.rows(Tables.BRONZE_TOUCHPOINTS, "ip_hash", "ip_prefix", "length(user_agent_hash) = 64"));
        assertEquals(1, env.wh.read(Tables.BRONZE_QUARANTINE).count());
    }

    @Test
    void aMissingRequiredFeedStopsTheRunBeforeAnythingIsWritten() {
        Env env = env("missing-feed");
        env.landing.basics(D1).file("touchpoints", D1, "part-0001.jsonl", List.of(
                click("e-1", "2026-11-18T10:00:00Z", "P-CR-007", "a-1")));
        RunStoppedException e = assertThrows(RunStoppedException.class, () -> env.ingest(D1));
        assertTrue(e.getMessage().contains("orders") && e.getMessage().contains("2026-11-19"), e.getMessage());
        assertFalse(env.wh.exists(Tables.BRONZE_TOUCHPOINTS));
        // The run caches its parsed lines uncompressed; the session's caches compress again after it, stopped or not.
        assertEquals("true", env.wh.spark().conf().get(IngestJob.CACHE_COMPRESSED, "true"));
    }

    @Test
    void aCsvFileMissingAColumnStopsTheRunNamingTheFile() {
        Env env = env("missing-column");
        env.landing.basics(D1)
                .file("fx_rates", D1, "fx_rates.csv", List.of("date,usd_per_unit", D1 + ",1"))
                .file("touchpoints", D1, "part-0001.jsonl", List.of())
                .file("orders", D1, "part-0001.jsonl", List.of());
        RunStoppedException e = assertThrows(RunStoppedException.class, () -> env.ingest(D1));
        assertTrue(e.getMessage().contains("fx_rates/dt=2026-11-19/fx_rates.csv") && e.getMessage().contains("currency"),
                e.getMessage());
    }

    @Test
    void partnerSnapshotsBecomeASlowlyChangingDimension() {
        Env env = env("scd");
        LocalDate d3 = D2.plusDays(1);
        for (LocalDate d : List.of(D1, D2, d3)) {
            env.landing.basics(d)
                    .file("touchpoints", d, "part-0001.jsonl", List.of())
                    .file("orders", d, "part-0001.jsonl", List.of());
        }
        // The creator's rate rises on D2; the extension leaves the catalog on D3.
        env.landing.file("partners", D2, "partners.csv", List.of(LandingFixture.PARTNERS_HEADER,
                "P-CR-007,Maya Moves,creator,APAC,hybrid,0.12,,,500,USD,false,,MAYA20,active,2025-03-01",
                "P-BX-001,CartSaver Extension,browser_extension,GLOBAL,cps,0.03,,,,USD,true,,,active,2023-11-02"));
        env.landing.file("partners", d3, "partners.csv", List.of(LandingFixture.PARTNERS_HEADER,
                "P-CR-007,Maya Moves,creator,APAC,hybrid,0.12,,,500,USD,false,,MAYA20,active,2025-03-01"));
        env.ingest(D1);
        env.ingest(D2);
        env.ingest(d3);

        assertEquals(List.of(
                        "[P-BX-001,1,0.03000000,2023-11-02,2026-11-21,false]",
                        "[P-CR-007,1,0.10000000,2025-03-01,2026-11-20,false]",
                        "[P-CR-007,2,0.12000000,2026-11-20,null,true]"),
                env.rows(Tables.SILVER_DIM_PARTNER, "partner_id", "version", "cps_rate", "valid_from", "valid_to", "is_current"));
    }

    @Test
    void gzippedFilesAndByteOrderMarksAreRead() {
        Env env = env("gzip-bom");
        env.landing.basics(D1)
                .write("touchpoints", D1, "part-0001.jsonl.gz",
                        "\uFEFF" + click("e-1", "2026-11-18T10:00:00Z", "P-CR-007", "a-1") + "\n")
                .write("fx_rates", D1, "fx_rates.csv", "\uFEFFdate,currency,usd_per_unit\n" + D1 + ",USD,1\n")
                .file("orders", D1, "part-0001.jsonl", List.of());
        IngestReport report = env.ingest(D1);
        assertEquals(1, report.feed("touchpoints").accepted());
        assertEquals(1, report.feed("fx_rates").accepted());
        assertNull(report.quarantineReasons().get("malformed_json"));
    }

    @Test
    void emptyFilesABomOnAPlainFileAndAShortCsvRowAreAccountedFor() throws Exception {
        Env env = env("odd-files");
        env.landing.basics(D1)
                .write("touchpoints", D1, "part-0001.jsonl", "")
                .write("touchpoints", D1, "part-0002.jsonl.gz", "")
                .write("touchpoints", D1, "part-0003.jsonl",
                        // a line of spaces is blank; a tab is content (as Spark's trim sees it), so it is quarantined
                        "\uFEFF" + click("e-1", "2026-11-18T10:00:00Z", "P-CR-007", "a-1") + "\n\n   \n\t\n")
                .write("orders", D1, "part-0001.jsonl", "\n")
                .write("orders", D1, "part-0002.jsonl", "")
                // the second row lacks its clicks column
                .file("spend", D1, "spend.csv", List.of("date,channel,region,currency,spend,impressions,clicks",
                        D1 + ",paid_search,NA,USD,1840.50,220000,6100", D1 + ",display,NA,USD,120.00,50000"));
        // a 0-byte .gz file is an empty delivery too, not a broken gzip
        java.nio.file.Files.write(env.landing.root().resolve("orders/dt=" + D1 + "/part-0003.jsonl.gz"), new byte[0]);
        IngestReport report = env.ingest(D1);

        assertEquals(new IngestReport.FeedCounts("touchpoints", 3, 2, 1, 1, 0), report.feed("touchpoints"));
        assertEquals(new IngestReport.FeedCounts("orders", 3, 0, 0, 0, 0), report.feed("orders"));
        assertEquals(new IngestReport.FeedCounts("spend", 1, 2, 1, 1, 0), report.feed("spend"));
        assertEquals(Map.of("wrong_column_count", 1L, "malformed_json", 1L), report.quarantineReasons());
        assertEquals(List.of("[spend/dt=2026-11-19/spend.csv,wrong_column_count]",
                        "[touchpoints/dt=2026-11-19/part-0003.jsonl,malformed_json]"),
                env.rows(Tables.BRONZE_QUARANTINE, "source_file", "reason"));
    }

    @Test
    void aTruncatedGzipFileStopsTheRunNamingTheFileBeforeAnythingIsWritten() throws Exception {
        Env env = env("truncated-gzip");
        env.landing.basics(D1)
                .file("touchpoints", D1, "part-0001.jsonl.gz", java.util.stream.IntStream.range(0, 2000)
                        .mapToObj(i -> click("e-" + i, "2026-11-18T10:00:00Z", "P-CR-007", "a-" + i)).toList())
                .file("orders", D1, "part-0001.jsonl", List.of(
                        order("o-1", "2026-11-19T10:00:00Z", "2026-11-19T10:00:00Z", "placed", "10", "a-1")));
        Path gz = env.landing.root().resolve("touchpoints/dt=" + D1 + "/part-0001.jsonl.gz");
        byte[] whole = java.nio.file.Files.readAllBytes(gz);
        java.nio.file.Files.write(gz, java.util.Arrays.copyOf(whole, whole.length / 2));   // cut mid-transfer

        RunStoppedException e = assertThrows(RunStoppedException.class, () -> env.ingest(D1));
        assertTrue(e.getMessage().contains("touchpoints/dt=2026-11-19/part-0001.jsonl.gz"), e.getMessage());
        for (Table table : Tables.BRONZE) {
            assertFalse(env.wh.exists(table), table + " was written by a run that stopped");
        }
    }

    /**
     * One night of hostile deliveries (issue 29): each file or line below used to stop the night, corrupt it or be
     * lost without a word. Now every line is accepted or quarantined with its reason, every file left unread is
     * named in a warning, and the counts still add up.
     */
    @Test
    void hostileFilesAndLinesAreQuarantinedOrReportedAndTheRestLands() throws Exception {
        Env env = env("hostile");
        String ts = "2026-11-18T10:00:00Z";
        Path day = env.landing.root().resolve("touchpoints/dt=" + D1);
        env.landing.basics(D1)
                .file("touchpoints", D1, "part-0001.jsonl", List.of(
                        click("e-1", ts, "P-CR-007", "a-1"),
                        click("e-2", ts, "P-CR-007", "a-1") + click("e-3", ts, "P-CR-007", "a-1"),   // two objects
                        click("e-4", ts, "P-CR-007", "a-1").replace("{", "{\"event_id\":\"e-4b\","),  // duplicate key
                        click("e-5", "1899-12-31T23:59:59Z", "P-CR-007", "a-1"),       // Parquet's rebase check
                        click("e-6", "+300000-01-01T00:00:00Z", "P-CR-007", "a-1"),    // beyond Spark's microseconds
                        click("e-7", ts, "P-CR-007", "a-1").replace("\"click\"", "\"swipe\"")
                                .replace("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1)", "Mozilla/5.0 " + "(x; y) ".repeat(800)),
                        "{'event_id':'e-8','\\u0069p':'203.0.113.9'}",
                        click("e-9", ts, "P-CR-007", "a-1").replace("}", ",\"landing_url\":"
                                + "\"https://shop.example.com/?afsrc=1&email=jane%40example.com\"}"),
                        click("e-10", "1900-01-01T00:00:00Z", "P-CR-007", "a-1")))
                .file("touchpoints", D1, "PART-0003.JSONL", List.of(click("e-11", ts, "P-CR-007", "a-1")))
                .file("touchpoints", D1, "part[4].jsonl", List.of(click("e-12", ts, "P-CR-007", "a-1")))
                .file("touchpoints", D1, "part{5}.jsonl", List.of(click("e-13", ts, "P-CR-007", "a-1")))
                .file("touchpoints", D1, "part*6.jsonl", List.of(click("e-14", ts, "P-CR-007", "a-1")))
                .file("touchpoints", D1, "part:7.jsonl", List.of(click("e-15", ts, "P-CR-007", "a-1")))
                .file("touchpoints", D1, "notes.txt", List.of(click("e-98", ts, "P-CR-007", "a-1")))
                .file("orders", D1, "part-0001.jsonl", List.of(
                        order("o-1", "2026-11-19T10:00:00Z", "2026-11-19T10:00:00Z", "placed", "10", "a-1"),
                        order("o-2", "1850-06-01T10:00:00Z", "2026-11-19T10:00:00Z", "placed", "10", "a-1"),
                        order("o-3", "2026-11-19T10:00:00Z", "2026-11-19T10:00:00Z", "placed", "99999999999999.99995", "a-1"),
                        order("o-4", "+300000-01-01T00:00:00Z", "2026-11-19T10:00:00Z", "placed", "10", "a-1"),
                        order("o-5", "2026-11-19T10:00:00Z", "2026-11-19T10:00:00Z", "placed", "1234567890123.4567", "a-1")))
                .file("spend", D1, "spend (1).csv", List.of("date,channel,region,currency,spend,impressions,clicks",
                        D1 + ",display,NA,USD,120.00,50000,900"))
                .file("partners", D1, "partners.csv", List.of(LandingFixture.PARTNERS_HEADER,
                        "P-CR-007,Maya Moves,creator,APAC,hybrid,0.10,,,500,USD,false,,MAYA20,active,2025-03-01",
                        "P-BX-001,CartSaver Extension,browser_extension,GLOBAL,cps,0.03,,,,USD,true,,,active,2023-11-02",
                        "P-OLD,Old Timer,coupon,NA,cps,0.05,,,,USD,false,,,active,1500-03-01"));
        // invalid UTF-8: e-\xff and e-\xfe, which used to become one id "e-\uFFFD" (and the second a duplicate)
        byte[] ff = (click("e-X", ts, "P-CR-007", "a-1") + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] fe = ff.clone();
        int at = new String(ff, java.nio.charset.StandardCharsets.UTF_8).indexOf("e-X") + 2;
        ff[at] = (byte) 0xff;
        fe[at] = (byte) 0xfe;
        java.nio.file.Files.write(day.resolve("part-0002.jsonl"), ff);
        java.nio.file.Files.write(day.resolve("part-0002.jsonl"), fe, java.nio.file.StandardOpenOption.APPEND);
        // a .crc sidecar left by a Hadoop tool, then the file rewritten by another: the checksum no longer matches
        Path rewritten = day.resolve("part-0008.jsonl");
        org.apache.hadoop.fs.FileSystem local = org.apache.hadoop.fs.FileSystem.getLocal(new org.apache.hadoop.conf.Configuration());
        try (var out = local.create(new org.apache.hadoop.fs.Path(rewritten.toString()))) {
            out.write("{\"event_id\":\"old\"}\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        java.nio.file.Files.writeString(rewritten, click("e-16", ts, "P-CR-007", "a-1") + "\n");
        assertTrue(java.nio.file.Files.exists(day.resolve(".part-0008.jsonl.crc")));
        // a link out of the landing zone, and a folder whose name is not a delivery day
        Path secret = java.nio.file.Files.writeString(tmp.resolve("hostile-secret.jsonl"),
                click("secret-1", ts, "P-CR-007", "a-1") + "\n");
        java.nio.file.Files.createSymbolicLink(day.resolve("evil.jsonl"), secret);
        Path badDay = java.nio.file.Files.createDirectories(env.landing.root().resolve("touchpoints/dt=2026-11-19 "));
        java.nio.file.Files.writeString(badDay.resolve("part-0001.jsonl"), click("e-99", ts, "P-CR-007", "a-1") + "\n");

        IngestReport report = env.ingest(D1);

        assertEquals(new IngestReport.FeedCounts("touchpoints", 8, 17, 9, 8, 0), report.feed("touchpoints"));
        assertEquals(new IngestReport.FeedCounts("orders", 1, 5, 2, 3, 0), report.feed("orders"));
        assertEquals(new IngestReport.FeedCounts("partners", 1, 3, 2, 1, 0), report.feed("partners"));
        assertEquals(new IngestReport.FeedCounts("spend", 2, 2, 2, 0, 0), report.feed("spend"));
        assertEquals(Map.of("malformed_json", 3L, "out_of_range:event_ts", 2L, "unknown_enum:event_type", 1L,
                "invalid_utf8:event_id", 2L, "out_of_range:order_ts", 2L, "bad_number:revenue", 1L,
                "out_of_range:joined_date", 1L), report.quarantineReasons());
        String t = "touchpoints/dt=2026-11-19/";
        assertEquals(List.of("[e-1," + t + "part-0001.jsonl,2026-11-18]", "[e-10," + t + "part-0001.jsonl,1900-01-01]",
                "[e-11," + t + "PART-0003.JSONL,2026-11-18]", "[e-12," + t + "part[4].jsonl,2026-11-18]",
                "[e-13," + t + "part{5}.jsonl,2026-11-18]", "[e-14," + t + "part*6.jsonl,2026-11-18]",
                "[e-15," + t + "part:7.jsonl,2026-11-18]", "[e-16," + t + "part-0008.jsonl,2026-11-18]",
                "[e-9," + t + "part-0001.jsonl,2026-11-18]"),
                env.rows(Tables.BRONZE_TOUCHPOINTS, "event_id", "source_file", "event_date"));
        assertEquals(List.of("[o-1,10.0000]", "[o-5,1234567890123.4567]"), env.rows(Tables.BRONZE_ORDERS, "order_id", "revenue"));
        assertEquals(List.of("[spend/dt=2026-11-19/spend (1).csv,120.0000]", "[spend/dt=2026-11-19/spend.csv,1840.5000]"),
                env.rows(Tables.BRONZE_SPEND, "source_file", "spend"));
        String url = env.rows(Tables.BRONZE_TOUCHPOINTS, "landing_url").stream().filter(u -> u.contains("afsrc")).findFirst()
                .orElseThrow();
        assertTrue(url.startsWith("[https://shop.example.com/?afsrc=1&email=hmac:") && !url.contains("jane"), url);
        assertEquals(List.of(
                "touchpoints: never read, not named dt=YYYY-MM-DD: 'dt=2026-11-19 '",
                "touchpoints/dt=2026-11-19: not read: 'evil.jsonl' (leads out of the landing zone through a symbolic link),"
                        + " 'notes.txt' (expected .jsonl or .jsonl.gz)"), report.warnings());
        assertTrue(report.format().contains("WARNING touchpoints/dt=2026-11-19: not read: 'evil.jsonl'"), report.format());
        // the quarantine holds every rejected line, redacted however broken it was
        Map<String, Dataset<Row>> bronze = new TreeMap<>();
        for (Table table : Tables.BRONZE) {
            bronze.put(table.toString(), env.wh.read(table));
        }
        com.partnermix.verify.Invariant pii = com.partnermix.verify.Invariants.noRawPersonalData(bronze);
        assertEquals(com.partnermix.verify.Invariant.Status.PASS, pii.status(), pii.measured());
        assertEquals(List.of("[{'event_id':'e-8','\\u0069p':'hmac:" + new Pii("test-salt", 24, 48).hash("203.0.113.9") + "'}]"),
                env.rows(Tables.BRONZE_QUARANTINE, "raw_line").stream().filter(r -> r.contains("e-8")).toList());
    }

    private static Map<String, List<String>> snapshot(Warehouse wh) {
        Map<String, List<String>> tables = new TreeMap<>();
        for (Table table : java.util.stream.Stream.concat(Tables.BRONZE.stream(), java.util.stream.Stream.of(
                Tables.SILVER_DIM_PARTNER)).toList()) {
            tables.put(table.toString(), wh.read(table).collectAsList().stream().map(Row::toString).sorted()
                    .collect(Collectors.toList()));
        }
        return tables;
    }
}
