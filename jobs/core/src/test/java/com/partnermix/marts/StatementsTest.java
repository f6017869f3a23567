package com.partnermix.marts;

import com.partnermix.common.FxRates;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.dq.CheckFile;
import com.partnermix.dq.CheckFileParser;
import com.partnermix.dq.CheckSpec;
import com.partnermix.journeys.TouchRules;
import com.partnermix.testing.Rows;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The statement rules on a hand-checked October and November 2026 (October locks on 2026-11-10), computed on
 * 2026-11-25 by the pure transform. Partners of {@link MartsFixture}; uplift: coupon 0, review 10 %, content 20 %.
 * <pre>
 * P-CPS (5 %)
 *   o-ret   Oct 05  100; return to 60 delivered Oct 25 (2 reversed in Oct); withhold flag Nov 15 (withholds the
 *                   3 still owed, not 5); return to 20 delivered Nov 20 (not reversed: withheld)
 *   o-late  Oct 28  200, first delivered Nov 12 (October locked): 10 earned in November
 *   o-rise  Nov 02  100, corrected up to 120 on Nov 05: 5 + 1 earned, nothing reversed
 *   o-dis   Nov 03   40; flag Nov 04, dismissed on Nov 08: 2 withheld and 2 released in November
 *   o-dis2  Oct 20   80; flag Oct 22 (4 withheld in Oct), dismissed Nov 12: 4 released in November
 *   o-open  Nov 06   60; flag Nov 07, dismissed Nov 30 (after the run date): 3 withheld, not released
 * P-CPC (0.50 EUR = 0.55 USD a click, + 10 %)
 *   k1 Oct 30 delivered Nov 11 (November), k2 Oct 30 delivered Nov 02 (October),
 *   k3 Nov 03 flagged Nov 04 (no order: item partner:P-CPC), dismissed Nov 09; k4 Nov 10 flagged Nov 12 (after
 *   the dismissal: withheld)
 * P-CPM   2,000 impressions on Nov 20 at 5 USD per thousand = 10 + 20 % uplift
 * P-HYB   o-hyb Nov 20 500 at 2 % = 10, + 600 a month (20 a day in November)
 * P-FLAT  300 a month
 * </pre>
 * GBP is 1.25 USD until Nov 14 and 1.30 from Nov 15: the GBP statements convert every item at its own day's rate.
 */
@Slow
class StatementsTest extends SparkTestBase {

    static final LocalDate RUN = LocalDate.parse("2026-11-25");
    private static final String ORDERS = "order_id STRING, order_date DATE, updated_ts TIMESTAMP, status STRING, "
            + "revenue DECIMAL(18,4), currency STRING, delivery_date DATE";
    private static final String FLAGS = "flag_id STRING, order_id STRING, event_id STRING, partner_id STRING, "
            + "proposed_action STRING, detected_date DATE";
    private static final String QUEUE = "queue_id STRING, status STRING, reviewed_at TIMESTAMP";
    private static final String FX = MartsFixture.FX;

    private static PartnermixConfig config;
    private static TouchRules rules;
    private static Dataset<Row> fxDaily;
    private static Dataset<Row> dim;
    private static Dataset<Row> touchpoints;
    private static Dataset<Row> activity;
    private static Dataset<Row> orders;
    private static Dataset<Row> flags;
    private static Dataset<Row> queue;
    private static Dataset<Row> usdStatements;
    private static Dataset<Row> gbpStatements;
    private static Map<String, Row> usd;
    private static Map<String, Row> gbp;

    static String credit(String order, String date, String model, String partner, double credit, double revenue) {
        return String.format(Locale.ROOT, "{\"order_id\":\"%s\",\"order_date\":\"%s\",\"model\":\"%s\","
                        + "\"event_id\":\"e-%s\",\"partner_id\":\"%s\",\"channel\":\"affiliate\",\"region\":\"NA\","
                        + "\"credit\":%s,\"credited_revenue_usd\":%s,\"is_new_customer\":false,\"position\":1,"
                        + "\"order_status\":\"placed\",\"revenue_usd\":%s,\"journey_id\":\"j-%s\",\"person_id\":\"p-%s\"}",
                order, date, model, order, partner, credit, credit * revenue, revenue, order, order);
    }

    static String version(String order, String date, String updated, String status, double revenue, String delivered) {
        return String.format(Locale.ROOT, "{\"order_id\":\"%s\",\"order_date\":\"%s\",\"updated_ts\":\"%sT09:00:00\","
                + "\"status\":\"%s\",\"revenue\":%s,\"currency\":\"USD\",\"delivery_date\":\"%s\"}", order, date,
                updated, status, revenue, delivered);
    }

    static String touch(String id, String date, String type, String partner, String delivered) {
        return String.format("{\"event_id\":\"%s\",\"event_date\":\"%s\",\"event_type\":\"%s\",\"channel\":\"affiliate\","
                + "\"partner_id\":\"%s\",\"country\":\"US\",\"delivery_date\":\"%s\"}", id, date, type, partner, delivered);
    }

    static String flag(String id, String order, String event, String partner, String detected) {
        return flag(id, order, event, partner, detected, "withhold");
    }

    static String flag(String id, String order, String event, String partner, String detected, String action) {
        return String.format("{\"flag_id\":\"%s\",\"order_id\":%s,\"event_id\":%s,\"partner_id\":\"%s\","
                        + "\"proposed_action\":\"%s\",\"detected_date\":\"%s\"}", id, MartsFixture.quoted(order),
                MartsFixture.quoted(event), partner, action, detected);
    }

    static String fx(String date, String currency, double rate) {
        return String.format(Locale.ROOT, "{\"date\":\"%s\",\"currency\":\"%s\",\"usd_per_unit\":%s,\"delivery_date\":\"%s\"}",
                date, currency, rate, date);
    }

    @BeforeAll
    static void build() {
        config = config(Path.of("unused"));
        rules = new TouchRules(config.journeys());
        fxDaily = FxRates.dailyCalendar(Rows.of(spark(), FX, fx("2026-01-01", "EUR", 1.10),
                fx("2026-01-01", "GBP", 1.25), fx("2026-11-15", "GBP", 1.30)), RUN, RUN).cache();
        dim = MartsFixture.dimPartner(spark()).cache();
        touchpoints = Rows.of(spark(), MartsFixture.TOUCHPOINTS,
                touch("k1", "2026-10-30", "click", "P-CPC", "2026-11-11"),
                touch("k2", "2026-10-30", "click", "P-CPC", "2026-11-02"),
                touch("k3", "2026-11-03", "click", "P-CPC", "2026-11-03"),
                touch("k4", "2026-11-10", "click", "P-CPC", "2026-11-10"));
        Dataset<Row> impressions = Rows.of(spark(), "date DATE, channel STRING, partner_id STRING, region STRING, "
                        + "seen_date DATE, clicks LONG, impressions LONG",
                "{\"date\":\"2026-11-20\",\"channel\":\"affiliate\",\"partner_id\":\"P-CPM\",\"region\":\"NA\","
                        + "\"seen_date\":\"2026-11-20\",\"clicks\":0,\"impressions\":2000}");
        activity = PartnerDaily.activity(touchpoints, rules, null, RUN).unionByName(impressions).cache();
        orders = Rows.of(spark(), ORDERS,
                version("o-ret", "2026-10-05", "2026-10-05", "placed", 100, "2026-10-05"),
                version("o-ret", "2026-10-05", "2026-10-24", "returned", 60, "2026-10-25"),
                version("o-ret", "2026-10-05", "2026-11-19", "returned", 20, "2026-11-20"),
                version("o-late", "2026-10-28", "2026-10-28", "placed", 200, "2026-11-12"),
                version("o-rise", "2026-11-02", "2026-11-02", "placed", 100, "2026-11-02"),
                version("o-rise", "2026-11-02", "2026-11-05", "placed", 120, "2026-11-05"),
                version("o-dis", "2026-11-03", "2026-11-03", "placed", 40, "2026-11-03"),
                version("o-dis2", "2026-10-20", "2026-10-20", "placed", 80, "2026-10-20"),
                version("o-open", "2026-11-06", "2026-11-06", "placed", 60, "2026-11-06"),
                version("o-hyb", "2026-11-20", "2026-11-20", "placed", 500, "2026-11-20"));
        flags = Rows.of(spark(), FLAGS,
                flag("f1", "o-ret", null, "P-CPS", "2026-11-15"),
                flag("f2", "o-dis", null, "P-CPS", "2026-11-04"),
                flag("f3", "o-dis2", null, "P-CPS", "2026-10-22"),
                flag("f4", "o-open", null, "P-CPS", "2026-11-07"),
                flag("f5", null, "k3", "P-CPC", "2026-11-04"),
                flag("f6", null, "k4", "P-CPC", "2026-11-12"),
                // findings that only ask a reviewer (proposed_action flag) withhold nothing
                flag("f7", "o-rise", null, "P-CPS", "2026-11-03", "flag"),
                flag("f8", null, "k1", "P-CPC", "2026-11-11", "flag"));
        queue = Rows.of(spark(), QUEUE,
                "{\"queue_id\":\"order:o-dis\",\"status\":\"dismissed\",\"reviewed_at\":\"2026-11-08T15:00:00\"}",
                "{\"queue_id\":\"order:o-dis2\",\"status\":\"dismissed\",\"reviewed_at\":\"2026-11-12T15:00:00\"}",
                "{\"queue_id\":\"order:o-open\",\"status\":\"dismissed\",\"reviewed_at\":\"2026-11-30T15:00:00\"}",
                "{\"queue_id\":\"order:o-ret\",\"status\":\"confirmed\",\"reviewed_at\":\"2026-11-16T15:00:00\"}",
                "{\"queue_id\":\"partner:P-CPC\",\"status\":\"dismissed\",\"reviewed_at\":\"2026-11-09T15:00:00\"}");
        usdStatements = statementsIn(null, "USD").cache();
        gbpStatements = statementsIn(Costs.toReporting(fxDaily, "GBP"), "GBP").cache();
        usd = byMonthAndPartner(usdStatements);
        gbp = byMonthAndPartner(gbpStatements);
    }

    static Dataset<Row> credit() {
        return Rows.of(spark(), MartsFixture.CREDIT,
                credit("o-ret", "2026-10-05", "last_click", "P-CPS", 1.0, 20),
                credit("o-late", "2026-10-28", "last_click", "P-CPS", 1.0, 200),
                credit("o-rise", "2026-11-02", "last_click", "P-CPS", 1.0, 120),
                credit("o-dis", "2026-11-03", "last_click", "P-CPS", 1.0, 40),
                credit("o-dis2", "2026-10-20", "last_click", "P-CPS", 1.0, 80),
                credit("o-open", "2026-11-06", "last_click", "P-CPS", 1.0, 60),
                credit("o-hyb", "2026-11-20", "last_click", "P-HYB", 1.0, 500));
    }

    static Dataset<Row> costs(Dataset<Row> payoutCredit) {
        return Costs.partnerCosts(activity, payoutCredit, dim, fxDaily, null, RUN);
    }

    static Dataset<Row> statementsIn(Dataset<Row> toReporting, String currency) {
        Dataset<Row> payoutCredit = credit();
        PartnermixConfig.Marts marts = config.marts();
        return Statements.statements(payoutCredit, costs(payoutCredit), orders, fxDaily, flags, queue, touchpoints, dim,
                rules, marts.funnelStageUplift(), marts.lockDaysAfterMonthEnd(), "last_click", null, RUN, toReporting,
                currency);
    }

    static Map<String, Row> byMonthAndPartner(Dataset<Row> statements) {
        Map<String, Row> rows = new HashMap<>();
        for (Row r : statements.collectAsList()) {
            rows.put(r.getDate(r.fieldIndex("statement_month")).toString().substring(0, 7) + "|" + r.getAs("partner_id"), r);
        }
        return rows;
    }

    private static double d(Map<String, Row> rows, String key, String column) {
        Row r = rows.get(key);
        assertTrue(r != null, "no statement " + key + " in " + rows.keySet());
        return ((Number) r.getAs(column)).doubleValue();
    }

    @Test
    void aWithholdAfterABookedReturnWithholdsOnlyWhatIsStillOwed() {
        // October (locked): o-ret 5 + o-dis2 4 earned; o-ret's first return reversed 2; o-dis2 withheld 4
        assertEquals(9.0, d(usd, "2026-10|P-CPS", "commission_cps"), 1e-9);
        assertEquals(2.0, d(usd, "2026-10|P-CPS", "reversals"), 1e-9);
        assertEquals(4.0, d(usd, "2026-10|P-CPS", "withheld_fraud"), 1e-9);
        assertEquals(3.0, d(usd, "2026-10|P-CPS", "net_payable"), 1e-9);
        assertEquals(true, usd.get("2026-10|P-CPS").getAs("is_locked"));
        // November: o-ret withholds the 3 still owed (60 x 5 %), o-dis 2 and o-open 3 (o-rise's review-only flag
        // nothing); the return after the flag (to 20) is not reversed: o-ret nets 5 - 2 - 3 = 0 over both months
        assertEquals(8.0, d(usd, "2026-11|P-CPS", "withheld_fraud"), 1e-9);
        assertEquals(0.0, d(usd, "2026-11|P-CPS", "reversals"), 1e-9);
    }

    @Test
    void earnedAmountsDeliveredAfterTheirMonthLockedArePaidInTheNextOpenMonth() {
        // o-late (Oct 28, delivered Nov 12): its 10 is November's; o-rise 5 + 1, o-dis 2, o-open 3
        assertEquals(21.0, d(usd, "2026-11|P-CPS", "commission_cps"), 1e-9);
        assertEquals(4.0, d(usd, "2026-11|P-CPS", "credited_orders"), 1e-9);
        assertEquals(420.0, d(usd, "2026-11|P-CPS", "credited_gmv"), 1e-9);
        assertEquals(2.0, d(usd, "2026-10|P-CPS", "credited_orders"), 1e-9);
        // k2 (delivered Nov 2, October open) in October; k1 (delivered Nov 11) in November with k3 and k4
        assertEquals(0.55, d(usd, "2026-10|P-CPC", "commission_cpc"), 1e-9);
        assertEquals(0.605, d(usd, "2026-10|P-CPC", "commission_gross"), 1e-9);
        assertEquals(1.65, d(usd, "2026-11|P-CPC", "commission_cpc"), 1e-9);
        assertEquals(0.165, d(usd, "2026-11|P-CPC", "commission_uplift"), 1e-9);
    }

    @Test
    void aDismissedReviewReleasesTheWithholdInTheFirstOpenMonth() {
        // o-dis (2, dismissed Nov 8) and o-dis2 (4, withheld in locked October, dismissed Nov 12) come back in
        // November; o-open's dismissal is dated after the run date and does not count yet
        assertEquals(6.0, d(usd, "2026-11|P-CPS", "released_fraud"), 1e-9);
        assertEquals(21.0 - 8.0 + 6.0, d(usd, "2026-11|P-CPS", "net_payable"), 1e-9);
        // k3's click (partner item, dismissed Nov 9) is released; k4, flagged after the dismissal, stays withheld
        assertEquals(1.21, d(usd, "2026-11|P-CPC", "withheld_fraud"), 1e-9);
        assertEquals(0.605, d(usd, "2026-11|P-CPC", "released_fraud"), 1e-9);
        assertEquals(1.815 - 1.21 + 0.605, d(usd, "2026-11|P-CPC", "net_payable"), 1e-9);
        // rerun-safe: on Nov 30 (the day of o-open's review) it is released as well, and nothing else moves
        PartnermixConfig.Marts marts = config.marts();
        Dataset<Row> payoutCredit = credit();
        Map<String, Row> later = byMonthAndPartner(Statements.statements(payoutCredit,
                Costs.partnerCosts(activity, payoutCredit, dim, fxDaily, null, LocalDate.parse("2026-11-30")), orders,
                fxDaily, flags, queue, touchpoints, dim, rules, marts.funnelStageUplift(), marts.lockDaysAfterMonthEnd(),
                "last_click", null, LocalDate.parse("2026-11-30"), null, "USD"));
        assertEquals(9.0, d(later, "2026-11|P-CPS", "released_fraud"), 1e-9);
        assertEquals(8.0, d(later, "2026-11|P-CPS", "withheld_fraud"), 1e-9);
    }

    @Test
    void anUpwardCorrectionIsEarnedCommissionNotANegativeReversal() {
        Map<String, Row> rise = byMonthAndPartner(Statements.statements(credit().where(col("order_id").equalTo("o-rise")),
                costs(credit().limit(0)).limit(0), orders.where(col("order_id").equalTo("o-rise")), fxDaily,
                flags.limit(0), queue.limit(0), touchpoints, dim, rules, config.marts().funnelStageUplift(),
                config.marts().lockDaysAfterMonthEnd(), "last_click", null, RUN, null, "USD"));
        assertEquals(6.0, d(rise, "2026-11|P-CPS", "commission_cps"), 1e-9);   // 5 % of 100, then of the 20 more
        assertEquals(0.0, d(rise, "2026-11|P-CPS", "reversals"), 0);
        assertEquals(6.0, d(rise, "2026-11|P-CPS", "net_payable"), 1e-9);
    }

    @Test
    void hybridAndCpmPartnersHaveTheirLines() {
        assertEquals("hybrid", usd.get("2026-11|P-HYB").getAs("payment_model"));
        assertEquals(10.0, d(usd, "2026-11|P-HYB", "commission_cps"), 1e-9);       // 2 % of 500
        assertEquals(500.0, d(usd, "2026-11|P-HYB", "commission_flat_fee"), 1e-9);  // 25 days x 600 / 30
        assertEquals(510.0, d(usd, "2026-11|P-HYB", "net_payable"), 1e-9);
        assertEquals(600.0, d(usd, "2026-10|P-HYB", "commission_flat_fee"), 1e-9); // the whole of October
        assertEquals("cpm", usd.get("2026-11|P-CPM").getAs("payment_model"));
        assertEquals("awareness", usd.get("2026-11|P-CPM").getAs("funnel_stage"));
        assertEquals(10.0, d(usd, "2026-11|P-CPM", "commission_cpm"), 1e-9);       // 2,000 x 5 / 1,000
        assertEquals(2.0, d(usd, "2026-11|P-CPM", "commission_uplift"), 1e-9);
        assertEquals(12.0, d(usd, "2026-11|P-CPM", "commission_gross"), 1e-9);
        assertEquals(250.0, d(usd, "2026-11|P-FLAT", "commission_flat_fee"), 1e-9);
    }

    @Test
    void aPositionBasedPayoutPaysEachPartnerItsPositionShare() {
        // o-pb (Nov 12, 100 USD): P-CPS first (40 %), P-CPM in the middle (20 %), P-HYB last (40 %)
        Dataset<Row> pb = Rows.of(spark(), MartsFixture.CREDIT,
                credit("o-pb", "2026-11-12", "position_based", "P-CPS", 0.4, 100),
                credit("o-pb", "2026-11-12", "position_based", "P-CPM", 0.2, 100),
                credit("o-pb", "2026-11-12", "position_based", "P-HYB", 0.4, 100));
        Dataset<Row> versions = Rows.of(spark(), ORDERS, version("o-pb", "2026-11-12", "2026-11-12", "placed", 100,
                "2026-11-12"), version("o-pb", "2026-11-12", "2026-11-14", "returned", 50, "2026-11-14"));
        Map<String, Row> rows = byMonthAndPartner(Statements.statements(pb, costs(pb), versions, fxDaily,
                flags.limit(0), queue.limit(0), touchpoints, dim, rules, config.marts().funnelStageUplift(),
                config.marts().lockDaysAfterMonthEnd(), "position_based", null, RUN, null, "USD"));
        assertEquals("position_based", rows.get("2026-11|P-CPS").getAs("payout_model"));
        assertEquals(0.4, d(rows, "2026-11|P-CPS", "credited_orders"), 1e-12);
        assertEquals(2.0, d(rows, "2026-11|P-CPS", "commission_cps"), 1e-9);   // 5 % x 0.4 x 100 placed
        assertEquals(1.0, d(rows, "2026-11|P-CPS", "reversals"), 1e-9);        // 5 % x 0.4 x the 50 returned
        assertEquals(0.8, d(rows, "2026-11|P-HYB", "commission_cps"), 1e-9);   // 2 % x 0.4 x 100
        assertEquals(0.4, d(rows, "2026-11|P-HYB", "reversals"), 1e-9);
        assertEquals(0.2, d(rows, "2026-11|P-CPM", "credited_orders"), 1e-12);
        assertEquals(0.0, d(rows, "2026-11|P-CPM", "commission_cps"), 0);      // a CPM partner earns no CPS
    }

    @Test
    void aReportingCurrencyConvertsEachItemAtItsOwnDaysRate() {
        assertEquals("GBP", gbp.get("2026-11|P-HYB").getAs("currency"));
        // P-HYB: o-hyb on Nov 20 at 1.30; fee days 1-14 at 1.25, 15-25 at 1.30 (not all at the month-end rate)
        assertEquals(10.0 / 1.30, d(gbp, "2026-11|P-HYB", "commission_cps"), 1e-9);
        assertEquals(14 * 20 / 1.25 + 11 * 20 / 1.30, d(gbp, "2026-11|P-HYB", "commission_flat_fee"), 1e-9);
        // P-CPS: o-late (Oct 28), o-rise, o-dis, o-open all before Nov 15: 21 / 1.25; o-dis2's release at its
        // order day (Oct 20) rate, like its withhold
        assertEquals(21.0 / 1.25, d(gbp, "2026-11|P-CPS", "commission_cps"), 1e-9);
        assertEquals(6.0 / 1.25, d(gbp, "2026-11|P-CPS", "released_fraud"), 1e-9);
        assertEquals(usd.get("2026-11|P-CPS").<Double>getAs("net_payable") / 1.25,
                d(gbp, "2026-11|P-CPS", "net_payable"), 1e-9);
    }

    @Test
    void statementsAgreeWithPartnerDailyInTheReportingCurrency() {
        // For a month without late items, withholds or returns the statement's components are partner_daily's
        // summed over the month, in GBP too.
        Dataset<Row> toGbp = Costs.toReporting(fxDaily, "GBP");
        Dataset<Row> payoutCredit = credit();
        Dataset<Row> daily = PartnerDaily.assemble(PartnerDaily.creditMeasures(payoutCredit, null, RUN), activity,
                costs(payoutCredit), Costs.paidSpend(Rows.of(spark(), MartsFixture.SPEND), fxDaily, null, RUN),
                PartnerDaily.assists(Rows.of(spark(), MartsFixture.TOUCHES), payoutCredit, null, RUN), dim, rules,
                config.marts().funnelStageUplift(), toGbp, "GBP");
        for (String partner : List.of("P-HYB", "P-CPM", "P-FLAT")) {
            Row month = daily.where(col("partner_id").equalTo(partner).and(col("model").equalTo("last_click"))
                            .and(col("date").geq(java.sql.Date.valueOf("2026-11-01"))))
                    .agg(org.apache.spark.sql.functions.sum("cost_cps"), org.apache.spark.sql.functions.sum("cost_cpm"),
                            org.apache.spark.sql.functions.sum("cost_flat_fee"),
                            org.apache.spark.sql.functions.sum("cost_uplift"),
                            org.apache.spark.sql.functions.sum("cost_total"))
                    .first();
            String key = "2026-11|" + partner;
            assertEquals(month.getDouble(0), d(gbp, key, "commission_cps"), 1e-9, partner);
            assertEquals(month.getDouble(1), d(gbp, key, "commission_cpm"), 1e-9, partner);
            assertEquals(month.getDouble(2), d(gbp, key, "commission_flat_fee"), 1e-9, partner);
            assertEquals(month.getDouble(3), d(gbp, key, "commission_uplift"), 1e-9, partner);
            assertEquals(month.getDouble(4), d(gbp, key, "commission_gross"), 1e-9, partner);
        }
    }

    @Test
    void theStatementsErrorChecksHoldOnEveryRow() {
        CheckFile file = CheckFileParser.parse(Path.of("data-quality/gold.commission_statement.yaml"));
        List<String> failures = new ArrayList<>();
        for (CheckSpec check : file.checks()) {
            if (check.rule().equals("satisfies") && check.level() == CheckSpec.Level.ERROR) {
                for (Dataset<Row> statements : List.of(usdStatements, gbpStatements)) {
                    statements.where("NOT coalesce(" + check.text("predicate") + ", false)").collectAsList()
                            .forEach(r -> failures.add(check.name() + ": " + r));
                }
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    @Test
    void theDismissalThatCountsIsTheItemsLatestDecisionReviewedByTheRunDate() {
        // o-x: dismissed on Nov 8, confirmed after all on Nov 20. o-y: escalated and dismissed at the same instant
        // on Nov 9, the dismissal recorded last. o-z: dismissed on Nov 12, after the first run date.
        Dataset<Row> decisions = Rows.of(spark(), "decision_id STRING, queue_id STRING, status STRING, "
                        + "reviewed_at TIMESTAMP, recorded_at TIMESTAMP",
                "{\"decision_id\":\"d1\",\"queue_id\":\"order:o-x\",\"status\":\"dismissed\","
                        + "\"reviewed_at\":\"2026-11-08T15:00:00\",\"recorded_at\":\"2026-11-08T15:00:01\"}",
                "{\"decision_id\":\"d2\",\"queue_id\":\"order:o-x\",\"status\":\"confirmed\","
                        + "\"reviewed_at\":\"2026-11-20T09:00:00\",\"recorded_at\":\"2026-11-20T09:00:01\"}",
                "{\"decision_id\":\"d3\",\"queue_id\":\"order:o-y\",\"status\":\"dismissed\","
                        + "\"reviewed_at\":\"2026-11-09T10:00:00\",\"recorded_at\":\"2026-11-09T10:05:00\"}",
                "{\"decision_id\":\"d4\",\"queue_id\":\"order:o-y\",\"status\":\"escalated\","
                        + "\"reviewed_at\":\"2026-11-09T10:00:00\",\"recorded_at\":\"2026-11-09T10:01:00\"}",
                "{\"decision_id\":\"d5\",\"queue_id\":\"order:o-z\",\"status\":\"dismissed\","
                        + "\"reviewed_at\":\"2026-11-12T00:00:00\",\"recorded_at\":\"2026-11-12T00:00:01\"}");
        assertEquals(List.of("[order:o-x,2026-11-08]", "[order:o-y,2026-11-09]"),
                Rows.sorted(Statements.dismissals(decisions, LocalDate.parse("2026-11-10"))));
        // A rerun of Nov 10 after the confirmation still sees the dismissal; Nov 25 does not.
        assertEquals(List.of("[order:o-y,2026-11-09]", "[order:o-z,2026-11-12]"),
                Rows.sorted(Statements.dismissals(decisions, RUN)));
    }
}
