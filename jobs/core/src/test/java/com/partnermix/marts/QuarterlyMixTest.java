package com.partnermix.marts;

import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quarterly mix on a hand-checked quarter: a creator (GMV 100, cost 50), a coupon site (GMV 300, cost 50) and
 * paid search (GMV 100, cost 100, no new customer). The MMM knows the creator's marginal ROI (4); the coupon site
 * falls back to its ROAS (6). Mean return 5, so 10 % of the 100 partner cost moves from creator to coupon.
 */
class QuarterlyMixTest extends SparkTestBase {

    private static final String DAILY = "date DATE, model STRING, channel STRING, partner_id STRING, partner_type STRING, "
            + "funnel_stage STRING, region STRING, orders DOUBLE, gmv DOUBLE, new_customers DOUBLE, cost_total DOUBLE, "
            + "currency STRING";
    private static final String CREDIT = "order_id STRING, order_date DATE, model STRING, partner_id STRING, "
            + "channel STRING, partner_type STRING, region STRING, credit DOUBLE, is_new_customer BOOLEAN";
    private static final String JOURNEYS = "order_id STRING, person_id STRING, is_converted BOOLEAN, order_ts TIMESTAMP, "
            + "order_date DATE";
    /** Late enough that every November new customer's 90-day window has elapsed (the last, n3's, on Feb 1). */
    private static final LocalDate RUN = LocalDate.parse("2027-03-31");
    private static final Map<String, Row> rows = new HashMap<>();

    private static String daily(String partner, String channel, String type, String stage, double orders, double gmv,
                                double newCustomers, double cost) {
        return String.format(java.util.Locale.ROOT, "{\"date\":\"2026-11-20\",\"model\":\"last_click\",\"channel\":\"%s\","
                        + "\"partner_id\":%s,\"partner_type\":%s,\"funnel_stage\":\"%s\",\"region\":\"NA\",\"orders\":%s,"
                        + "\"gmv\":%s,\"new_customers\":%s,\"cost_total\":%s,\"currency\":\"USD\"}", channel,
                MartsFixture.quoted(partner), MartsFixture.quoted(type), stage, orders, gmv, newCustomers, cost);
    }

    private static String credit(String order, String partner, String type) {
        return "{\"order_id\":\"" + order + "\",\"order_date\":\"2026-11-0" + order.charAt(1) + "\",\"model\":\"last_click\","
                + "\"partner_id\":\"" + partner + "\",\"channel\":\"affiliate\",\"partner_type\":\"" + type + "\","
                + "\"region\":\"NA\",\"credit\":1.0,\"is_new_customer\":true}";
    }

    private static String order(String order, String person, String ts) {
        return "{\"order_id\":\"" + order + "\",\"person_id\":\"" + person + "\",\"is_converted\":true,\"order_ts\":\"" + ts
                + "\",\"order_date\":\"" + ts.substring(0, 10) + "\"}";
    }

    private static Dataset<Row> partnerDaily() {
        return Rows.of(spark(), DAILY,
                daily("PA", "affiliate", "creator", "awareness", 2, 100, 1, 50),
                daily("PB", "affiliate", "coupon", "conversion", 3, 300, 2, 50),
                daily(null, "paid_search", null, "consideration", 1, 100, 0, 100));
    }

    private static Dataset<Row> journeys() {
        return Rows.of(spark(), JOURNEYS, order("n1", "x", "2026-11-01T10:00:00"),
                order("r1", "x", "2026-11-20T10:00:00"), order("n2", "y", "2026-11-02T10:00:00"),
                order("n3", "z", "2026-11-03T10:00:00"), order("r3", "z", "2027-03-01T10:00:00"));
    }

    @BeforeAll
    static void build() {
        Dataset<Row> partnerDaily = partnerDaily();
        Dataset<Row> credit = Rows.of(spark(), CREDIT, credit("n1", "PA", "creator"), credit("n2", "PB", "coupon"),
                credit("n3", "PB", "coupon"));
        Dataset<Row> journeys = journeys();
        Dataset<Row> mmm = Rows.of(spark(), "quarter DATE, partner_type STRING, marginal_roi DOUBLE",
                "{\"quarter\":\"2026-10-01\",\"partner_type\":\"creator\",\"marginal_roi\":4.0}");
        for (Row r : QuarterlyMix.build(partnerDaily, credit, QuarterlyMix.repeats(journeys, 90, RUN), mmm,
                Map.of("creator", 0.12, "coupon", 0.12), 0.10, RUN).collectAsList()) {
            rows.put(r.getAs("partner_type"), r);
        }
    }

    private static double d(String type, String column) {
        return ((Number) rows.get(type).getAs(column)).doubleValue();
    }

    @Test
    void sharesAovCacAndRepeatRatePerPartnerType() {
        assertEquals(3, rows.size());
        assertEquals(0.2, d("creator", "gmv_share"), 1e-12);
        assertEquals(0.25, d("creator", "cost_share"), 1e-12);
        assertEquals(1.0 / 3, d("creator", "new_customer_share"), 1e-12);
        assertEquals(100.0, d("coupon", "aov"), 1e-12);
        assertEquals(25.0, d("coupon", "cac"), 1e-12);
        assertTrue(rows.get("paid_search").isNullAt(rows.get("paid_search").fieldIndex("cac")));   // no new customers
        assertEquals(1.0, d("creator", "repeat_rate"), 1e-12);   // ordered again after 19 days
        assertEquals(0.0, d("coupon", "repeat_rate"), 1e-12);    // one never again, one after 118 days
        assertEquals(2.0, d("coupon", "repeat_eligible_new_customers"), 1e-12);
        assertEquals(0.0, d("coupon", "repeat_open_new_customers"), 1e-12);
    }

    @Test
    void theRepeatRateCountsOnlyElapsedWindowsOrdersUpToTheRunDateAndUnknownRegions() {
        // On 2027-01-31 n1's window (to Jan 30) has elapsed, n2's (to Jan 31) too, n3's (to Feb 1) is still open.
        // n2 and n3 are credited without a region: their repeat rate lands on the mart's UNKNOWN rows.
        LocalDate run = LocalDate.parse("2027-01-31");
        Dataset<Row> daily = partnerDaily().unionByName(Rows.of(spark(), DAILY,
                daily("PB", "affiliate", "coupon", "conversion", 0, 0, 0, 0).replace("\"NA\"", "\"UNKNOWN\"")));
        Dataset<Row> credit = Rows.of(spark(), CREDIT, credit("n1", "PA", "creator"),
                credit("n2", "PB", "coupon").replace(",\"region\":\"NA\"", ""),
                credit("n3", "PB", "coupon").replace(",\"region\":\"NA\"", ""));
        Map<String, Row> byCell = new HashMap<>();
        for (Row r : QuarterlyMix.build(daily, credit, QuarterlyMix.repeats(journeys(), 90, run),
                Rows.of(spark(), "quarter DATE, partner_type STRING, marginal_roi DOUBLE"), Map.of(), 0.10, run)
                .collectAsList()) {
            byCell.put(r.getAs("partner_type") + "|" + r.getAs("region"), r);
        }
        Row unknown = byCell.get("coupon|UNKNOWN");
        assertEquals(0.0, ((Number) unknown.getAs("repeat_rate")).doubleValue(), 1e-12);   // n2: no repeat
        assertEquals(1.0, ((Number) unknown.getAs("repeat_eligible_new_customers")).doubleValue(), 1e-12);
        assertEquals(1.0, ((Number) unknown.getAs("repeat_open_new_customers")).doubleValue(), 1e-12);   // n3
        assertEquals(1.0, ((Number) byCell.get("creator|NA").getAs("repeat_rate")).doubleValue(), 1e-12);
        // a month after the orders every window is open: no rate yet, all counted as open
        Map<String, Row> early = new HashMap<>();
        for (Row r : QuarterlyMix.build(partnerDaily(), Rows.of(spark(), CREDIT, credit("n1", "PA", "creator")),
                QuarterlyMix.repeats(journeys(), 90, LocalDate.parse("2026-11-30")),
                Rows.of(spark(), "quarter DATE, partner_type STRING, marginal_roi DOUBLE"), Map.of(), 0.10,
                LocalDate.parse("2026-11-30")).collectAsList()) {
            early.put(r.getAs("partner_type"), r);
        }
        assertTrue(early.get("creator").isNullAt(early.get("creator").fieldIndex("repeat_rate")));
        assertEquals(1.0, ((Number) early.get("creator").getAs("repeat_open_new_customers")).doubleValue(), 1e-12);
    }

    @Test
    void repeatsSeeOnlyOrdersUpToTheRunDate() {
        // On Nov 10, r1 (Nov 20) has not happened yet: a rerun of Nov 10 must not see it
        Map<String, Row> byOrder = new HashMap<>();
        for (Row r : QuarterlyMix.repeats(journeys(), 90, LocalDate.parse("2026-11-10")).collectAsList()) {
            byOrder.put(r.getAs("order_id"), r);
        }
        assertEquals(java.util.Set.of("n1", "n2", "n3"), byOrder.keySet());
        assertEquals(false, byOrder.get("n1").getAs("is_repeat"));
        assertEquals(false, byOrder.get("n1").getAs("is_window_closed"));
    }

    @Test
    void budgetMovesTowardsTheHigherMarginalReturnAndAddsUpToZero() {
        assertEquals(0.5, d("creator", "type_cost_share"), 1e-12);
        assertEquals(0.38, d("creator", "mix_gap"), 1e-12);
        assertEquals("mmm", rows.get("creator").getAs("marginal_source"));
        assertEquals("roas", rows.get("coupon").getAs("marginal_source"));
        assertEquals(6.0, d("coupon", "marginal_return"), 1e-12);
        assertEquals(-10.0, d("creator", "suggested_budget_shift"), 1e-9);
        assertEquals(10.0, d("coupon", "suggested_budget_shift"), 1e-9);
        assertEquals(0.0, d("paid_search", "suggested_budget_shift"), 0);
    }
}
