package com.partnermix.attribution;

import com.partnermix.common.DeltaWrites;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LiftTestsTest extends SparkTestBase {

    private static final String EXPERIMENTS = "experiment_id STRING, group STRING, start_date DATE, end_date DATE, "
            + "test_persons LONG, test_conversions LONG, control_persons LONG, control_conversions LONG, "
            + "test_clicks LONG, test_impressions LONG, source_file STRING, delivery_date DATE, ingest_run_id STRING";
    private static final String EXPOSURE = "person_id STRING, touch_ts TIMESTAMP, group STRING, weight DOUBLE, "
            + "in_purchase_session BOOLEAN";

    private static String experiment(String id, String group, String start, String end, long testPersons,
                                     long testConversions, long controlPersons, long controlConversions, long clicks,
                                     long impressions, String delivered) {
        return String.format(java.util.Locale.ROOT, "{\"experiment_id\":\"%s\",\"group\":\"%s\",\"start_date\":\"%s\","
                        + "\"end_date\":\"%s\",\"test_persons\":%d,\"test_conversions\":%d,\"control_persons\":%d,"
                        + "\"control_conversions\":%d,\"test_clicks\":%d,\"test_impressions\":%d,"
                        + "\"source_file\":\"experiments/dt=%s/lift.csv\",\"delivery_date\":\"%s\"}",
                id, group, start, end, testPersons, testConversions, controlPersons, controlConversions, clicks,
                impressions, delivered, delivered);
    }

    private static String touch(String group, double weight, boolean inPurchaseSession) {
        return String.format(java.util.Locale.ROOT, "{\"person_id\":\"p\",\"touch_ts\":\"2026-11-10T10:00:00Z\","
                + "\"group\":\"%s\",\"weight\":%s,\"in_purchase_session\":%b}", group, weight, inPurchaseSession);
    }

    /**
     * Run date Nov 20. lift-1 (cashback, 28 days) was corrected on Nov 2: 330 vs 290 conversions of 5,000 each, 40
     * incremental orders over 300 clicks; half the window's cashback touches sit in purchase sessions, so the
     * touches that carry stock added 40 x 2 / 300, Poisson error sqrt(330 + 290) x 2 / 300. lift-2 (creator, 14 days)
     * has 2,000 test and 1,000 control persons: 100 - 2 x 40 = 20 orders over 100 clicks and 100 impressions (0.3
     * each), error sqrt(100 + 4 x 40) / 130. lift-3 ended over a year ago, lift-4 was delivered after the run date,
     * and deal (lift-5) had no touch in the window.
     */
    @Test
    void eachExperimentsLatestDeliveryUpToTheRunDateBecomesALiftTestPerTouchThatCarriesStock() {
        Warehouse wh = new Warehouse(spark(), tmp.resolve("lift-tests").toString());
        DeltaWrites.overwrite(wh, Tables.BRONZE_EXPERIMENTS, Rows.of(spark(), EXPERIMENTS,
                experiment("lift-1", "cashback", "2026-10-01", "2026-10-28", 5000, 310, 5000, 290, 300, 0, "2026-10-30"),
                experiment("lift-1", "cashback", "2026-10-01", "2026-10-28", 5000, 330, 5000, 290, 300, 0, "2026-11-02"),
                experiment("lift-2", "creator", "2026-11-01", "2026-11-14", 2000, 100, 1000, 40, 100, 100, "2026-11-15"),
                experiment("lift-3", "coupon", "2025-09-01", "2025-10-01", 5000, 330, 5000, 290, 300, 0, "2025-10-02"),
                experiment("lift-4", "review", "2026-11-01", "2026-11-14", 5000, 330, 5000, 290, 300, 0, "2026-11-21"),
                experiment("lift-5", "deal", "2026-11-01", "2026-11-10", 5000, 330, 5000, 290, 300, 0, "2026-11-12")));
        var exposure = Rows.of(spark(), EXPOSURE, touch("cashback", 1, false), touch("cashback", 1, true),
                touch("cashback", 1, false), touch("cashback", 1, true), touch("creator", 1, false),
                touch("creator", 0.3, false));
        PartnermixConfig.Attribution settings = config().attribution();
        assertEquals(0.3, settings.viewThroughWeight(), "the fixture's impression weight");

        LiftTests.Read read = LiftTests.read(wh, settings, LocalDate.parse("2026-11-20"), exposure);

        assertEquals(List.of("lift-5 (deal)"), read.unfitted());
        assertEquals(2, read.tests().size());
        IncrementalHazard.LiftTest cashback = read.tests().get(0);
        assertEquals("cashback", cashback.group());
        assertEquals(28, cashback.days());
        assertEquals(40.0 * 2 / 300, cashback.ordersPerTouch(), 1e-12);
        assertEquals(Math.sqrt(620) * 2 / 300, cashback.standardError(), 1e-12);
        IncrementalHazard.LiftTest creator = read.tests().get(1);
        assertEquals("creator", creator.group());
        assertEquals(14, creator.days());
        assertEquals(20.0 / 130, creator.ordersPerTouch(), 1e-12);
        assertEquals(Math.sqrt(260) / 130, creator.standardError(), 1e-12);

        PartnermixConfig.Attribution ignoring = new PartnermixConfig.Attribution(settings.models(),
                settings.viewThroughWeight(), settings.timeDecayHalfLifeDays(), settings.positionBased(),
                settings.funnelWeights(), settings.markov(), settings.shapley(), settings.trainingWindowDays(),
                settings.trainOnOpenPaths(), new PartnermixConfig.Incremental(settings.incremental().granularity(),
                        56, settings.incremental().decays(), 30, 0));
        assertEquals(LiftTests.Read.NONE, LiftTests.read(wh, ignoring, LocalDate.parse("2026-11-20"), exposure),
                "experiments_max_age_days 0 ignores the feed");
    }
}
