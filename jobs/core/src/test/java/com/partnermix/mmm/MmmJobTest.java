package com.partnermix.mmm;

import com.partnermix.common.DeltaWrites;
import com.partnermix.common.Experiments;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.StepTimer;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MmmJobTest extends SparkTestBase {

    private static final LocalDate D1 = LocalDate.parse("2026-11-01");
    private static final LocalDate D2 = LocalDate.parse("2026-11-08");

    private static PartnermixConfig configIn(String name, String... overrides) {
        List<String> all = new ArrayList<>(List.of("mmm.candidates=12", "mmm.holdout_days=14"));
        all.addAll(List.of(overrides));
        return config(tmp.resolve(name), all.toArray(String[]::new));
    }

    @Test
    void theRefitScheduleDecidesWhichNightsFitAndTheRefitDagAlwaysDoes() {
        LocalDate sunday = LocalDate.parse("2026-11-22");
        LocalDate monday = sunday.plusDays(1);
        assertNull(MmmJob.skipReason(config(tmp, "mmm.refit=nightly").mmm(), monday));
        assertNull(MmmJob.skipReason(config(tmp, "mmm.refit=weekly", "mmm.refit_weekday=sunday").mmm(), sunday));
        assertEquals("weekly refit runs on sunday; the latest fit stays in use",
                MmmJob.skipReason(config(tmp, "mmm.refit=weekly", "mmm.refit_weekday=sunday").mmm(), monday));
        assertTrue(MmmJob.skipReason(config(tmp, "mmm.refit=scheduled").mmm(), sunday).contains("mmm --refit"));
        assertThrows(IllegalArgumentException.class,
                () -> MmmJob.skipReason(config(tmp, "mmm.refit=hourly").mmm(), sunday));
        // A skipped night writes nothing; --refit (forced) would fit (shown by the fit tests below).
        MmmJob.Report skipped = MmmJob.fit(null, config(tmp, "mmm.refit=scheduled"), sunday, false);
        assertEquals("skipped", skipped.outcome());
    }

    @Test
    void aFitWritesOneSliceOfTermsAndContributionsAndARerunReplacesIt() {
        PartnermixConfig config = configIn("fit");
        Warehouse wh = new Warehouse(spark(), config.paths().warehouse());
        Panel panel = SyntheticPanel.generate(D1, 120, 3, 4, 5);
        MmmJob.Report report = MmmJob.fitPanel(wh, config, D1, panel, new StepTimer());
        assertTrue(report.fitted(), report.format());
        MmmJob.fitPanel(wh, config, D1, panel, new StepTimer());
        // 3 intercepts + 10 controls + baseline + 4 channels, once although the night ran twice
        assertEquals(18, wh.read(Tables.GOLD_MMM_FIT).count());
        assertEquals(120 * 3 * 5, wh.read(Tables.GOLD_MMM_CONTRIBUTIONS).count());
        for (Row r : wh.read(Tables.GOLD_MMM_FIT).where(col("term_type").equalTo("media")).collectAsList()) {
            assertTrue(r.<Double>getAs("coef_orders") >= 0, r.toString());
            assertTrue(r.<Double>getAs("adstock_theta") >= 0 && r.<Double>getAs("adstock_theta") < 1);
        }
        // Channels plus baseline add up to the fitted orders of every region and day.
        Row sums = wh.read(Tables.GOLD_MMM_CONTRIBUTIONS).agg(org.apache.spark.sql.functions.sum("incremental_orders"))
                .first();
        assertEquals(panel.totalOrders(), sums.getDouble(0), 0.02 * panel.totalOrders());
        // the night's line names the lift tests the fit took as priors
        panel.liftTests.add(new Panel.LiftTest("t-ch01", 0, 100, 119, 40, 20));
        assertTrue(MmmJob.fitPanel(wh, config, D2, panel, new StepTimer()).format()
                .contains("lift tests as priors: t-ch01 (" + panel.channels[0] + ")"));
    }

    @Test
    void tooLittleDataIsRefusedWithoutWritingAndTheEarlierFitStays() {
        PartnermixConfig config = configIn("refuse");
        Warehouse wh = new Warehouse(spark(), config.paths().warehouse());
        assertTrue(MmmJob.fitPanel(wh, config, D1, SyntheticPanel.generate(D1, 120, 3, 4, 5), new StepTimer()).fitted());
        long version = wh.delta(Tables.GOLD_MMM_FIT).history(1).first().getAs("version");
        long contributions = wh.read(Tables.GOLD_MMM_CONTRIBUTIONS).count();

        // a week of 3 regions is 21 region-days for 29 parameters
        MmmJob.Report report = MmmJob.fitPanel(wh, config, D2, SyntheticPanel.generate(D2, 7, 3, 4, 5), new StepTimer());

        assertEquals("refused", report.outcome());
        assertTrue(report.format().contains("too little data to fit: 21 region-days"), report.format());
        assertEquals(version, (long) wh.delta(Tables.GOLD_MMM_FIT).history(1).first().getAs("version"));
        assertEquals(List.of(D1), wh.read(Tables.GOLD_MMM_FIT).select("run_date").distinct().collectAsList().stream()
                .map(r -> r.getDate(0).toLocalDate()).toList());
        assertEquals(contributions, wh.read(Tables.GOLD_MMM_CONTRIBUTIONS).count());
        // the night after uses the kept fit; a night never uses its own fit (reruns give the same credit)
        assertEquals(D1, MixedMedia.latestBefore(wh, D2.plusDays(1)).orElseThrow().fitDate());
        assertTrue(MixedMedia.latestBefore(wh, D1).isEmpty());
    }

    @Test
    void thePanelIsAggregatedFromTheWarehouseAndAWeekOfDataIsRefused() {
        PartnermixConfig config = configIn("warehouse");
        Warehouse wh = new Warehouse(spark(), config.paths().warehouse());
        DeltaWrites.overwrite(wh, Tables.BRONZE_TOUCHPOINTS, Rows.of(spark(),
                "event_id STRING, event_date DATE, event_type STRING, channel STRING, partner_id STRING, country STRING, "
                        + "delivery_date DATE",
                "{\"event_id\":\"e1\",\"event_date\":\"2026-11-05\",\"event_type\":\"click\",\"channel\":\"paid_search\",\"country\":\"US\",\"delivery_date\":\"2026-11-05\"}",
                "{\"event_id\":\"e2\",\"event_date\":\"2026-11-05\",\"event_type\":\"click\",\"channel\":\"paid_search\",\"country\":\"CA\",\"delivery_date\":\"2026-11-05\"}",
                "{\"event_id\":\"e3\",\"event_date\":\"2026-11-05\",\"event_type\":\"impression\",\"channel\":\"paid_search\",\"country\":\"US\",\"delivery_date\":\"2026-11-05\"}",
                "{\"event_id\":\"e4\",\"event_date\":\"2026-11-05\",\"event_type\":\"page_view\",\"channel\":\"paid_search\",\"country\":\"US\",\"delivery_date\":\"2026-11-05\"}",
                "{\"event_id\":\"e5\",\"event_date\":\"2026-11-06\",\"event_type\":\"click\",\"channel\":\"affiliate\",\"partner_id\":\"P1\",\"country\":\"DE\",\"delivery_date\":\"2026-11-06\"}",
                "{\"event_id\":\"e6\",\"event_date\":\"2026-11-06\",\"event_type\":\"click\",\"channel\":\"direct\",\"country\":\"DE\",\"delivery_date\":\"2026-11-06\"}",
                "{\"event_id\":\"e7\",\"event_date\":\"2026-11-07\",\"event_type\":\"click\",\"channel\":\"affiliate\",\"partner_id\":\"P1\",\"country\":\"DE\",\"delivery_date\":\"2026-11-07\"}",
                // delivered the day after the run date: not in the panel that night (2 NA clicks on the 5th, not 3)
                "{\"event_id\":\"e8\",\"event_date\":\"2026-11-05\",\"event_type\":\"click\",\"channel\":\"paid_search\",\"country\":\"US\",\"delivery_date\":\"2026-11-09\"}"));
        // Order O2 (the 6th) came 2 minutes after the coupon click e5, in a later session than the direct visit e6:
        // e5 is its purchase session. Order O9 (the 9th, after the run date) would make e7 one: not that night.
        DeltaWrites.overwrite(wh, Tables.SILVER_JOURNEY_TOUCHES, Rows.of(spark(),
                "journey_id STRING, order_id STRING, event_id STRING, session_id STRING, position INT, "
                        + "seconds_before_order DOUBLE",
                "{\"journey_id\":\"J2\",\"order_id\":\"O2\",\"event_id\":\"e6\",\"session_id\":\"S1\",\"position\":1,\"seconds_before_order\":7200}",
                "{\"journey_id\":\"J2\",\"order_id\":\"O2\",\"event_id\":\"e5\",\"session_id\":\"S2\",\"position\":2,\"seconds_before_order\":120}",
                "{\"journey_id\":\"J9\",\"order_id\":\"O9\",\"event_id\":\"e7\",\"session_id\":\"S3\",\"position\":1,\"seconds_before_order\":60}"));
        DeltaWrites.overwrite(wh, Tables.SILVER_DIM_PARTNER, Rows.of(spark(),
                "partner_id STRING, partner_type STRING, cps_rate DECIMAL(18,8), cpc_rate DECIMAL(18,8), "
                        + "cpm_rate DECIMAL(18,8), rate_currency STRING, valid_from DATE, valid_to DATE",
                "{\"partner_id\":\"P1\",\"partner_type\":\"coupon\",\"cpc_rate\":0.5,\"rate_currency\":\"EUR\","
                        + "\"valid_from\":\"2026-01-01\",\"valid_to\":\"2026-11-07\"}",
                "{\"partner_id\":\"P1\",\"partner_type\":\"cashback\",\"cpc_rate\":1.0,\"rate_currency\":\"EUR\","
                        + "\"valid_from\":\"2026-11-07\"}"));
        DeltaWrites.overwrite(wh, Tables.BRONZE_FX_RATES, Rows.of(spark(),
                "date DATE, currency STRING, usd_per_unit DECIMAL(18,8), delivery_date DATE",
                "{\"date\":\"2026-11-01\",\"currency\":\"EUR\",\"usd_per_unit\":1.1,\"delivery_date\":\"2026-11-01\"}"));
        DeltaWrites.overwrite(wh, Tables.SILVER_JOURNEYS, Rows.of(spark(),
                "order_id STRING, is_converted BOOLEAN, order_date DATE, region STRING, revenue_usd DECIMAL(18,4)",
                "{\"order_id\":\"O1\",\"is_converted\":true,\"order_date\":\"2026-11-05\",\"region\":\"NA\",\"revenue_usd\":50}",
                "{\"order_id\":\"O2\",\"is_converted\":true,\"order_date\":\"2026-11-06\",\"region\":\"EMEA\",\"revenue_usd\":30}",
                "{\"order_id\":\"O3\",\"is_converted\":true,\"order_date\":\"2026-11-06\",\"region\":\"EMEA\",\"revenue_usd\":20}",
                "{\"is_converted\":false,\"order_date\":\"2026-11-06\",\"region\":\"EMEA\"}",
                "{\"order_id\":\"O9\",\"is_converted\":true,\"order_date\":\"2026-11-09\",\"region\":\"EMEA\",\"revenue_usd\":10}"));

        Panel panel = MmmJob.buildPanel(wh, config, D2.minusDays(364), D2);

        // from the first day with data to the run date; direct is not media (conf exclude_channels)
        assertEquals(LocalDate.parse("2026-11-05"), panel.firstDate);
        assertEquals(4, panel.days);
        assertEquals(List.of("EMEA", "NA"), List.of(panel.regions));
        assertEquals(List.of("affiliate:cashback", "affiliate:coupon", "paid_search"), List.of(panel.channels));
        int na = panel.regionIndex("NA");
        int emea = panel.regionIndex("EMEA");
        int search = panel.channelIndex("paid_search");
        assertEquals(2, panel.clicks[search][na][0], 0);                 // US and CA are NA; the page view is not media
        assertEquals(1, panel.impressions[search][na][0], 0);
        assertEquals(2.3, panel.activity[search][na][0], 1e-12);         // clicks + 0.3 x impressions
        // the partner version of the touch's day: coupon on the 6th, cashback from the 7th; CPC in EUR at 1.1
        int coupon = panel.channelIndex("affiliate:coupon");
        int cashback = panel.channelIndex("affiliate:cashback");
        assertEquals(1, panel.clicks[coupon][emea][1], 0);
        assertEquals(0.55, panel.cost[coupon][emea][1], 1e-9);
        assertEquals(1.1, panel.cost[cashback][emea][2], 1e-9);
        // the coupon click of O2's purchase session was shown and paid, but the order brought it: no activity
        assertEquals(0, panel.activity[coupon][emea][1], 0);
        assertEquals(1, panel.activity[cashback][emea][2], 0);     // O9's comes after the run date
        Panel counted = MmmJob.buildPanel(wh, configIn("warehouse", "mmm.exclude_purchase_sessions=false"),
                D2.minusDays(364), D2);
        assertEquals(1, counted.activity[coupon][emea][1], 0);
        assertEquals(2, panel.orders[emea][1], 0);
        assertEquals(50, panel.revenue[emea][1], 1e-9);

        MmmJob.Report report = MmmJob.fit(wh, config, D2);
        assertEquals("refused", report.outcome(), report.format());
        assertFalse(wh.exists(Tables.GOLD_MMM_FIT));
        assertFalse(wh.exists(Tables.GOLD_MMM_CONTRIBUTIONS));
    }

    @Test
    void aLiftTestBecomesTheContributionOfTheChannelsWholeActivityOverItsDaysInThePanel() {
        Panel panel = new Panel(D1, 10, new String[] {"NA"}, new String[] {"affiliate:creator", "paid_social"});
        for (int t = 5; t < 10; t++) {
            panel.clicks[0][0][t] = 20;          // 100 clicks and 50 impressions over days 5..9
            panel.impressions[0][0][t] = 10;
        }
        LocalDate start = D1.plusDays(5);
        List<Experiments.Test> tests = List.of(
                // 60 - 40 = 20 conversions, error sqrt(60 + 40) = 10; the test arm's 40 clicks + 0.3 x 20 = 46
                // touches of the channel's 100 + 0.3 x 50 = 115 over days 5..9 (the test ran past the panel)
                new Experiments.Test("t-creator", "creator", start, start.plusDays(14), 1000, 60, 1000, 40, 40, 20),
                new Experiments.Test("t-podcast", "podcast", start, start.plusDays(4), 1000, 60, 1000, 40, 40, 20),
                new Experiments.Test("t-old", "paid_social", D1.minusDays(30), D1.minusDays(10), 1000, 60, 1000, 40,
                        40, 20),
                new Experiments.Test("t-unseen", "paid_social", start, start.plusDays(4), 1000, 60, 1000, 40, 0, 0));

        List<Panel.LiftTest> priors = MmmJob.liftTests(tests, panel, 0.3, 4.0);

        // the unknown group, the test before the panel and the test without touches give no prior
        assertEquals(1, priors.size());
        Panel.LiftTest creator = priors.get(0);
        assertEquals("t-creator", creator.name());
        assertEquals(0, creator.channel());
        assertEquals(5, creator.firstDay());
        assertEquals(9, creator.lastDay());
        assertEquals(20 * 115 / 46.0, creator.orders(), 1e-9);
        assertEquals(10 * 115 / 46.0 / 2, creator.standardError(), 1e-9);   // weight 4: as 4 such tests
    }
}
