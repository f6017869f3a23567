package com.partnermix.reliability;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.testing.LandingFixture;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A return delivered 45 days after its order, through the real nightly stages (ingest, journeys, attribute, marts;
 * fraud, mmm, the gates and publish change nothing here and are left out to keep the test short):
 *
 * <pre>
 * 2026-10-10  o-1: a click of P-CR-007 (hybrid: 10 % CPS, creator = awareness, 20 % uplift), then 100 EUR
 *             (1 EUR = 1.054 USD: 105.40 USD); o-2: 50 EUR without a touch
 * 2026-11-10  October locks (10 days after its end): its statement is written for the last time
 * 2026-11-24  o-1 partly returned: 40 EUR kept (42.16 USD)
 * </pre>
 *
 * The order's credited revenue drops to 42.16 USD in every table that shows it; October's statement stays as it
 * was locked; November carries the clawback of the commission paid on the 63.24 USD returned.
 *
 * <p>Three nights, about three minutes on two cores; MartsJobTest holds the same statement rules (a whole and a
 * partial return after the lock) on handmade tables.
 */
@Slow
class LateChangeTest extends SparkTestBase {

    static final LocalDate ORDERED = LocalDate.parse("2026-10-10");
    static final LocalDate LOCKED = LocalDate.parse("2026-11-10");
    static final LocalDate RETURNED = LocalDate.parse("2026-11-24");
    static final List<String> SKIPPED = List.of("dq_bronze", "dq_silver", "fraud", "mmm", "dq_gold", "publish");
    static final double PAID_USD = 105.4;
    static final double KEPT_USD = 42.16;

    static Warehouse wh;
    static Row octoberAtLock;
    static double creditedBefore;
    static double dailyBefore;

    @BeforeAll
    static void threeNights() {
        PartnermixConfig config = config(tmp.resolve("late-return"));
        wh = new Warehouse(spark(), config.paths().warehouse());
        new LandingFixture(tmp.resolve("late-return/landing")).basics(ORDERED).basics(LOCKED).basics(RETURNED)
                .file("touchpoints", ORDERED, "part-1.jsonl", List.of(
                        LandingFixture.click("e-1", "2026-10-10T10:00:00Z", "P-CR-007", "a-1"),
                        LandingFixture.pageView("e-2", "2026-10-10T10:00:05Z", "landing", "a-1")))
                .file("orders", ORDERED, "part-1.jsonl", List.of(
                        LandingFixture.order("o-1", "2026-10-10T10:05:00Z", "2026-10-10T10:05:00Z", "placed", "100", "a-1"),
                        LandingFixture.order("o-2", "2026-10-10T12:00:00Z", "2026-10-10T12:00:00Z", "placed", "50", "a-2")))
                .file("touchpoints", LOCKED, "part-1.jsonl", List.of())
                .file("orders", LOCKED, "part-1.jsonl", List.of())
                .file("touchpoints", RETURNED, "part-1.jsonl", List.of())
                .file("orders", RETURNED, "part-1.jsonl", List.of(
                        LandingFixture.order("o-1", "2026-10-10T10:05:00Z", "2026-11-24T08:00:00Z", "returned", "40", "a-1")));

        Nights.run(wh, config, ORDERED, SKIPPED);
        // Only the catalog and rates arrive on the lock day: journeys and attribution would rebuild nothing.
        Nights.run(wh, config, LOCKED, List.of("dq_bronze", "journeys", "dq_silver", "attribute", "fraud", "mmm",
                "dq_gold", "publish"));
        octoberAtLock = statement("2026-10-01");
        creditedBefore = creditedRevenue("last_click");
        dailyBefore = partnerDailyGmv("last_click");
        Nights.run(wh, config, RETURNED, SKIPPED);
    }

    static Row statement(String month) {
        List<Row> rows = wh.read(Tables.GOLD_COMMISSION_STATEMENT).where(col("partner_id").equalTo("P-CR-007")
                .and(col("statement_month").equalTo(Date.valueOf(month)))).collectAsList();
        assertEquals(1, rows.size(), month);
        return rows.get(0);
    }

    static double creditedRevenue(String model) {
        return sumOf(wh.read(Tables.GOLD_ATTRIBUTION_CREDIT).where(col("order_id").equalTo("o-1")
                .and(col("model").equalTo(model))), "credited_revenue_usd");
    }

    static double partnerDailyGmv(String model) {
        return sumOf(wh.read(Tables.GOLD_PARTNER_DAILY).where(col("date").equalTo(Date.valueOf(ORDERED))
                .and(col("partner_id").equalTo("P-CR-007")).and(col("model").equalTo(model))), "gmv");
    }

    static double sumOf(Dataset<Row> rows, String column) {
        Row r = rows.agg(sum(col(column).cast("double"))).first();
        return r.isNullAt(0) ? 0.0 : r.getDouble(0);
    }

    static double d(Row r, String column) {
        return ((Number) r.getAs(column)).doubleValue();
    }

    @Test
    void theReturnLowersTheOrdersCreditedRevenueUnderEveryModelAndInEveryMart() {
        assertEquals(PAID_USD, creditedBefore, 1e-9);
        assertEquals(PAID_USD, dailyBefore, 1e-9);
        List<String> models = wh.read(Tables.GOLD_ATTRIBUTION_CREDIT).select("model").distinct().collectAsList().stream()
                .map(r -> r.getString(0)).toList();
        assertTrue(models.size() >= 10, models.toString());
        for (String model : models) {
            assertEquals(KEPT_USD, creditedRevenue(model), 1e-9, model);
        }
        assertEquals(List.of("returned"), wh.read(Tables.GOLD_ATTRIBUTION_CREDIT).where(col("order_id").equalTo("o-1"))
                .select("order_status").distinct().collectAsList().stream().map(r -> r.getString(0)).toList());
        assertEquals(KEPT_USD, partnerDailyGmv("last_click"), 1e-9);
        // the day's GMV over all channels: o-1's kept 42.16 + o-2's 52.70, under every model
        for (String model : models) {
            assertEquals(KEPT_USD + 52.7, sumOf(wh.read(Tables.GOLD_PARTNER_DAILY).where(col("date")
                    .equalTo(Date.valueOf(ORDERED)).and(col("model").equalTo(model))), "gmv"), 1e-6, model);
        }
        Row comparison = wh.read(Tables.GOLD_MODEL_COMPARISON).where(col("period_month").equalTo(Date.valueOf("2026-10-01"))
                .and(col("level").equalTo("partner")).and(col("partner_id").equalTo("P-CR-007"))
                .and(col("model").equalTo("linear"))).first();
        assertEquals(KEPT_USD, d(comparison, "gmv"), 1e-9);
        assertEquals(KEPT_USD, d(comparison, "last_click_gmv"), 1e-9);
    }

    @Test
    void theLockedMonthIsNotRewrittenAndTheNextOpenMonthClawsBackTheCommissionOnTheReturnedRevenue() {
        assertTrue(octoberAtLock.<Boolean>getAs("is_locked"));
        assertEquals(0.10 * PAID_USD, d(octoberAtLock, "commission_cps"), 1e-9);
        assertEquals(0.0, d(octoberAtLock, "reversals"), 1e-9);
        assertEquals(octoberAtLock, statement("2026-10-01"));   // same computed_on (2026-11-10): not written again

        Row november = statement("2026-11-01");
        // CPS and uplift paid in October on the 63.24 USD that came back
        assertEquals(0.10 * (PAID_USD - KEPT_USD) * 1.2, d(november, "reversals"), 1e-9);
        assertEquals(0.0, d(november, "commission_cps"), 1e-9);   // no November order
        assertEquals(d(november, "commission_gross") - d(november, "reversals"), d(november, "net_payable"), 1e-9);
    }
}
