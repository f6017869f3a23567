package com.partnermix.marts;

import com.partnermix.common.DeltaWrites;
import com.partnermix.common.PartnermixConfig;
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

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The marts job on a small warehouse over two nights: the October statement locks on 2026-11-10 (10 days after
 * the month) and is never written again; a return delivered after the lock is reversed in November; a withheld
 * order is not reversed twice; GMV reconciles with the credit; a rerun gives the same tables.
 *
 * <pre>
 * o-oct   2026-10-10  P-CPS 100 USD -> CPS 5; returned, delivered 2026-11-12 (after October locked)
 * o-oct2  2026-10-20  P-CPS  40 USD -> CPS 2; cancelled, delivered 2026-11-05 (October still open)
 * o-nov   2026-11-05  P-CPS 200 USD -> CPS 10; withhold flag detected 2026-11-06; returned 2026-11-15
 * o-part  2026-10-05  P-CPS 100 USD -> CPS 5; partial return to 60 delivered 2026-10-25 (October open: 2 reversed
 *                     in October), to 20 delivered 2026-11-14 (after the lock: 2 more reversed in November)
 * </pre>
 */
@Slow
class MartsJobTest extends SparkTestBase {

    private static final String CREDIT = MartsFixture.CREDIT;
    private static final String ORDERS = "order_id STRING, order_date DATE, updated_ts TIMESTAMP, status STRING, "
            + "revenue DECIMAL(18,4), currency STRING, delivery_date DATE";
    private static final String FLAGS = "flag_id STRING, order_id STRING, event_id STRING, partner_id STRING, "
            + "proposed_action STRING, detected_date DATE";
    private static final String JOURNEYS = "journey_id STRING, person_id STRING, order_id STRING, is_converted BOOLEAN, "
            + "order_ts TIMESTAMP, order_date DATE, journey_date DATE, path_partner_type STRING, revenue_usd DECIMAL(18,4)";

    private static PartnermixConfig config;
    private static Warehouse wh;

    private static String credit(String order, String date, String model, double revenue) {
        return String.format(Locale.ROOT, "{\"order_id\":\"%s\",\"order_date\":\"%s\",\"model\":\"%s\",\"event_id\":\"e-%s\","
                + "\"partner_id\":\"P-CPS\",\"channel\":\"affiliate\",\"region\":\"NA\",\"credit\":1.0,"
                + "\"credited_revenue_usd\":%s,\"is_new_customer\":true,\"position\":1,\"order_status\":\"placed\","
                + "\"revenue_usd\":%s,\"journey_id\":\"j-%s\",\"person_id\":\"p-%s\"}", order, date, model, order,
                revenue, revenue, order, order);
    }

    private static String version(String order, String date, String updated, String status, double revenue,
                                  String delivered) {
        return String.format(Locale.ROOT, "{\"order_id\":\"%s\",\"order_date\":\"%s\",\"updated_ts\":\"%s\","
                + "\"status\":\"%s\",\"revenue\":%s,\"currency\":\"USD\",\"delivery_date\":\"%s\"}", order, date,
                updated, status, revenue, delivered);
    }

    private static void write(Table table, Dataset<Row> rows) {
        DeltaWrites.overwrite(wh, table, rows);
    }

    @BeforeAll
    static void warehouseWithTwoMonths() {
        config = config(tmp);
        wh = new Warehouse(spark(), config.paths().warehouse());
        write(Tables.SILVER_DIM_PARTNER, MartsFixture.dimPartner(spark()));
        write(Tables.BRONZE_FX_RATES, MartsFixture.fx(spark()));
        write(Tables.BRONZE_SPEND, MartsFixture.spend(spark()));
        write(Tables.BRONZE_TOUCHPOINTS, MartsFixture.touchpoints(spark()));
        write(Tables.SILVER_JOURNEY_TOUCHES, MartsFixture.journeyTouches(spark()));
        write(Tables.GOLD_ATTRIBUTION_CREDIT, Rows.of(spark(), CREDIT,
                credit("o-oct", "2026-10-10", "last_click", 100), credit("o-oct", "2026-10-10", "linear", 100),
                credit("o-oct2", "2026-10-20", "last_click", 40), credit("o-oct2", "2026-10-20", "linear", 40),
                credit("o-nov", "2026-11-05", "last_click", 200), credit("o-nov", "2026-11-05", "linear", 200),
                credit("o-part", "2026-10-05", "last_click", 20), credit("o-part", "2026-10-05", "linear", 20))
                .unionByName(MartsFixture.credit(spark())));
        write(Tables.BRONZE_ORDERS, Rows.of(spark(), ORDERS,
                version("o-oct", "2026-10-10", "2026-10-10T09:00:00", "placed", 100, "2026-10-10"),
                version("o-oct", "2026-10-10", "2026-11-11T09:00:00", "returned", 0, "2026-11-12"),
                version("o-oct2", "2026-10-20", "2026-10-20T09:00:00", "placed", 40, "2026-10-20"),
                version("o-oct2", "2026-10-20", "2026-11-05T09:00:00", "cancelled", 40, "2026-11-05"),
                version("o-nov", "2026-11-05", "2026-11-15T09:00:00", "returned", 0, "2026-11-15"),
                version("o-nov", "2026-11-05", "2026-11-05T09:00:00", "placed", 200, "2026-11-05"),
                version("o-part", "2026-10-05", "2026-10-05T09:00:00", "placed", 100, "2026-10-05"),
                version("o-part", "2026-10-05", "2026-10-24T09:00:00", "returned", 60, "2026-10-25"),
                version("o-part", "2026-10-05", "2026-11-13T09:00:00", "returned", 20, "2026-11-14")));
        write(Tables.GOLD_FRAUD_FLAGS, Rows.of(spark(), FLAGS,
                "{\"flag_id\":\"f1\",\"order_id\":\"o-nov\",\"partner_id\":\"P-CPS\",\"proposed_action\":\"withhold\","
                        + "\"detected_date\":\"2026-11-06\"}",
                "{\"flag_id\":\"f2\",\"order_id\":\"o-oct\",\"partner_id\":\"P-CPS\",\"proposed_action\":\"flag\","
                        + "\"detected_date\":\"2026-11-06\"}",
                "{\"flag_id\":\"f3\",\"event_id\":\"e1\",\"partner_id\":\"P-CPC\",\"proposed_action\":\"withhold\","
                        + "\"detected_date\":\"2026-11-20\"}"));
        // A reviewer dismissed P-CPC's click flag on the 20th (released that night), recorded with the review command
        // and not in the queue yet; o-nov's dismissal, in the queue only (a warehouse from before the decisions
        // table), is dated after the second night and does not count on it.
        com.partnermix.fraud.ReviewDecisions.record(wh, new com.partnermix.fraud.ReviewDecisions.Decision(
                "partner:P-CPC", "dismissed", "ana", null, java.time.Instant.parse("2026-11-20T08:00:00Z")));
        write(Tables.GOLD_FRAUD_REVIEW_QUEUE, Rows.of(spark(), "queue_id STRING, status STRING, reviewed_at TIMESTAMP",
                "{\"queue_id\":\"partner:P-CPC\",\"status\":\"open\"}",
                "{\"queue_id\":\"order:o-nov\",\"status\":\"dismissed\",\"reviewed_at\":\"2026-11-25T08:00:00\"}"));
        write(Tables.SILVER_JOURNEYS, Rows.of(spark(), JOURNEYS,
                "{\"journey_id\":\"j1\",\"person_id\":\"p-o-nov\",\"order_id\":\"o-nov\",\"is_converted\":true,"
                        + "\"order_ts\":\"2026-11-05T10:00:00\",\"order_date\":\"2026-11-05\","
                        + "\"journey_date\":\"2026-11-05\",\"path_partner_type\":\"creator > coupon\",\"revenue_usd\":200}",
                "{\"journey_id\":\"j2\",\"is_converted\":false,\"journey_date\":\"2026-11-06\","
                        + "\"path_partner_type\":\"creator > coupon\"}",
                "{\"journey_id\":\"j3\",\"person_id\":\"p-o3\",\"order_id\":\"o3\",\"is_converted\":true,"
                        + "\"order_ts\":\"2026-11-07T10:00:00\",\"order_date\":\"2026-11-07\","
                        + "\"journey_date\":\"2026-11-07\",\"path_partner_type\":\"\",\"revenue_usd\":50}"));
        MartsJob.build(wh, config, LocalDate.parse("2026-11-10"));
        octoberOnTheTenth = statement("2026-10-01", "P-CPS");
        novemberOnTheTenth = statement("2026-11-01", "P-CPS");
        MartsJob.build(wh, config, LocalDate.parse("2026-11-20"));
    }

    private static Row octoberOnTheTenth;
    private static Row novemberOnTheTenth;

    private static Row statement(String month, String partner) {
        List<Row> rows = wh.read(Tables.GOLD_COMMISSION_STATEMENT)
                .where(col("statement_month").equalTo(java.sql.Date.valueOf(month)).and(col("partner_id").equalTo(partner)))
                .collectAsList();
        assertEquals(1, rows.size(), month + " " + partner);
        return rows.get(0);
    }

    private static double d(Row r, String column) {
        return ((Number) r.getAs(column)).doubleValue();
    }

    @Test
    void aLockedMonthIsNeverRewrittenAndALaterReturnGoesToTheNextOpenMonth() {
        Row october = octoberOnTheTenth;
        assertTrue(october.<Boolean>getAs("is_locked"));
        assertEquals(12.0, d(october, "commission_cps"), 1e-9);  // 5 % of the placed 100 + 40 + 100
        assertEquals(4.0, d(october, "reversals"), 1e-9);        // o-oct2 cancelled, o-part's first return (40)
        assertEquals(8.0, d(october, "net_payable"), 1e-9);
        Row novemberEarly = novemberOnTheTenth;
        assertEquals(false, novemberEarly.<Boolean>getAs("is_locked"));
        assertEquals(10.0, d(novemberEarly, "withheld_fraud"), 1e-9);   // o-nov's commission is withheld

        Row octoberAfter = statement("2026-10-01", "P-CPS");
        assertEquals(october, octoberAfter);   // computed_on is still 2026-11-10: the row was not written again
        assertEquals(LocalDate.parse("2026-11-10"), octoberAfter.getDate(octoberAfter.fieldIndex("computed_on")).toLocalDate());
        Row november = statement("2026-11-01", "P-CPS");
        // o-nov: 10 CPS + P-CPS's own clicks in the fixture day (o1 100 USD: 5); withheld 10 (not reversed again)
        assertEquals(15.0, d(november, "commission_cps"), 1e-9);
        assertEquals(10.0, d(november, "withheld_fraud"), 1e-9);
        // o-oct returned after October locked (5) and o-part's second return (40 of revenue: 2)
        assertEquals(7.0, d(november, "reversals"), 1e-9);
        assertEquals(-2.0, d(november, "net_payable"), 1e-9);       // a clawback of October's returns
        // the flat-fee partner is paid its days: 300 / 30 x 20 days of November
        assertEquals(200.0, d(statement("2026-11-01", "P-FLAT"), "commission_flat_fee"), 1e-9);
        assertEquals(200.0, d(statement("2026-11-01", "P-FLAT"), "net_payable"), 1e-9);
        assertEquals(0.0, d(november, "released_fraud"), 0);   // o-nov's dismissal is dated after the run
        // P-CPC: two clicks at 0.50 EUR (1.10 USD) = 1.10 + 10 % consideration uplift; the click flagged
        // withhold (e1) gives back its 0.55 + 0.055, and the reviewer's dismissal the same day pays it back
        Row cpc = statement("2026-11-01", "P-CPC");
        assertEquals(1.21, d(cpc, "commission_gross"), 1e-9);
        assertEquals(0.605, d(cpc, "withheld_fraud"), 1e-9);
        assertEquals(0.605, d(cpc, "released_fraud"), 1e-9);
        assertEquals(1.21, d(cpc, "net_payable"), 1e-9);

        // GMV and orders reconcile for every model and date, and a rerun gives the same tables
        List<Row> recon = wh.read(Tables.GOLD_MARTS_RECONCILIATION)
                .where(col("run_date").equalTo(java.sql.Date.valueOf("2026-11-20"))).collectAsList();
        assertTrue(recon.size() >= 8, "reconciled " + recon.size());
        for (Row r : recon) {
            assertEquals(0.0, d(r, "gmv_diff"), 1e-6, r.toString());
            assertEquals(0.0, d(r, "orders_diff"), 1e-9, r.toString());
        }
        List<String> daily = Rows.sorted(wh.read(Tables.GOLD_PARTNER_DAILY));
        List<String> statements = Rows.sorted(wh.read(Tables.GOLD_COMMISSION_STATEMENT));
        List<String> paths = Rows.sorted(wh.read(Tables.GOLD_PATH_SUMMARY));
        MartsJob.build(wh, config, LocalDate.parse("2026-11-20"));
        assertEquals(daily, Rows.sorted(wh.read(Tables.GOLD_PARTNER_DAILY)));
        assertEquals(statements, Rows.sorted(wh.read(Tables.GOLD_COMMISSION_STATEMENT)));
        assertEquals(paths, Rows.sorted(wh.read(Tables.GOLD_PATH_SUMMARY)));
    }

    @Test
    void theDemoSummaryShowsReconciliationStatementsAndCacPerType() {
        String summary = MartsSummary.of(wh, "last_click");
        // GMV reconciles exactly for both models of the fixture
        assertTrue(summary.matches("(?s).*last_click\\s+0\\.000000.*linear\\s+0\\.000000.*"), summary);
        // October (locked): P-CPS 8 net + P-FLAT 300 + P-HYB 600 of flat fees
        assertTrue(summary.matches("(?s).*2026-10\\s+locked\\s+3\\s.*\\s908\\.00 USD.*"), summary);
        assertTrue(summary.matches("(?s).*2026-11\\s+open\\s.*"), summary);
        assertTrue(summary.contains("quarter of 2026-10-01, payout model last_click"), summary);
        assertTrue(summary.matches("(?s).*\\n\\s+coupon\\s.*"), summary);
    }

    @Test
    void modelComparisonShowsWhoLastClickUnderValues() {
        Row cpc = wh.read(Tables.GOLD_MODEL_COMPARISON)
                .where(col("period_month").equalTo(java.sql.Date.valueOf("2026-11-01"))
                        .and(col("level").equalTo("partner")).and(col("partner_id").equalTo("P-CPC"))
                        .and(col("model").equalTo("linear"))).first();
        assertEquals(50.0, d(cpc, "gmv"), 1e-9);
        assertEquals(0.0, d(cpc, "last_click_gmv"), 1e-9);
        assertTrue(cpc.isNullAt(cpc.fieldIndex("ratio_to_last_click")));
        Row coupon = wh.read(Tables.GOLD_MODEL_COMPARISON)
                .where(col("period_month").equalTo(java.sql.Date.valueOf("2026-11-01"))
                        .and(col("level").equalTo("partner_type")).and(col("partner_type").equalTo("coupon"))
                        .and(col("model").equalTo("linear"))).first();
        // coupon (P-CPS): last click 200 + 100, linear 200 + 50
        assertEquals(250.0 / 300.0, d(coupon, "ratio_to_last_click"), 1e-9);
    }

    @Test
    void pathSummaryCountsConversionsAndNonConversionsPerPath() {
        Row top = wh.read(Tables.GOLD_PATH_SUMMARY).where(col("path_rank").equalTo(1)
                .and(col("period_month").equalTo(java.sql.Date.valueOf("2026-11-01")))).first();
        assertEquals("creator > coupon", top.getAs("path"));
        assertEquals(2L, top.<Long>getAs("journeys"));
        assertEquals(1L, top.<Long>getAs("conversions"));
        assertEquals(1L, top.<Long>getAs("non_conversions"));
        assertEquals(0.5, d(top, "conversion_rate"), 1e-12);
        assertEquals(200.0, d(top, "revenue_usd"), 1e-9);
    }

    @Test
    void quarterlyGmvSharesAddUpToOnePerModel() {
        for (Row r : wh.read(Tables.GOLD_PARTNER_MIX_QUARTERLY)
                .where(col("quarter").equalTo(java.sql.Date.valueOf("2026-10-01"))).groupBy("quarter", "model")
                .agg(org.apache.spark.sql.functions.sum("gmv_share"), org.apache.spark.sql.functions.sum("suggested_budget_shift"))
                .collectAsList()) {
            assertEquals(1.0, r.getDouble(2), 1e-9, r.toString());
            assertEquals(0.0, r.getDouble(3), 1e-6, r.toString());   // the suggested shift is budget-neutral
        }
    }

    @Test
    void theMartsDataQualityFilesParseAndPassOnTheMarts() throws Exception {
        java.nio.file.Path checks = java.nio.file.Files.createDirectories(tmp.resolve("marts-checks"));
        for (Table table : List.of(Tables.GOLD_PARTNER_DAILY, Tables.GOLD_MARTS_RECONCILIATION, Tables.GOLD_MODEL_COMPARISON,
                Tables.GOLD_PATH_SUMMARY, Tables.GOLD_COMMISSION_STATEMENT, Tables.GOLD_PARTNER_MIX_QUARTERLY)) {
            java.nio.file.Files.copy(java.nio.file.Path.of("data-quality", table + ".yaml"), checks.resolve(table + ".yaml"));
        }
        PartnermixConfig withChecks = config(tmp, "data_quality.checks_dir=" + checks);
        List<com.partnermix.dq.CheckOutcome> outcomes = com.partnermix.dq.DqJob.check(wh, withChecks, "gold",
                LocalDate.parse("2026-11-20"));
        assertTrue(outcomes.size() >= 20, "checks run: " + outcomes.size());
        for (com.partnermix.dq.CheckOutcome o : outcomes) {
            assertEquals(com.partnermix.dq.CheckOutcome.Status.PASSED, o.status(), o.table() + " " + o.check().name()
                    + ": " + o.message());
        }
    }
}
