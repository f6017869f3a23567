package com.partnermix.marts;

import com.partnermix.common.FxRates;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.journeys.TouchRules;
import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** gold.partner_daily on the hand-checked day of {@link MartsFixture}: every payment model, assists, CAC, ROAS. */
class PartnerDailyTest extends SparkTestBase {

    private static final LocalDate DAY = LocalDate.parse(MartsFixture.DAY);
    private static Map<String, Row> rows;
    private static Dataset<Row> daily;

    /** The fixture day's mart in {@code currency} (toReporting null: USD). */
    static Dataset<Row> dailyIn(Dataset<Row> toReporting, String currency) {
        PartnermixConfig config = config(Path.of("unused"));
        TouchRules rules = new TouchRules(config.journeys());
        Dataset<Row> fxDaily = FxRates.dailyCalendar(MartsFixture.fx(spark()), DAY, DAY);
        Dataset<Row> credit = MartsFixture.credit(spark());
        Dataset<Row> dim = MartsFixture.dimPartner(spark());
        Dataset<Row> activity = PartnerDaily.activity(MartsFixture.touchpoints(spark()), rules, DAY, DAY);
        Dataset<Row> costs = Costs.partnerCosts(activity, credit.where(col("model").equalTo("last_click")), dim,
                fxDaily, DAY, DAY);
        return PartnerDaily.assemble(PartnerDaily.creditMeasures(credit, DAY, DAY), activity, costs,
                Costs.paidSpend(MartsFixture.spend(spark()), fxDaily, DAY, DAY),
                PartnerDaily.assists(MartsFixture.journeyTouches(spark()), credit, DAY, DAY), dim, rules,
                config.marts().funnelStageUplift(), toReporting, currency);
    }

    @BeforeAll
    static void build() {
        daily = dailyIn(null, "USD").cache();
        rows = new HashMap<>();
        for (Row r : daily.collectAsList()) {
            String key = r.getAs("model") + "|" + (r.getAs("partner_id") == null ? r.getAs("channel") : r.getAs("partner_id"))
                    + "|" + r.getAs("region");
            rows.put(key, r);
        }
    }

    private static double d(String key, String column) {
        Row r = rows.get(key);
        assertTrue(r != null, "no row " + key + " in " + rows.keySet());
        return ((Number) r.getAs(column)).doubleValue();
    }

    @Test
    void cpsPartnerIsPaidItsRateOnTheLastClickRevenue() {
        assertEquals(1.0, d("last_click|P-CPS|NA", "orders"), 1e-12);
        assertEquals(100.0, d("last_click|P-CPS|NA", "gmv"), 1e-9);
        assertEquals(5.0, d("last_click|P-CPS|NA", "cost_cps"), 1e-9);
        assertEquals(0.0, d("last_click|P-CPS|NA", "cost_uplift"), 1e-12);   // conversion stage: no uplift
        assertEquals(5.0, d("last_click|P-CPS|NA", "cac"), 1e-9);
        assertEquals(20.0, d("last_click|P-CPS|NA", "roas"), 1e-9);
        assertEquals(100.0, d("last_click|P-CPS|NA", "aov"), 1e-9);
        assertEquals("coupon", rows.get("last_click|P-CPS|NA").getAs("partner_type"));
        assertEquals("conversion", rows.get("last_click|P-CPS|NA").getAs("funnel_stage"));
    }

    @Test
    void cpcPartnerIsPaidPerClickInItsRateCurrencyAndAssistedWithoutTheLastClick() {
        // 2 clicks x 0.50 EUR x 1.10 USD/EUR; consideration uplift 10 %
        assertEquals(2.0, d("last_click|P-CPC|NA", "clicks"), 0);
        assertEquals(1.10, d("last_click|P-CPC|NA", "cost_cpc"), 1e-9);
        assertEquals(0.11, d("last_click|P-CPC|NA", "cost_uplift"), 1e-9);
        assertEquals(1.21, d("last_click|P-CPC|NA", "cost_total"), 1e-9);
        assertEquals(1.0, d("last_click|P-CPC|NA", "assists"), 0);
        assertEquals(0.0, d("last_click|P-CPC|NA", "orders"), 0);
    }

    @Test
    void cacWithZeroNewCustomersIsNullNotInfinite() {
        Row cpc = rows.get("last_click|P-CPC|NA");
        assertNull(cpc.getAs("cac"));
        assertNull(cpc.getAs("aov"));
        assertEquals(0.0, d("last_click|P-CPC|NA", "roas"), 0);
        // the same partner under linear holds half of o1 (a new customer): 1.21 / 0.5
        assertEquals(2.42, d("linear|P-CPC|NA", "cac"), 1e-9);
        assertEquals(50.0, d("linear|P-CPC|NA", "gmv"), 1e-9);
    }

    @Test
    void cpmFlatFeeAndHybridPartnersAreCostedByTheirModel() {
        assertEquals(2.0, d("last_click|P-CPM|NA", "impressions"), 0);
        assertEquals(0.01, d("last_click|P-CPM|NA", "cost_cpm"), 1e-12);
        assertEquals(0.012, d("last_click|P-CPM|NA", "cost_total"), 1e-12);   // awareness uplift 20 %
        assertEquals(10.0, d("last_click|P-FLAT|EMEA", "cost_flat_fee"), 1e-9);  // 300 / 30 days
        assertEquals(0.0, d("last_click|P-FLAT|EMEA", "cost_uplift"), 0);   // the flat fee earns no uplift
        assertEquals(1.6, d("last_click|P-HYB|NA", "cost_cps"), 1e-9);       // 2 % of 80
        assertEquals(20.0, d("last_click|P-HYB|NA", "cost_flat_fee"), 1e-9); // 600 / 30 days
        assertEquals(80.0 / 21.6, d("last_click|P-HYB|NA", "roas"), 1e-9);
        // cost is what is paid (CPS on the payout model), the same on every model's row
        assertEquals(5.0, d("linear|P-CPS|NA", "cost_cps"), 1e-9);
    }

    @Test
    void nonPartnerChannelsAreRowsWithTheirLatestSpend() {
        assertEquals(40.0, d("last_click|paid_search|NA", "paid_spend"), 1e-9);   // the corrected delivery
        assertEquals(5.0, d("last_click|paid_search|NA", "roas"), 1e-9);
        assertEquals("consideration", rows.get("last_click|paid_search|NA").getAs("funnel_stage"));
        assertEquals(25.0, d("last_click|display|NA", "cost_total"), 1e-9);
        assertEquals(0.0, d("last_click|display|NA", "orders"), 0);
        assertNull(rows.get("last_click|display|NA").getAs("cac"));
        assertEquals(1.0, d("last_click|unattributed|NA", "orders"), 0);
    }

    @Test
    void gmvAndOrdersSummedOverTheMartEqualTheCreditPerModelAndDay() {
        List<Row> recon = PartnerDaily.reconcile(daily, MartsFixture.credit(spark()), null, DAY, DAY, DAY)
                .orderBy("model").collectAsList();
        assertEquals(2, recon.size());
        for (Row r : recon) {
            assertEquals(4.0, r.<Double>getAs("credit_orders"), 0);
            assertEquals(430.0, r.<Double>getAs("credit_gmv"), 1e-9);
            assertEquals(0.0, r.<Double>getAs("orders_diff"), 1e-9);
            assertEquals(0.0, r.<Double>getAs("gmv_diff"), 1e-9);
        }
        // a mart that lost a row does not reconcile
        Row broken = PartnerDaily.reconcile(daily.where(col("channel").notEqual("paid_search")),
                MartsFixture.credit(spark()), null, DAY, DAY, DAY).where(col("model").equalTo("linear")).first();
        assertEquals(-200.0, broken.<Double>getAs("gmv_diff"), 1e-9);
    }

    @Test
    void aFlatFeeIsSpreadOverTheDaysOfItsMonthAcrossAVersionChange() {
        Dataset<Row> versions = Rows.of(spark(), MartsFixture.DIM_PARTNER,
                "{\"partner_id\":\"P-F\",\"partner_type\":\"creator\",\"region\":\"NA\",\"payment_model\":\"flat_fee\","
                        + "\"flat_fee_monthly\":300,\"rate_currency\":\"USD\",\"valid_from\":\"2026-10-20\","
                        + "\"valid_to\":\"2026-11-16\",\"version\":1}",
                "{\"partner_id\":\"P-F\",\"partner_type\":\"creator\",\"region\":\"NA\",\"payment_model\":\"flat_fee\","
                        + "\"flat_fee_monthly\":600,\"rate_currency\":\"USD\",\"valid_from\":\"2026-11-16\","
                        + "\"valid_to\":null,\"version\":2}");
        Dataset<Row> fees = Costs.flatFees(versions, FxRates.dailyCalendar(MartsFixture.fx(spark()), DAY, DAY), null, DAY);
        // October: 12 days (20..31) x 300 / 31; November: 15 days x 10 + 5 days x 20, nothing after the run date
        double october = fees.where(col("date").lt(java.sql.Date.valueOf("2026-11-01")))
                .agg(org.apache.spark.sql.functions.sum("cost_flat_fee_usd")).first().getDouble(0);
        double november = fees.where(col("date").geq(java.sql.Date.valueOf("2026-11-01")))
                .agg(org.apache.spark.sql.functions.sum("cost_flat_fee_usd")).first().getDouble(0);
        assertEquals(12 * 300.0 / 31, october, 1e-9);
        assertEquals(250.0, november, 1e-9);
        assertEquals(0, fees.where(col("date").gt(java.sql.Date.valueOf(DAY))).count());
    }

    @Test
    void amountsAreConvertedToTheReportingCurrency() {
        Dataset<Row> toGbp = Costs.toReporting(FxRates.dailyCalendar(MartsFixture.fx(spark()), DAY, DAY), "GBP");
        Dataset<Row> gbp = dailyIn(toGbp, "GBP");
        Row search = gbp.where(col("model").equalTo("last_click").and(col("channel").equalTo("paid_search"))).first();
        assertEquals(200.0 / 1.25, ((Number) search.getAs("gmv")).doubleValue(), 1e-9);
        assertEquals(40.0 / 1.25, ((Number) search.getAs("paid_spend")).doubleValue(), 1e-9);
        assertEquals("GBP", search.getAs("currency"));
        // a partner's cost too: 2 clicks x 0.50 EUR = 1.10 USD = 0.88 GBP, + 10 % uplift
        Row cpc = gbp.where(col("model").equalTo("last_click").and(col("partner_id").equalTo("P-CPC"))).first();
        assertEquals(0.88, ((Number) cpc.getAs("cost_cpc")).doubleValue(), 1e-9);
        assertEquals(0.968, ((Number) cpc.getAs("cost_total")).doubleValue(), 1e-9);
    }

    @Test
    void aMissingFxRateLeavesTheCostNullAndTheGoldGateStopsTheNight() {
        // P-CHF is paid 1 CHF a click, and no CHF rate was ever delivered: its cost is unknown, not 1 USD a click
        Dataset<Row> dim = MartsFixture.dimPartner(spark()).unionByName(Rows.of(spark(), MartsFixture.DIM_PARTNER,
                MartsFixture.partner("P-CHF", "review", "NA", "cpc", null, "1.0", null, null, "CHF")));
        Dataset<Row> touchpoints = MartsFixture.touchpoints(spark()).unionByName(Rows.of(spark(), MartsFixture.TOUCHPOINTS,
                MartsFixture.touchpoint("c1", "click", "affiliate", "P-CHF")));
        PartnermixConfig config = config(Path.of("unused"));
        TouchRules rules = new TouchRules(config.journeys());
        Dataset<Row> fxDaily = FxRates.dailyCalendar(MartsFixture.fx(spark()), DAY, DAY);
        Dataset<Row> credit = MartsFixture.credit(spark());
        Dataset<Row> activity = PartnerDaily.activity(touchpoints, rules, DAY, DAY);
        Dataset<Row> mart = PartnerDaily.assemble(PartnerDaily.creditMeasures(credit, DAY, DAY), activity,
                Costs.partnerCosts(activity, credit.where(col("model").equalTo("last_click")), dim, fxDaily, DAY, DAY),
                Costs.paidSpend(MartsFixture.spend(spark()), fxDaily, DAY, DAY),
                PartnerDaily.assists(MartsFixture.journeyTouches(spark()), credit, DAY, DAY), dim, rules,
                config.marts().funnelStageUplift(), null, "USD").cache();
        Row chf = mart.where(col("model").equalTo("last_click").and(col("partner_id").equalTo("P-CHF"))).first();
        assertEquals(1.0, d(chf, "clicks"), 0);
        assertNull(chf.getAs("cost_cpc"));
        assertNull(chf.getAs("cost_total"));
        assertNull(chf.getAs("roas"));
        // the Error-level check of gold.partner_daily fails on exactly that partner's rows (one per model)
        com.partnermix.dq.CheckSpec check = com.partnermix.dq.CheckFileParser.parse(
                Path.of("data-quality/gold.partner_daily.yaml")).checks().stream()
                .filter(c -> c.name().equals("cost_known")).findFirst().orElseThrow();
        assertEquals(com.partnermix.dq.CheckSpec.Level.ERROR, check.level());
        List<Row> failing = mart.where("NOT coalesce(" + check.text("predicate") + ", false)").collectAsList();
        assertEquals(2, failing.size());
        failing.forEach(r -> assertEquals("P-CHF", r.getAs("partner_id")));
    }

    @Test
    void aFlatFeeIsSplitOverTheRegionsOfTheMonthToDateActivityAndItsTotalIsUnchanged() {
        // P-G: 300 USD a month from Oct 31, region GLOBAL. Activity: Oct 31 LATAM (not November's), Nov 2 three
        // clicks in NA, Nov 3 one impression in EMEA.
        Dataset<Row> dim = Rows.of(spark(), MartsFixture.DIM_PARTNER,
                "{\"partner_id\":\"P-G\",\"partner_type\":\"creator\",\"region\":\"GLOBAL\",\"payment_model\":\"flat_fee\","
                        + "\"flat_fee_monthly\":300,\"rate_currency\":\"USD\",\"valid_from\":\"2026-10-31\",\"version\":1}");
        Dataset<Row> activity = Rows.of(spark(), "date DATE, channel STRING, partner_id STRING, region STRING, "
                        + "seen_date DATE, clicks LONG, impressions LONG",
                activityRow("2026-10-31", "LATAM", 1, 0), activityRow("2026-11-02", "NA", 3, 0),
                activityRow("2026-11-03", "EMEA", 0, 1));
        LocalDate to = LocalDate.parse("2026-11-03");
        Map<String, Double> fee = new HashMap<>();
        for (Row r : Costs.partnerCosts(activity, MartsFixture.credit(spark()).limit(0), dim,
                        FxRates.dailyCalendar(MartsFixture.fx(spark()), to, to), null, to)
                .where(col("cost_flat_fee_usd").notEqual(0)).collectAsList()) {
            fee.merge(r.getAs("date").toString() + "|" + r.getAs("region"), r.<Double>getAs("cost_flat_fee_usd"), Double::sum);
        }
        assertEquals(Map.of("2026-10-31|LATAM", 300.0 / 31, "2026-11-01|GLOBAL", 10.0, "2026-11-02|NA", 10.0,
                "2026-11-03|NA", 7.5, "2026-11-03|EMEA", 2.5).keySet(), fee.keySet());
        assertEquals(300.0 / 31, fee.get("2026-10-31|LATAM"), 1e-9);
        assertEquals(10.0, fee.get("2026-11-01|GLOBAL"), 1e-9);   // no November activity yet: its own region
        assertEquals(10.0, fee.get("2026-11-02|NA"), 1e-9);
        assertEquals(7.5, fee.get("2026-11-03|NA"), 1e-9);        // 3 of the month's 4 touches
        assertEquals(2.5, fee.get("2026-11-03|EMEA"), 1e-9);
        assertEquals(300.0 / 31 + 30.0, fee.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
    }

    private static String activityRow(String date, String region, long clicks, long impressions) {
        return String.format("{\"date\":\"%s\",\"channel\":\"affiliate\",\"partner_id\":\"P-G\",\"region\":\"%s\","
                + "\"seen_date\":\"%s\",\"clicks\":%d,\"impressions\":%d}", date, region, date, clicks, impressions);
    }

    @Test
    void paidSpendKeepsEachCurrencyAndSumsTheRowsOfTheLatestDelivery() {
        Dataset<Row> spend = Rows.of(spark(), MartsFixture.SPEND,
                spendRow("paid_search", "USD", 30, MartsFixture.DAY), spendRow("paid_search", "EUR", 10, MartsFixture.DAY),
                spendRow("display", "USD", 25, MartsFixture.DAY), spendRow("display", "USD", 5, "2026-11-21"),
                spendRow("display", "USD", 7, "2026-11-21"));
        Map<String, Double> byChannel = new HashMap<>();
        for (Row r : Costs.paidSpend(spend, FxRates.dailyCalendar(MartsFixture.fx(spark()), DAY, DAY), DAY, DAY)
                .collectAsList()) {
            byChannel.put(r.getAs("channel"), r.<Double>getAs("cost_usd"));
        }
        assertEquals(30.0 + 11.0, byChannel.get("paid_search"), 1e-9);   // 10 EUR at 1.10 beside the 30 USD
        assertEquals(12.0, byChannel.get("display"), 1e-9);              // the Nov 21 delivery's two rows
    }

    private static String spendRow(String channel, String currency, double spend, String delivered) {
        return String.format(Locale.ROOT, "{\"date\":\"%s\",\"channel\":\"%s\",\"region\":\"NA\",\"currency\":\"%s\","
                + "\"spend\":%s,\"delivery_date\":\"%s\"}", MartsFixture.DAY, channel, currency, spend, delivered);
    }

    private static double d(Row r, String column) {
        return ((Number) r.getAs(column)).doubleValue();
    }
}
