package com.partnermix.journeys;

import com.partnermix.attribution.AttributionJob;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.ingest.IngestJob;
import com.partnermix.testing.LandingFixture;
import com.partnermix.testing.Rows;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Night-by-night journeys and attribution over a small landing zone: late data, reruns, and the
 * same silver tables in one go.
 */
@Slow
class JourneysJobTest extends SparkTestBase {

    private static final LocalDate D1 = LocalDate.parse("2026-11-19");
    private static final LocalDate D2 = LocalDate.parse("2026-11-20");
    private static final List<Table> SILVER = List.of(Tables.SILVER_IDENTITY_MAP, Tables.SILVER_SESSIONS,
            Tables.SILVER_JOURNEYS, Tables.SILVER_JOURNEY_TOUCHES, Tables.SILVER_OPEN_JOURNEYS);

    private static Warehouse nightly;
    private static PartnermixConfig nightlyConfig;

    private static String event(String id, String ts, String type, String channel, String partner, String device,
                                String login) {
        return "{\"event_id\":\"" + id + "\",\"event_ts\":\"" + ts + "\",\"event_type\":\"" + type + "\""
                + (channel == null ? ",\"page_type\":\"product\"" : ",\"channel\":\"" + channel + "\"")
                + (partner == null ? "" : ",\"partner_id\":\"" + partner + "\"")
                + ",\"anonymous_id\":\"" + device + "\"" + (login == null ? "" : ",\"user_id\":\"" + login + "\"")
                + ",\"country\":\"DE\"}";
    }

    private static String order(String id, String ts, String revenue, String device, String login) {
        return "{\"order_id\":\"" + id + "\",\"order_ts\":\"" + ts + "\",\"updated_ts\":\"" + ts
                + "\",\"status\":\"placed\",\"revenue\":" + revenue + ",\"currency\":\"EUR\",\"anonymous_id\":\"" + device
                + "\"" + (login == null ? "" : ",\"user_id\":\"" + login + "\"") + ",\"country\":\"DE\"}";
    }

    /**
     * Two delivery days: the second brings a late impression of the phone, a new order of a stranger, and a corrected
     * GBP rate for the first day (1.25 -> 1.30), which another stranger's GBP order of that day is converted with.
     */
    private static Path landing(Path root) {
        new LandingFixture(root.resolve("landing")).basics(D1).basics(D2)
                .file("fx_rates", D1, "fx_rates.csv", List.of("date,currency,usd_per_unit",
                        D1 + ",USD,1", D1 + ",EUR,1.054", D1 + ",GBP,1.25"))
                .file("fx_rates", D2, "fx_rates.csv", List.of("date,currency,usd_per_unit",
                        D2 + ",USD,1", D2 + ",EUR,1.054", D2 + ",GBP,1.30", D1 + ",GBP,1.30"))
                .file("orders", D1, "part-2.jsonl", List.of("{\"order_id\":\"o3\",\"order_ts\":\"2026-11-19T11:00:00Z\","
                        + "\"updated_ts\":\"2026-11-19T11:00:00Z\",\"status\":\"placed\",\"revenue\":80,"
                        + "\"currency\":\"GBP\",\"anonymous_id\":\"stranger-2\",\"country\":\"GB\"}"))
                .file("touchpoints", D1, "part-1.jsonl", List.of(
                        event("e1", "2026-11-18T09:00:00Z", "click", "affiliate", "P-CR-007", "phone", null),
                        event("e5", "2026-11-18T09:01:00Z", "page_view", null, null, "phone", "u1"),
                        event("e2", "2026-11-19T08:00:00Z", "page_view", null, null, "laptop", "u1"),
                        event("e3", "2026-11-19T08:30:00Z", "click", "paid_search", null, "laptop", null),
                        event("e4", "2026-11-19T09:00:00Z", "click", "affiliate", "P-BX-001", "other", null)))
                .file("orders", D1, "part-1.jsonl", List.of(
                        order("o1", "2026-11-19T10:00:00Z", "100", "laptop", "u1")))
                .file("touchpoints", D2, "part-1.jsonl", List.of(
                        event("e6", "2026-11-18T20:00:00Z", "impression", "display", null, "phone", null)))
                .file("orders", D2, "part-1.jsonl", List.of(
                        order("o2", "2026-11-20T12:00:00Z", "40", "stranger", null)));
        return root;
    }

    @BeforeAll
    static void runNightByNight() {
        Path root = landing(tmp.resolve("nightly"));
        nightlyConfig = config(root);
        nightly = new Warehouse(spark(), nightlyConfig.paths().warehouse());
        for (LocalDate day : List.of(D1, D2)) {
            IngestJob.ingest(spark(), nightly, nightlyConfig, day);
            JourneysJob.build(nightly, nightlyConfig, day);
            AttributionJob.attribute(nightly, nightlyConfig, day);
        }
    }

    private static Map<String, Double> creditOf(String orderId, String model) {
        Map<String, Double> out = new TreeMap<>();
        nightly.read(Tables.GOLD_ATTRIBUTION_CREDIT)
                .where(col("order_id").equalTo(orderId).and(col("model").equalTo(model))).collectAsList()
                .forEach(r -> out.put(r.isNullAt(r.fieldIndex("event_id")) ? "unattributed" : r.getAs("event_id"),
                        r.getAs("credit")));
        return out;
    }

    @Test
    void attributionRecreditsTheOrderWhoseJourneyALateTouchChanged() {
        // o1 after night 2: affiliate click e1, display impression e6, paid-search click e3.
        assertEquals(Map.of("e3", 1.0), creditOf("o1", "last_click"));
        assertEquals(Map.of("e1", 1.0), creditOf("o1", "first_click"));
        Map<String, Double> linear = creditOf("o1", "linear");   // weights 1, 0.3, 1: total 2.3
        assertEquals(1 / 2.3, linear.get("e1"), 1e-12);
        assertEquals(0.3 / 2.3, linear.get("e6"), 1e-12);
        assertEquals(1 / 2.3, linear.get("e3"), 1e-12);
        Row row = nightly.read(Tables.GOLD_ATTRIBUTION_CREDIT).where(col("order_id").equalTo("o1")
                .and(col("model").equalTo("first_click"))).first();
        assertEquals(0, new BigDecimal("105.4000").compareTo(row.getAs("credited_revenue_usd")));
        assertEquals("P-CR-007", row.getAs("partner_id"));
        assertEquals("creator", row.getAs("partner_type"));
        assertEquals("awareness", row.getAs("funnel_stage"));
    }

    @Test
    void everyOrderGetsCreditUnderEveryModelAndAnOrderWithoutTouchesIsUnattributed() {
        for (String model : nightlyConfig.attribution().models()) {
            assertEquals(Map.of("unattributed", 1.0), creditOf("o2", model), model);
            double o1Total = creditOf("o1", model).values().stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(1.0, o1Total, 1e-9, model);
        }
        List<String> weightModels = Rows.sorted(nightly.read(Tables.GOLD_MODEL_WEIGHTS)
                .where(col("run_date").equalTo(java.sql.Date.valueOf(D2))).select("model").distinct());
        // mixed_media records its calibration: no MMM fit yet, so factor 1 on the incremental model's credit
        assertEquals(List.of("[incremental]", "[markov]", "[mixed_media]", "[shapley]"), weightModels);
        assertEquals(List.of("[(no mmm fit: factor 1 on incremental),1.0]"), Rows.sorted(nightly
                .read(Tables.GOLD_MODEL_WEIGHTS)
                .where(col("run_date").equalTo(java.sql.Date.valueOf(D2)).and(col("model").equalTo("mixed_media")))
                .select("state", "weight")));
    }

    @Test
    void withoutAnMmmFitMixedMediaTakesTheFallbackModelsCreditAndAnUnknownFallbackIsRefused() {
        PartnermixConfig onBase = config(tmp.resolve("nightly"), "mmm.fallback_model=");
        PartnermixConfig bogus = config(tmp.resolve("nightly"), "mmm.fallback_model=first_touch");
        assertEquals("mmm.fallback_model 'first_touch' must be one of attribution.models (and not mixed_media itself): "
                + "mixed_media takes its credit", assertThrows(IllegalArgumentException.class,
                () -> AttributionJob.attribute(nightly, bogus, D2)).getMessage());
        try {
            AttributionJob.attribute(nightly, onBase, D2);
            // empty: the base model (markov), factor 1
            assertSameCredit(creditOf("o1", "markov"), creditOf("o1", "mixed_media"));
            assertEquals(List.of("[(no mmm fit: factor 1 on markov),1.0]"), Rows.sorted(nightly
                    .read(Tables.GOLD_MODEL_WEIGHTS)
                    .where(col("run_date").equalTo(java.sql.Date.valueOf(D2)).and(col("model").equalTo("mixed_media")))
                    .select("state", "weight")));
        } finally {
            AttributionJob.attribute(nightly, nightlyConfig, D2);   // the shared warehouse as the other tests expect
        }
        assertSameCredit(creditOf("o1", "incremental"), creditOf("o1", "mixed_media"));
    }

    /**
     * A one-day lift test of creator on night 2: 2,000 vs 1,000 conversions of a million persons each over 10,000
     * clicks, 0.1 orders per click (none of o1's touches is in its purchase session: e3 came 90 minutes before). A
     * one-day test sees a touch's first day only, at every decay: the prior of creator's effect is 0.1. Weighted as
     * 10^8 such tests, the fit takes it; gold.model_weights records it beside the effect.
     */
    @Test
    void aLiftTestInBronzeExperimentsCalibratesTheIncrementalFit() {
        String schema = "experiment_id STRING, group STRING, start_date DATE, end_date DATE, test_persons LONG, "
                + "test_conversions LONG, control_persons LONG, control_conversions LONG, test_clicks LONG, "
                + "test_impressions LONG, source_file STRING, delivery_date DATE, ingest_run_id STRING";
        Dataset<Row> none = nightly.read(Tables.BRONZE_EXPERIMENTS);
        assertEquals(0, none.count(), "the fixture delivers no experiments");
        PartnermixConfig trusting = config(tmp.resolve("nightly"), "attribution.incremental.experiments_weight=100000000.0");
        try {
            DeltaWrites.overwrite(nightly, Tables.BRONZE_EXPERIMENTS, Rows.of(spark(), schema, "{\"experiment_id\":"
                    + "\"lift-1\",\"group\":\"creator\",\"start_date\":\"2026-11-20\",\"end_date\":\"2026-11-20\","
                    + "\"test_persons\":1000000,\"test_conversions\":2000,\"control_persons\":1000000,"
                    + "\"control_conversions\":1000,\"test_clicks\":10000,\"test_impressions\":0,"
                    + "\"source_file\":\"experiments/dt=2026-11-20/lift.csv\",\"delivery_date\":\"2026-11-20\"}"));
            AttributionJob.attribute(nightly, trusting, D2);
            Map<String, Double> weights = new TreeMap<>();
            nightly.read(Tables.GOLD_MODEL_WEIGHTS).where(col("run_date").equalTo(java.sql.Date.valueOf(D2))
                    .and(col("model").equalTo("incremental"))).collectAsList()
                    .forEach(r -> weights.put(r.getAs("state"), r.getAs("weight")));
            assertEquals(0.1, weights.get("(lift test) creator"), 1e-12);
            assertEquals(0.1, weights.get("creator"), 1e-6);
        } finally {
            DeltaWrites.overwrite(nightly, Tables.BRONZE_EXPERIMENTS, none.limit(0));
            AttributionJob.attribute(nightly, nightlyConfig, D2);   // the shared warehouse as the other tests expect
        }
        assertEquals(List.of(), Rows.sorted(nightly.read(Tables.GOLD_MODEL_WEIGHTS)
                .where(col("run_date").equalTo(java.sql.Date.valueOf(D2)).and(col("state").startsWith("(lift test)")))
                .select("state")), "without experiments no prior is recorded");
    }

    private static void assertSameCredit(Map<String, Double> expected, Map<String, Double> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((touch, credit) -> assertEquals(credit, actual.get(touch), 1e-12, touch));
    }

    /**
     * The other device's affiliate click e4 reaches no order and its 30-day window is open on both nights: an open
     * journey, which the data-driven models train on as a non-converting path beside the three orders (o2 and o3
     * without touches count as journeys of their own).
     */
    @Test
    void anOpenRunIsKeptAsAnOpenJourneyAndTrainsTheDataDrivenModels() {
        List<Row> open = nightly.read(Tables.SILVER_OPEN_JOURNEYS).collectAsList();
        assertEquals(1, open.size());
        assertEquals("affiliate", open.get(0).getAs("path_channel"));
        Row touch = open.get(0).<Row>getList(open.get(0).fieldIndex("touches")).get(0);
        assertEquals(List.of(1, true, "affiliate", "P-BX-001", "browser_extension"), List.of(touch.getAs("position"),
                touch.getAs("is_click"), touch.getAs("channel"), touch.getAs("partner_id"),
                touch.getAs("partner_type")));
        assertEquals(0, nightly.read(Tables.SILVER_JOURNEYS).where(col("journey_id")
                .equalTo(open.get(0).<String>getAs("journey_id"))).count(), "not a closed journey");
        Row weights = nightly.read(Tables.GOLD_MODEL_WEIGHTS).where(col("run_date").equalTo(java.sql.Date.valueOf(D2))
                .and(col("model").equalTo("markov"))).select("training_journeys", "training_conversions").first();
        assertEquals(4L, weights.getLong(0));
        assertEquals(3L, weights.getLong(1));
    }

    private static Row journeyOf(Warehouse wh, String orderId) {
        return wh.read(Tables.SILVER_JOURNEYS).where(col("order_id").equalTo(orderId)).first();
    }

    @Test
    void aLateTouchOfAnotherDeviceOfThePersonJoinsTheExistingJourney() {
        Row o1 = journeyOf(nightly, "o1");
        // phone and laptop share login u1: the phone's affiliate click and its late impression belong to o1.
        assertEquals(3L, (long) o1.<Long>getAs("touch_count"));
        assertEquals("affiliate > display > paid_search", o1.getAs("path_channel"));
        assertEquals("creator > display > paid_search", o1.getAs("path_partner_type"));
        assertEquals("P-CR-007 > display > paid_search", o1.getAs("path_partner"));
        assertEquals(0, new BigDecimal("105.4000").compareTo(o1.getAs("revenue_usd")));   // 100 EUR x 1.054
        assertTrue((Boolean) o1.getAs("is_new_customer"));
        assertEquals("EMEA", o1.getAs("region"));
        Row creatorTouch = nightly.read(Tables.SILVER_JOURNEY_TOUCHES).where(col("event_id").equalTo("e1")).first();
        assertEquals("awareness", creatorTouch.getAs("funnel_stage"));
        assertEquals("creator", creatorTouch.getAs("partner_type"));
        assertEquals("APAC", creatorTouch.getAs("partner_region"));
        assertEquals(1, (int) creatorTouch.<Integer>getAs("position"));
        assertEquals(25 * 3600.0, creatorTouch.<Double>getAs("seconds_before_order"), 1e-9);
    }

    @Test
    void theSecondNightRebuildsOnlyTheJourneysItsDataAffects() {
        List<String> changed = Rows.sorted(nightly.read(Tables.SILVER_JOURNEY_CHANGES)
                .where(col("run_date").equalTo(java.sql.Date.valueOf(D2))).select("order_id"));
        // o1 (late touch of its person), o2 (new order), o3 (its day's rate corrected); not the other device's
        // open journey.
        assertEquals(List.of("[o1]", "[o2]", "[o3]"), changed);
        Row o2 = journeyOf(nightly, "o2");
        assertEquals(0L, (long) o2.<Long>getAs("touch_count"));
        // The other device's click has no order yet and its window is open: no journey for it yet.
        assertEquals(0, nightly.read(Tables.SILVER_JOURNEY_TOUCHES).where(col("event_id").equalTo("e4")).count());
        assertFalse(nightly.read(Tables.SILVER_JOURNEYS).where(col("is_converted").equalTo(false)).count() > 0);
    }

    @Test
    void aCorrectedFxRateDeliveredLaterReconvertsTheOrdersOfThatDay() {
        // 80 GBP at the corrected 1.30 (was 1.25 on the first night: 100.00 USD)
        assertEquals(0, new BigDecimal("104.0000").compareTo(journeyOf(nightly, "o3").getAs("revenue_usd")));
        Row credit = nightly.read(Tables.GOLD_ATTRIBUTION_CREDIT).where(col("order_id").equalTo("o3")
                .and(col("model").equalTo("last_click"))).first();
        assertEquals(0, new BigDecimal("104.0000").compareTo(credit.getAs("credited_revenue_usd")));
    }

    @Test
    void rerunningANightGivesTheSameTables() {
        List<Table> tables = new java.util.ArrayList<>(SILVER);
        tables.add(Tables.GOLD_ATTRIBUTION_CREDIT);
        tables.add(Tables.GOLD_MODEL_WEIGHTS);
        List<List<String>> before = tables.stream().map(t -> Rows.sorted(nightly.read(t))).toList();
        String aggregateSetting = "spark.sql.execution.useObjectHashAggregateExec";
        spark().conf().set(aggregateSetting, "true");
        JourneysJob.build(nightly, nightlyConfig, D2);
        assertEquals("true", spark().conf().get(aggregateSetting));   // the job's own setting does not leak out
        AttributionJob.attribute(nightly, nightlyConfig, D2);
        List<List<String>> after = tables.stream().map(t -> Rows.sorted(nightly.read(t))).toList();
        assertEquals(before, after);
    }

    @Test
    void processingBothNightsInOneGoGivesTheSameTablesAsNightByNight() {
        Path root = landing(tmp.resolve("one-go"));
        PartnermixConfig config = config(root);
        Warehouse oneGo = new Warehouse(spark(), config.paths().warehouse());
        IngestJob.ingest(spark(), oneGo, config, D1);
        IngestJob.ingest(spark(), oneGo, config, D2);
        JourneysJob.build(oneGo, config, D2);
        for (Table table : SILVER) {
            assertEquals(Rows.sorted(nightly.read(table)), Rows.sorted(oneGo.read(table)), table.toString());
        }
    }
}
