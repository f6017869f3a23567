package com.partnermix.verify;

import com.partnermix.cli.Main;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.testing.Rows;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The invariants of {@code verify} on a handmade warehouse of real Delta tables that satisfies them all, and
 * for each one a copy of one table broken the way a bug would break it.
 *
 * <pre>
 * o1 2026-11-20 100 USD  last_click: e1 (P-A) 1.0;  linear: e1 (P-A) 0.5, e2 (P-B) 0.5
 * o2 2026-11-20  40 USD  no touch: unattributed under both models
 * ingest 2026-11-20: touchpoints 10 = 7 + 2 + 1, orders 3 = 2 + 1 + 0
 * </pre>
 */
@Slow
class VerifyJobTest extends SparkTestBase {

    private static final LocalDate D = LocalDate.parse("2026-11-20");
    private static final String CREDIT = "order_id STRING, order_date DATE, model STRING, event_id STRING, "
            + "partner_id STRING, credit DOUBLE, credited_revenue_usd DECIMAL(18,4)";
    private static final String DAILY = "date DATE, model STRING, partner_id STRING, orders DOUBLE, gmv DOUBLE";
    private static final String JOURNEYS = "journey_id STRING, order_id STRING, is_converted BOOLEAN, order_date DATE";
    private static final String RUNS = "delivery_date DATE, feed STRING, files INT, landing_lines LONG, accepted LONG, "
            + "quarantined LONG, duplicates LONG";
    private static final String QUARANTINE = "delivery_date DATE, feed STRING, reason STRING, raw_line STRING";
    private static final String TOUCHPOINTS = "event_id STRING, ip_hash STRING, ip_prefix STRING, user_agent_hash STRING, "
            + "landing_url STRING, sub_id STRING";

    private static Warehouse good;

    static String credit(String order, String model, String event, String partner, double credit, double revenue) {
        return String.format(java.util.Locale.ROOT, "{\"order_id\":\"%s\",\"order_date\":\"2026-11-20\",\"model\":\"%s\","
                        + "\"event_id\":%s,\"partner_id\":%s,\"credit\":%s,\"credited_revenue_usd\":%s}", order, model,
                event == null ? "null" : "\"" + event + "\"", partner == null ? "null" : "\"" + partner + "\"",
                credit, credit * revenue);
    }

    static String daily(String model, String partner, double orders, double gmv) {
        return String.format(java.util.Locale.ROOT, "{\"date\":\"2026-11-20\",\"model\":\"%s\",\"partner_id\":%s,"
                + "\"orders\":%s,\"gmv\":%s}", model, partner == null ? "null" : "\"" + partner + "\"", orders, gmv);
    }

    static String run(String feed, long landing, long accepted, long quarantined, long duplicates) {
        return String.format("{\"delivery_date\":\"2026-11-20\",\"feed\":\"%s\",\"files\":1,\"landing_lines\":%d,"
                + "\"accepted\":%d,\"quarantined\":%d,\"duplicates\":%d}", feed, landing, accepted, quarantined, duplicates);
    }

    static String quarantined(String feed, String reason) {
        return "{\"delivery_date\":\"2026-11-20\",\"feed\":\"" + feed + "\",\"reason\":\"" + reason + "\","
                + "\"raw_line\":\"{\\\"event_id\\\":\\\"e-9\\\",\\\"ip\\\":\\\"sha256:9f2c\\\" <ip-redacted>\"}";
    }

    static final String[] GOOD_CREDIT = {
            credit("o1", "last_click", "e1", "P-A", 1.0, 100), credit("o1", "linear", "e1", "P-A", 0.5, 100),
            credit("o1", "linear", "e2", "P-B", 0.5, 100), credit("o2", "last_click", null, null, 1.0, 40),
            credit("o2", "linear", null, null, 1.0, 40)};
    static final String[] GOOD_DAILY = {daily("last_click", "P-A", 1, 100), daily("last_click", null, 1, 40),
            daily("linear", "P-A", 0.5, 50), daily("linear", "P-B", 0.5, 50), daily("linear", null, 1, 40)};
    static final String[] GOOD_JOURNEYS = {
            "{\"journey_id\":\"j1\",\"order_id\":\"o1\",\"is_converted\":true,\"order_date\":\"2026-11-20\"}",
            "{\"journey_id\":\"j2\",\"order_id\":\"o2\",\"is_converted\":true,\"order_date\":\"2026-11-20\"}",
            "{\"journey_id\":\"j3\",\"is_converted\":false}"};
    static final String[] GOOD_RUNS = {run("touchpoints", 10, 7, 2, 1), run("orders", 3, 2, 1, 0)};
    static final String[] GOOD_QUARANTINE = {quarantined("touchpoints", "malformed_json"),
            quarantined("touchpoints", "bad_timestamp:event_ts"), quarantined("orders", "negative_revenue")};
    // What ingest keeps: hashes and network prefixes; a clock time and a URL are not addresses.
    static final String[] GOOD_TOUCHPOINTS = {
            "{\"event_id\":\"e1\",\"ip_hash\":\"" + "a".repeat(64) + "\",\"ip_prefix\":\"203.0.113.0/24\","
                    + "\"user_agent_hash\":\"" + "b".repeat(64) + "\",\"landing_url\":\"https://shop.example.com/mats?afsrc=1\","
                    + "\"sub_id\":\"10:00:00\"}",
            "{\"event_id\":\"e2\",\"ip_hash\":\"" + "c".repeat(64) + "\",\"ip_prefix\":\"2001:db8:85a3::/48\","
                    + "\"landing_url\":\"https://shop.example.com/v2.1.3.4567\",\"sub_id\":\"aa:bb:cc:dd:ee:ff\"}"};

    private static Warehouse warehouse(String name) {
        return new Warehouse(spark(), config(tmp.resolve(name)).paths().warehouse());
    }

    private static void write(Warehouse wh, Table table, String schema, String... rows) {
        DeltaWrites.overwrite(wh, table, Rows.of(spark(), schema, rows));
    }

    static void writeGood(Warehouse wh) {
        write(wh, Tables.GOLD_ATTRIBUTION_CREDIT, CREDIT, GOOD_CREDIT);
        write(wh, Tables.GOLD_PARTNER_DAILY, DAILY, GOOD_DAILY);
        write(wh, Tables.SILVER_JOURNEYS, JOURNEYS, GOOD_JOURNEYS);
        write(wh, Tables.BRONZE_INGEST_RUNS, RUNS, GOOD_RUNS);
        write(wh, Tables.BRONZE_QUARANTINE, QUARANTINE, GOOD_QUARANTINE);
        write(wh, Tables.BRONZE_TOUCHPOINTS, TOUCHPOINTS, GOOD_TOUCHPOINTS);
    }

    @BeforeAll
    static void goodWarehouse() {
        good = warehouse("good");
        writeGood(good);
    }

    private static Dataset<Row> read(Warehouse wh, Table table) {
        return wh.read(table);
    }

    @Test
    void aWarehouseThatKeepsEveryPromisePassesEveryInvariant() {
        List<Invariant> results = VerifyJob.verify(good, config(tmp.resolve("good")), D);
        assertEquals(List.of("credit_sums", "gmv_reconciliation", "ingest_accounting", "silver_gold_orphans",
                "no_raw_personal_data"), results.stream().map(Invariant::name).toList());
        results.forEach(r -> assertEquals(Invariant.Status.PASS, r.status(), r.format()));
        assertEquals("4 order x model groups, 0 off by more than 1e-09 (max |sum - 1| = 0.000e+00)",
                results.get(0).measured());
        assertEquals("2 date x model rows, 0 differ (max |GMV diff| = 0.0000, max |orders diff| = 0.00e+00)",
                results.get(1).measured());
        assertEquals("2 runs: landing 13 = accepted 9 + quarantined 3 + duplicates 1; 0 unbalanced;"
                + " quarantine mismatches none; 2026-11-20 ingested", results.get(2).measured());
        assertEquals("2 converting journeys x 2 models; 0 credited orders without a journey; 0 journey x model"
                + " without credit", results.get(3).measured());
        assertEquals("6 tables scanned; no raw IP, user agent or e-mail address", results.get(4).measured());
    }

    @Test
    void creditsThatDoNotSumToOneFail() {
        Warehouse wh = warehouse("bad-credit");
        write(wh, Tables.GOLD_ATTRIBUTION_CREDIT, CREDIT, GOOD_CREDIT[0], GOOD_CREDIT[1],
                credit("o1", "linear", "e2", "P-B", 0.4, 100), GOOD_CREDIT[3], GOOD_CREDIT[4]);
        Invariant r = Invariants.creditsSumToOne(read(wh, Tables.GOLD_ATTRIBUTION_CREDIT), D);
        assertEquals(Invariant.Status.FAIL, r.status());
        assertEquals("4 order x model groups, 1 off by more than 1e-09 (max |sum - 1| = 1.000e-01)", r.measured());
    }

    @Test
    void aMartThatLosesGmvFailsTheReconciliation() {
        Warehouse wh = warehouse("bad-daily");
        write(wh, Tables.GOLD_PARTNER_DAILY, DAILY, GOOD_DAILY[0], GOOD_DAILY[1], GOOD_DAILY[2],
                daily("linear", "P-B", 0.5, 49.5), GOOD_DAILY[4]);
        Invariant r = Invariants.gmvReconciles(read(wh, Tables.GOLD_PARTNER_DAILY),
                read(good, Tables.GOLD_ATTRIBUTION_CREDIT), null, D);
        assertEquals(Invariant.Status.FAIL, r.status());
        assertEquals("2 date x model rows, 1 differ (max |GMV diff| = 0.5000, max |orders diff| = 0.00e+00)", r.measured());
    }

    @Test
    void countsThatDoNotAddUpOrAQuarantineThatDisagreesFail() {
        Warehouse wh = warehouse("bad-ingest");
        write(wh, Tables.BRONZE_INGEST_RUNS, RUNS, run("touchpoints", 10, 6, 2, 1), GOOD_RUNS[1]);
        write(wh, Tables.BRONZE_QUARANTINE, QUARANTINE, GOOD_QUARANTINE[0], GOOD_QUARANTINE[1]);
        Invariant r = Invariants.ingestBalances(read(wh, Tables.BRONZE_INGEST_RUNS), read(wh, Tables.BRONZE_QUARANTINE), D);
        assertEquals(Invariant.Status.FAIL, r.status());
        assertEquals("2 runs: landing 13 = accepted 8 + quarantined 3 + duplicates 1; 1 unbalanced; quarantine"
                + " mismatches [2026-11-20 orders: run says 1, table holds null]; 2026-11-20 ingested", r.measured());
        // A night that was never ingested fails too, even when every earlier run balances.
        Invariant notRun = Invariants.ingestBalances(read(good, Tables.BRONZE_INGEST_RUNS),
                read(good, Tables.BRONZE_QUARANTINE), D.plusDays(1));
        assertEquals(Invariant.Status.FAIL, notRun.status());
        assertTrue(notRun.measured().endsWith("2026-11-21 NOT ingested"), notRun.measured());
    }

    @Test
    void creditWithoutAJourneyAndAJourneyWithoutCreditAreOrphans() {
        Warehouse wh = warehouse("orphans");
        write(wh, Tables.GOLD_ATTRIBUTION_CREDIT, CREDIT, GOOD_CREDIT[0], GOOD_CREDIT[1], GOOD_CREDIT[2],
                GOOD_CREDIT[3], credit("o3", "last_click", null, null, 1.0, 10));
        write(wh, Tables.SILVER_JOURNEYS, JOURNEYS, GOOD_JOURNEYS[0], GOOD_JOURNEYS[1],
                "{\"journey_id\":\"j4\",\"order_id\":\"o4\",\"is_converted\":true,\"order_date\":\"2026-11-20\"}");
        Invariant r = Invariants.noOrphans(read(wh, Tables.GOLD_ATTRIBUTION_CREDIT), read(wh, Tables.SILVER_JOURNEYS), D);
        assertEquals(Invariant.Status.FAIL, r.status());
        // o3 has no journey; o2 lost its linear credit; o4 has no credit under either model
        assertEquals("3 converting journeys x 2 models; 1 credited orders without a journey (e.g. o3);"
                + " 3 journey x model without credit (e.g. o2/linear, o4/last_click, o4/linear)", r.measured());
    }

    @Test
    void rawAddressesUserAgentsAndEmailsAreFoundInAnyColumnButPrefixesAndPseudonymsAreNot() {
        Warehouse wh = warehouse("pii");
        write(wh, Tables.BRONZE_TOUCHPOINTS, TOUCHPOINTS + ", ip STRING, evidence ARRAY<STRUCT<event_id: STRING, ua: STRING>>",
                "{\"event_id\":\"e1\",\"ip_prefix\":\"203.0.113.0/24\",\"ip\":\"203.0.113.7\"}",
                "{\"event_id\":\"e2\",\"ip_prefix\":\"2001:db8:85a3::/48\",\"ip\":\"2001:db8:85a3::8a2e:370:7334\","
                        + "\"evidence\":[{\"event_id\":\"e2\",\"ua\":\"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1)\"}]}",
                "{\"event_id\":\"e3\",\"ip\":\"2001:0db8:85a3:0000:0000:8a2e:0370:7334\","
                        + "\"landing_url\":\"http://198.51.100.23/landing\"}",
                "{\"event_id\":\"e4\",\"ip\":\"999.1.1.1\",\"sub_id\":\"10:00:00\","
                        + "\"landing_url\":\"https://shop.example.com/?email=jane.doe%40example.com\"}",
                "{\"event_id\":\"e5\",\"landing_url\":\"https://shop.example.com/?email=" + "hmac:0123456789abcdef\"}");
        assertEquals(List.of("landing_url: 1 email values", "landing_url: 1 ipv4 values", "ip: 1 ipv4 values",
                        "ip: 2 ipv6 values", "evidence: 1 user_agent values"),
                Invariants.personalDataColumns(read(wh, Tables.BRONZE_TOUCHPOINTS)));
        Invariant r = Invariants.noRawPersonalData(Map.of("bronze.touchpoints", read(wh, Tables.BRONZE_TOUCHPOINTS),
                "bronze.quarantine", read(good, Tables.BRONZE_QUARANTINE)));
        assertEquals(Invariant.Status.FAIL, r.status());
        assertEquals("2 tables scanned; bronze.touchpoints.landing_url: 1 email values;"
                + " bronze.touchpoints.landing_url: 1 ipv4 values; bronze.touchpoints.ip: 1 ipv4 values;"
                + " bronze.touchpoints.ip: 2 ipv6 values; bronze.touchpoints.evidence: 1 user_agent values", r.measured());
    }

    @Test
    void theSubcommandPrintsOneLinePerInvariantAndExitsOneWhenOneFails() {
        Warehouse wh = warehouse("cli");
        writeGood(wh);
        String[] verify = {"verify", "--date", D.toString(), "--checksums", "--set", "paths.warehouse=" + wh.root(),
                "--set", "spark.shuffle_partitions=2"};
        Output ok = capture(() -> Main.execute(verify));
        assertEquals(0, ok.code, ok.text);
        assertTrue(ok.text.contains("PASS    credit_sums"), ok.text);
        assertTrue(ok.text.contains("all invariants hold"), ok.text);
        assertTrue(ok.text.matches("(?s).*gold\\.attribution_credit\\s+5 rows [0-9a-f]{40}.*"), ok.text);

        DeltaWrites.append(wh, Tables.GOLD_ATTRIBUTION_CREDIT, Rows.of(spark(), CREDIT,
                credit("o2", "linear", "e7", "P-B", 0.25, 40)));
        Output failed = capture(() -> Main.execute(verify));
        assertEquals(1, failed.code, failed.text);
        assertTrue(failed.text.contains("FAIL    credit_sums            4 order x model groups, 1 off"), failed.text);
        // the extra credit row is also GMV the mart does not show
        assertTrue(failed.text.contains("FAIL    gmv_reconciliation     2 date x model rows, 1 differ (max |GMV diff| = 10.0000"),
                failed.text);
        assertTrue(failed.text.contains("2 invariant(s) FAILED"), failed.text);
    }

    private record Output(int code, String text) {}

    private static Output capture(java.util.function.IntSupplier run) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            int code = run.getAsInt();
            return new Output(code, buffer.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(saved);
        }
    }
}
