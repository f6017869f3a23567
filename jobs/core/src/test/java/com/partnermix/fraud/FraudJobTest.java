package com.partnermix.fraud;

import com.partnermix.attribution.AttributionJob;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.ingest.IngestJob;
import com.partnermix.journeys.JourneysJob;
import com.partnermix.testing.LandingFixture;
import com.partnermix.testing.Rows;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fraud job on one night: a stand-down violation with its evidence and commission at risk,
 * the adjusted models giving the credit back to the displaced creator, a rerun that keeps the
 * flags identical and the reviewer's decision, and a next night that re-credits only what changed.
 */
@Slow
class FraudJobTest extends SparkTestBase {

    private static final LocalDate D = LocalDate.parse("2026-11-20");
    private static Warehouse wh;
    private static PartnermixConfig config;
    private static FraudJob.Report first;

    private static String event(String id, String time, String type, String partner, String pageType, String landing) {
        return "{\"event_id\":\"" + id + "\",\"event_ts\":\"2026-11-20T" + time + "Z\",\"event_type\":\"" + type + "\""
                + (partner == null ? "" : ",\"channel\":\"affiliate\",\"partner_id\":\"" + partner + "\"")
                + (pageType == null ? "" : ",\"page_type\":\"" + pageType + "\"")
                + ",\"landing_url\":\"" + landing + "\",\"anonymous_id\":\"d1\",\"ip\":\"203.0.113.7\","
                + "\"user_agent\":\"Mozilla/5.0\",\"device_type\":\"mobile\",\"country\":\"DE\"}";
    }

    @BeforeAll
    static void runOneNight() {
        Path root = tmp.resolve("fraud");
        firstNight(root);
        config = config(root);
        wh = new Warehouse(spark(), config.paths().warehouse());
        IngestJob.ingest(spark(), wh, config, D);
        JourneysJob.build(wh, config, D);
        AttributionJob.attribute(wh, config, D);
        first = FraudJob.detect(wh, config, D);
    }

    /** The first night's landing: a creator's click, then a browser extension's click in the same session, o1. */
    private static LandingFixture firstNight(Path root) {
        return new LandingFixture(root.resolve("landing")).basics(D)
                .file("touchpoints", D, "part-1.jsonl", List.of(
                        event("c1", "10:00:00", "click", "P-CR-007", null, "https://shop.example.com/mats?afsrc=1"),
                        event("v1", "10:00:02", "page_view", null, "landing", "https://shop.example.com/mats"),
                        event("x1", "10:05:00", "click", "P-BX-001", null, "https://shop.example.com/mats"),
                        event("v2", "10:05:02", "page_view", null, "landing", "https://shop.example.com/mats"),
                        event("v3", "10:07:00", "page_view", null, "cart", "https://shop.example.com/cart"),
                        event("v4", "10:08:00", "page_view", null, "checkout", "https://shop.example.com/checkout")))
                .file("orders", D, "part-1.jsonl", List.of(
                        LandingFixture.order("o1", "2026-11-20T10:09:00Z", "2026-11-20T10:09:00Z", "placed", "100", "d1"),
                        LandingFixture.order("o2", "2026-11-20T12:00:00Z", "2026-11-20T12:00:00Z", "placed", "40",
                                "stranger")));
    }

    private static Map<String, Double> creditOf(String orderId, String model) {
        return creditOf(wh, orderId, model);
    }

    private static Map<String, Double> creditOf(Warehouse wh, String orderId, String model) {
        Map<String, Double> out = new TreeMap<>();
        wh.read(Tables.GOLD_ATTRIBUTION_CREDIT).where(col("order_id").equalTo(orderId).and(col("model").equalTo(model)))
                .collectAsList().forEach(r -> out.put(r.isNullAt(r.fieldIndex("event_id")) ? "unattributed"
                        : r.getAs("event_id") + "@" + r.getAs("position"), r.getAs("credit")));
        return out;
    }

    @Test
    void aStandDownViolationIsFlaggedWithItsEvidenceAndCommissionAtRisk() {
        assertEquals(Map.of(FraudRules.STAND_DOWN_VIOLATION, 1L), first.flagsByRule());
        Row flag = wh.read(Tables.GOLD_FRAUD_FLAGS).first();
        assertEquals("o1", flag.getAs("order_id"));
        assertEquals("x1", flag.getAs("event_id"));
        assertEquals("P-BX-001", flag.getAs("partner_id"));
        assertEquals("P-CR-007", flag.getAs("displaced_partner_id"));
        assertEquals(300.0, flag.<Double>getAs("measured_value"));
        assertEquals("high", flag.getAs("severity"));
        assertEquals("reassign", flag.getAs("proposed_action"));
        // both signals a reassignment needs: the creator's landing carried afsrc=1, on the extension's own device
        assertEquals(1.0, flag.<Double>getAs("score"));
        assertEquals(List.of("afsrc_on_earlier_landing 1.0 true 0.6", "same_device 1.0 true 0.4"),
                flag.getList(flag.fieldIndex("signals")).stream().map(o -> (Row) o).map(r -> r.getString(0) + " "
                        + r.getDouble(1) + " " + r.getBoolean(2) + " " + r.getDouble(3)).toList());
        assertEquals(Map.of(FraudRules.STAND_DOWN_VIOLATION, Map.of("reassign", 1L)), first.flagsByAction());
        // 3 % CPS of 100 EUR at 1.054 USD per EUR
        assertEquals(0, new BigDecimal("3.1620").compareTo(flag.getAs("commission_at_risk_usd")));
        assertEquals(java.sql.Date.valueOf(D), flag.getAs("detected_date"));
        List<String> timeline = Rows.sorted(wh.read(Tables.GOLD_FRAUD_FLAGS)
                .selectExpr("explode(evidence) e").selectExpr("concat(e.event_ts, ' ', e.event_type, ' ', "
                        + "coalesce(e.partner_id, e.page_type, e.event_id))"));
        assertEquals(List.of("[2026-11-20 10:00:00 click P-CR-007]", "[2026-11-20 10:00:02 page_view landing]",
                "[2026-11-20 10:05:00 click P-BX-001]", "[2026-11-20 10:05:02 page_view landing]",
                "[2026-11-20 10:07:00 page_view cart]", "[2026-11-20 10:08:00 page_view checkout]",
                "[2026-11-20 10:09:00 order o1]"), timeline);
    }

    @Test
    void theAdjustedModelsGiveTheCreditBackToTheDisplacedPartner() {
        assertEquals(Map.of("x1@2", 1.0), creditOf("o1", "last_click"));
        assertEquals(Map.of("c1@1", 1.0), creditOf("o1", "last_click_adjusted"));
        assertEquals(Map.of("c1@1", 1.0), creditOf("o1", "position_based_adjusted"));
        assertEquals(Map.of("unattributed", 1.0), creditOf("o2", "last_click_adjusted"));
        assertEquals(Map.of("unattributed", 1.0), creditOf("o2", "position_based_adjusted"));
    }

    @Test
    void aRerunGivesTheSameFlagsAndKeepsTheReviewersDecision() {
        assertEquals(1L, wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE).count());
        ReviewDecisions.record(wh, new ReviewDecisions.Decision("order:o1", "confirmed", "ana", null,
                java.time.Instant.parse("2026-11-20T15:00:00Z")));
        List<String> before = Rows.sorted(wh.read(Tables.GOLD_FRAUD_FLAGS).drop("evidence"));
        List<String> creditBefore = Rows.sorted(wh.read(Tables.GOLD_ATTRIBUTION_CREDIT));
        FraudJob.detect(wh, config, D);
        assertEquals(before, Rows.sorted(wh.read(Tables.GOLD_FRAUD_FLAGS).drop("evidence")));
        assertEquals(creditBefore, Rows.sorted(wh.read(Tables.GOLD_ATTRIBUTION_CREDIT)));
        Row item = wh.read(Tables.GOLD_FRAUD_REVIEW_QUEUE).first();
        assertEquals("confirmed", item.getAs("status"));
        assertEquals("ana", item.getAs("reviewer"));
        assertEquals(List.of(FraudRules.STAND_DOWN_VIOLATION), item.getList(item.fieldIndex("rule_codes")));
        // re-crediting the order (attribution rerun) leaves the adjusted models alone
        AttributionJob.attribute(wh, config, D);
        assertEquals(Map.of("c1@1", 1.0), creditOf("o1", "last_click_adjusted"));
    }

    @Test
    void theNextNightReCreditsOnlyTheOrdersWhoseJourneyOrFlagsChanged() {
        Path root = tmp.resolve("fraud-next-night");
        LocalDate d2 = D.plusDays(1);
        firstNight(root).basics(d2)
                .file("touchpoints", d2, "part-1.jsonl", List.of(
                        LandingFixture.click("c9", "2026-11-21T09:00:00Z", "P-CR-007", "d9")))
                .file("orders", d2, "part-1.jsonl", List.of(
                        LandingFixture.order("o3", "2026-11-21T09:30:00Z", "2026-11-21T09:30:00Z", "placed", "60", "d9")));
        PartnermixConfig nightly = config(root);
        Warehouse w = new Warehouse(spark(), nightly.paths().warehouse());
        List<Long> recredited = new java.util.ArrayList<>();
        for (LocalDate day : List.of(D, d2)) {
            IngestJob.ingest(spark(), w, nightly, day);
            JourneysJob.build(w, nightly, day);
            AttributionJob.attribute(w, nightly, day);
            recredited.add(FraudJob.detect(w, nightly, day).adjustedOrders());
        }
        // Night 1: both orders are new. Night 2: o3 only; o1 and o2 are examined again, but neither their journeys
        // nor their flags changed, so their adjusted credit is left as night 1 wrote it.
        assertEquals(List.of(2L, 1L), recredited);
        assertEquals(Map.of("c1@1", 1.0), creditOf(w, "o1", "last_click_adjusted"));
        assertEquals(Map.of("c9@1", 1.0), creditOf(w, "o3", "last_click_adjusted"));
        assertEquals(Map.of("c9@1", 1.0), creditOf(w, "o3", "position_based_adjusted"));
    }

    @Test
    void evaluationScoresFlagsAgainstLabelsAndSeparatesWhatNoRuleCanSee() {
        org.apache.spark.sql.Dataset<Row> labels = Rows.of(spark(), "rule_code STRING, order_id STRING, event_id STRING, "
                        + "partner_id STRING",
                "{\"rule_code\":\"STAND_DOWN_VIOLATION\",\"order_id\":\"o1\",\"event_id\":\"x1\",\"partner_id\":\"P-BX-001\"}",
                // a click the warehouse never linked to o2's buyer: counted, but not observable
                "{\"rule_code\":\"STAND_DOWN_VIOLATION\",\"order_id\":\"o2\",\"event_id\":\"zz\",\"partner_id\":\"P-BX-001\"}",
                "{\"rule_code\":\"BASKET_HIJACK\",\"order_id\":\"o1\",\"event_id\":\"x1\",\"partner_id\":\"P-BX-001\"}",
                "{\"rule_code\":\"SELF_REFERRAL\",\"order_id\":\"not-in-warehouse\",\"event_id\":\"e9\",\"partner_id\":\"P-X\"}");
        FraudEvaluation.Result result = FraudEvaluation.evaluate(wh, labels, wh.read(Tables.GOLD_FRAUD_FLAGS));
        FraudEvaluation.Score standDown = result.rule(FraudRules.STAND_DOWN_VIOLATION, "order");
        assertEquals(List.of(2L, 1L, 1L, 1L, 1L), List.of(standDown.labels(), standDown.flagged(), standDown.matched(),
                standDown.observable(), standDown.observableMatched()));
        assertEquals(1.0, standDown.precision());
        assertEquals(0.5, standDown.recall());
        assertEquals(1.0, standDown.observableRecall());
        // the one reassignment is right: precision 1 of 1, whose 95 % Wilson interval still reaches down to 0.21
        assertEquals(Map.of("reassign", 1L), standDown.byAction());
        assertEquals(List.of(1L, 1L, 1L), List.of(standDown.actionFlagged(), standDown.actionMatched(),
                standDown.actionAnyLabel()));
        assertEquals(0.2065, standDown.actionPrecisionInterval().low(), 1e-4);
        assertEquals(0.0945, standDown.recallInterval().low(), 1e-4);
        assertEquals(0.9055, standDown.recallInterval().high(), 1e-4);
        FraudEvaluation.Score hijack = result.rule(FraudRules.BASKET_HIJACK, "order");
        assertEquals(0.0, hijack.recall());
        assertEquals(Double.NaN, hijack.precision());
        assertEquals(0L, result.rule(FraudRules.SELF_REFERRAL, "order").labels());   // its order is not in the warehouse
        // o1 is labelled a stand-down violation and a hijack and flagged as the former; o2's label found nothing
        assertEquals(Map.of(List.of("BASKET_HIJACK", "STAND_DOWN_VIOLATION"), 1L,
                List.of("STAND_DOWN_VIOLATION", "STAND_DOWN_VIOLATION"), 1L,
                List.of("STAND_DOWN_VIOLATION", FraudEvaluation.NONE), 1L), new java.util.HashMap<>(result.confusion()));
        assertEquals(result.confusion(), result.actionConfusion());
        String report = result.format();
        assertTrue(report.contains("confusion at order level"), report);
    }
}
