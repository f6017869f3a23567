package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each rule on hand-built journeys, with the near-misses that must not fire: a coupon click before
 * the cart, a creator's own code used after its click, two honest partners in one session.
 */
class FraudRulesTest extends SparkTestBase {

    private static final String EVENTS = "person_id STRING, anonymous_id STRING, event_id STRING, event_ts TIMESTAMP, "
            + "event_type STRING, partner_id STRING, page_type STRING, landing_url STRING, referrer_url STRING, "
            + "ip_hash STRING, coupon_code STRING, stand_down_required BOOLEAN";
    private static final String ORDERS = "person_id STRING, order_id STRING, order_ts TIMESTAMP";
    private static final String TOUCHES = "order_id STRING, event_id STRING, position INT, is_click BOOLEAN, "
            + "partner_id STRING, seconds_before_order DOUBLE";
    private static final String SHOP = "https://shop.example.com";

    private static PartnermixConfig.Fraud settings() {
        return config(Path.of("unused")).fraud();
    }

    private static String click(String person, String id, String time, String partner, boolean standDown,
                                String landing, String referrer) {
        return String.format("{\"person_id\":\"%s\",\"anonymous_id\":\"%s-d\",\"event_id\":\"%s\","
                        + "\"event_ts\":\"2026-11-20T%s\",\"event_type\":\"click\",\"partner_id\":\"%s\","
                        + "\"landing_url\":\"%s\",\"referrer_url\":\"%s\",\"ip_hash\":\"ip-%s\","
                        + "\"stand_down_required\":%b}", person, person, id, time, partner, landing, referrer, person,
                standDown);
    }

    private static String page(String person, String id, String time, String type) {
        return String.format("{\"person_id\":\"%s\",\"anonymous_id\":\"%s-d\",\"event_id\":\"%s\","
                + "\"event_ts\":\"2026-11-20T%s\",\"event_type\":\"page_view\",\"page_type\":\"%s\","
                + "\"landing_url\":\"%s/%s\"}", person, person, id, time, type, SHOP, type);
    }

    private static String order(String person, String id, String time) {
        return String.format("{\"person_id\":\"%s\",\"order_id\":\"%s\",\"order_ts\":\"2026-11-20T%s\"}", person, id,
                time);
    }

    private static String touch(String order, String event, int position, String partner, double secondsBefore) {
        return String.format(java.util.Locale.ROOT, "{\"order_id\":\"%s\",\"event_id\":\"%s\",\"position\":%d,"
                        + "\"is_click\":true,\"partner_id\":\"%s\",\"seconds_before_order\":%s}", order, event,
                position, partner, secondsBefore);
    }

    /** rule|event -> "partner>displaced measured". */
    private static Map<String, String> clickFindings(List<String> events, List<String> orders, List<String> touches) {
        Dataset<Row> timeline = FraudRules.timeline(Rows.of(spark(), EVENTS, events.toArray(String[]::new)),
                Rows.of(spark(), ORDERS, orders.toArray(String[]::new)), 1800);
        Dataset<Row> clicks = FraudRules.journeyClicks(timeline, Rows.of(spark(), TOUCHES, touches.toArray(String[]::new)));
        Map<String, String> out = new TreeMap<>();
        for (Row r : FraudRules.clickFindings(clicks, settings(), 1800).collectAsList()) {
            out.put(r.<String>getAs("rule_code") + "|" + r.getAs("event_id"), r.getAs("partner_id") + ">"
                    + r.getAs("displaced_partner_id") + " " + r.<Double>getAs("measured_value"));
        }
        return out;
    }

    @Test
    void standDownPartnerClickingAfterAnotherPartnersClickInTheSessionIsAViolation() {
        Map<String, String> found = clickFindings(List.of(
                        click("a", "c1", "10:00:00", "P-CR", false, SHOP + "/mats?afsrc=1", "https://maya.example"),
                        page("a", "v1", "10:00:02", "landing"),
                        click("a", "x1", "10:05:00", "P-BX", true, SHOP + "/mats", "https://ext.example"),
                        page("a", "v2", "10:05:02", "landing"),
                        page("a", "v3", "10:07:00", "cart"),
                        page("a", "v4", "10:08:00", "checkout")),
                List.of(order("a", "o1", "10:09:00")),
                List.of(touch("o1", "c1", 1, "P-CR", 540), touch("o1", "x1", 2, "P-BX", 240)));
        assertEquals(Map.of("STAND_DOWN_VIOLATION|x1", "P-BX>P-CR 300.0"), found);
    }

    @Test
    void twoHonestPartnersInOneSessionOrAStandDownPartnerFirstAreNotViolations() {
        Map<String, String> found = clickFindings(List.of(
                        click("a", "c1", "10:00:00", "P-CR", false, SHOP + "/?afsrc=1", "https://maya.example"),
                        page("a", "v1", "10:00:02", "landing"),
                        click("a", "r1", "10:05:00", "P-RV", false, SHOP + "/", "https://review.example"),
                        page("a", "v2", "10:05:02", "landing"),
                        click("b", "x1", "10:00:00", "P-BX", true, SHOP + "/", "https://ext.example"),
                        page("b", "w1", "10:00:02", "landing"),
                        click("b", "c2", "10:05:00", "P-CR", false, SHOP + "/", "https://maya.example"),
                        page("b", "w2", "10:05:02", "landing"),
                        // a stand-down click in a later session (40 minutes of silence) is no violation
                        click("b", "x2", "10:45:03", "P-BX", true, SHOP + "/", "https://ext.example"),
                        page("b", "w3", "10:45:05", "product")),
                List.of(order("a", "o1", "10:20:00"), order("b", "o2", "10:50:00")),
                List.of(touch("o1", "c1", 1, "P-CR", 1200), touch("o1", "r1", 2, "P-RV", 900),
                        touch("o2", "x1", 1, "P-BX", 3000), touch("o2", "c2", 2, "P-CR", 2700),
                        touch("o2", "x2", 3, "P-BX", 297)));
        assertEquals(Map.of(), found);
    }

    @Test
    void aPartnerClickAfterTheCartWasViewedIsABasketHijack() {
        Map<String, String> found = clickFindings(List.of(
                        click("a", "c1", "09:30:00", "P-CR", false, SHOP + "/", "https://maya.example"),
                        page("a", "v1", "09:30:02", "landing"),
                        page("a", "v2", "10:00:00", "product"),
                        page("a", "v3", "10:10:00", "cart"),
                        click("a", "k1", "10:11:00", "P-CP", false, SHOP + "/cart", "https://coupons.example"),
                        page("a", "v4", "10:12:00", "checkout"),
                        // person b: no cart view, but the click is referred by the shop's own checkout page
                        page("b", "w1", "10:00:00", "product"),
                        click("b", "k2", "10:01:00", "P-CP", false, SHOP + "/", SHOP + "/checkout?step=2"),
                        page("b", "w2", "10:01:30", "checkout")),
                List.of(order("a", "o1", "10:13:00"), order("b", "o2", "10:03:00")),
                List.of(touch("o1", "c1", 1, "P-CR", 2580), touch("o1", "k1", 2, "P-CP", 120),
                        touch("o2", "k2", 1, "P-CP", 120)));
        assertEquals(Map.of("BASKET_HIJACK|k1", "P-CP>P-CR 60.0", "BASKET_HIJACK|k2", "P-CP>null 0.0"), found);
    }

    @Test
    void aLegitimateCouponClickBeforeTheCartAndACartOfAnEarlierSessionAreNoHijacks() {
        Map<String, String> found = clickFindings(List.of(
                        page("a", "v0", "08:00:00", "cart"),   // an abandoned cart, two hours earlier
                        click("a", "k1", "10:00:00", "P-CP", false, SHOP + "/?afsrc=1", "https://coupons.example"),
                        page("a", "v1", "10:00:02", "landing"),
                        page("a", "v2", "10:05:00", "cart"),
                        page("a", "v3", "10:06:00", "checkout")),
                List.of(order("a", "o1", "10:07:00")),
                List.of(touch("o1", "k1", 1, "P-CP", 420)));
        assertEquals(Map.of(), found);
    }

    @Test
    void anOrderSecondsAfterAClickWithNoPageViewBetweenIsASnipeNotAlsoAHijack() {
        Map<String, String> found = clickFindings(List.of(
                        click("a", "c1", "09:50:00", "P-CR", false, SHOP + "/", "https://maya.example"),
                        page("a", "v1", "09:50:02", "landing"),
                        page("a", "v2", "10:09:00", "cart"),
                        page("a", "v3", "10:10:00", "checkout"),
                        click("a", "s1", "10:11:00", "P-CB", false, SHOP + "/checkout", "https://cashback.example"),
                        // person b: the order comes 20 s after the click but after a page view: no snipe
                        click("b", "s2", "10:11:00", "P-CB", false, SHOP + "/", "https://cashback.example"),
                        page("b", "w1", "10:11:02", "landing")),
                List.of(order("a", "o1", "10:11:05"), order("b", "o2", "10:11:20")),
                List.of(touch("o1", "c1", 1, "P-CR", 1265), touch("o1", "s1", 2, "P-CB", 5),
                        touch("o2", "s2", 1, "P-CB", 20)));
        assertEquals(Map.of("LAST_SECOND_SNIPE|s1", "P-CB>P-CR 5.0"), found);
    }

    private static final String COUPON_ORDERS = "order_id STRING, coupon_code STRING";
    private static final String OWNERS = "coupon_code STRING, owner_partner_id STRING";

    @Test
    void aCodeOwnedByAnotherPartnerThanTheLastClickIsLeakageButTheOwnersOwnClickIsNot() {
        Dataset<Row> orders = Rows.of(spark(), COUPON_ORDERS,
                "{\"order_id\":\"o1\",\"coupon_code\":\"MAYA20\"}",     // creator's code, coupon site's last click
                "{\"order_id\":\"o2\",\"coupon_code\":\"MAYA20\"}",     // creator's code after the creator's click
                "{\"order_id\":\"o3\",\"coupon_code\":\"WELCOME10\"}",  // a generic code belongs to nobody
                "{\"order_id\":\"o4\",\"coupon_code\":\"MAYA20\"}");    // no partner click at all
        Dataset<Row> touches = Rows.of(spark(), TOUCHES, touch("o1", "c1", 1, "P-CR", 900),
                touch("o1", "k1", 2, "P-CP", 60), touch("o2", "k2", 1, "P-CP", 900), touch("o2", "c2", 2, "P-CR", 60),
                touch("o3", "k3", 1, "P-CP", 60));
        Dataset<Row> owners = Rows.of(spark(), OWNERS, "{\"coupon_code\":\"MAYA20\",\"owner_partner_id\":\"P-CR\"}",
                "{\"coupon_code\":\"SAVE15\",\"owner_partner_id\":\"P-CP\"}");
        Map<String, String> found = new TreeMap<>();
        FraudRules.couponLeakage(orders, touches, owners).collectAsList().forEach(r -> found.put(r.getAs("order_id"),
                r.getAs("event_id") + " " + r.getAs("partner_id") + ">" + r.getAs("displaced_partner_id") + " "
                        + r.<Double>getAs("measured_value")));
        assertEquals(Map.of("o1", "k1 P-CP>P-CR 1.0", "o4", "null null>P-CR 0.0"), found);
    }

    private static final String CREDITED = "order_id STRING, person_id STRING, order_status STRING, "
            + "credited_event_id STRING, credited_partner_id STRING";

    @Test
    void repeatedOrdersThroughOnePartnerWithManyReturnsAreSelfReferral() {
        List<String> rows = new ArrayList<>();
        String[] statuses = {"returned", "cancelled", "placed", "placed"};   // 2 of 4 bad: 0.5 >= 0.4
        for (int i = 0; i < 4; i++) {
            rows.add(String.format("{\"order_id\":\"s%d\",\"person_id\":\"self\",\"order_status\":\"%s\","
                    + "\"credited_event_id\":\"e%d\",\"credited_partner_id\":\"P-RF\"}", i, statuses[i], i));
            // a loyal customer: 4 orders through one partner, 1 returned (0.25): not self-referral
            rows.add(String.format("{\"order_id\":\"l%d\",\"person_id\":\"loyal\",\"order_status\":\"%s\","
                    + "\"credited_event_id\":\"f%d\",\"credited_partner_id\":\"P-LY\"}", i, i == 0 ? "returned" : "placed", i));
        }
        // three orders only, all returned: below min_orders
        for (int i = 0; i < 3; i++) {
            rows.add(String.format("{\"order_id\":\"t%d\",\"person_id\":\"few\",\"order_status\":\"returned\","
                    + "\"credited_event_id\":\"g%d\",\"credited_partner_id\":\"P-RF\"}", i, i));
        }
        PartnermixConfig.SelfReferralRule rule = new PartnermixConfig.SelfReferralRule(true, "high", "withhold", 4, 0.4);
        List<Row> found = FraudRules.selfReferral(Rows.of(spark(), CREDITED, rows.toArray(String[]::new)), rule)
                .orderBy("order_id").collectAsList();
        assertEquals(List.of("s0", "s1", "s2", "s3"), found.stream().map(r -> r.<String>getAs("order_id")).toList());
        assertEquals(4.0, found.get(0).<Double>getAs("measured_value"));
        assertEquals("P-RF", found.get(0).getAs("partner_id"));
    }

    @Test
    void aBurstOfPartnerClicksWithoutAVisitIsCookieStuffing() {
        List<String> events = List.of(
                click("s", "x1", "03:00:00.000", "P-A", false, SHOP + "/", "https://stuff.example"),
                click("s", "x2", "03:00:01.200", "P-B", false, SHOP + "/", "https://stuff.example"),
                click("s", "x3", "03:00:02.500", "P-C", false, SHOP + "/", "https://stuff.example"),
                // an honest reader clicking three partners quickly, each with a visit
                click("h", "y1", "10:00:00", "P-A", false, SHOP + "/", "https://a.example"),
                page("h", "z1", "10:00:02", "landing"),
                click("h", "y2", "10:00:05", "P-B", false, SHOP + "/", "https://b.example"),
                page("h", "z2", "10:00:07", "landing"),
                click("h", "y3", "10:00:09", "P-C", false, SHOP + "/", "https://c.example"),
                page("h", "z3", "10:00:11", "landing"),
                // two partners without a visit: below the burst size
                click("t", "w1", "03:00:00", "P-A", false, SHOP + "/", "https://stuff.example"),
                click("t", "w2", "03:00:01", "P-B", false, SHOP + "/", "https://stuff.example"));
        Dataset<Row> timeline = FraudRules.timeline(Rows.of(spark(), EVENTS, events.toArray(String[]::new)),
                Rows.of(spark(), ORDERS), 1800);
        List<String> found = FraudRules.cookieStuffing(timeline, settings().cookieStuffing()).orderBy("event_id")
                .collectAsList().stream().map(r -> r.<String>getAs("event_id") + " " + r.<Double>getAs("measured_value"))
                .toList();
        assertEquals(List.of("x1 3.0", "x2 3.0", "x3 3.0"), found);
    }

    private static final String METRICS = "partner_id STRING, partner_type STRING, region STRING, "
            + "median_click_to_order_seconds DOUBLE, conversion_rate DOUBLE, clicks_per_order DOUBLE, "
            + "new_customer_share DOUBLE";

    private static String metrics(String partner, String region, double clicksPerOrder, double newShare) {
        return String.format(java.util.Locale.ROOT, "{\"partner_id\":\"%s\",\"partner_type\":\"deal\",\"region\":\"%s\","
                        + "\"median_click_to_order_seconds\":600,\"conversion_rate\":0.1,\"clicks_per_order\":%s,"
                        + "\"new_customer_share\":%s}", partner, region, clicksPerOrder, newShare);
    }

    @Test
    void robustZUsesTheMedianAndMadOfThePeersAndFallsBackWhenTheMadIsZero() {
        // clicks per order 1, 2, 3, 4, 100: median 3, deviations 2, 1, 0, 1, 97 -> MAD 1.
        // new-customer share 0.5 x4 and 0.9: MAD 0, mean absolute deviation 0.08 -> z = 0.4 / (1.2533 x 0.08).
        // Only 5 partners in NA, min_peers 5: the regional group is used; the lone EMEA partner falls back to
        // the type across regions (6 partners).
        Dataset<Row> rows = Rows.of(spark(), METRICS, metrics("d1", "NA", 1, 0.5), metrics("d2", "NA", 2, 0.5),
                metrics("d3", "NA", 3, 0.5), metrics("d4", "NA", 4, 0.5), metrics("d5", "NA", 100, 0.9),
                metrics("d6", "EMEA", 3.5, 0.5));
        Map<String, Double> z = new TreeMap<>();
        Map<String, String> groups = new TreeMap<>();
        for (Row r : FraudRules.anomalies(rows, 5).collectAsList()) {
            z.put(r.getAs("partner_id") + "/" + r.getAs("metric"), r.getAs("robust_z"));
            groups.put(r.getAs("partner_id") + "/" + r.getAs("metric"), r.getAs("peer_group") + " "
                    + r.<Double>getAs("peer_median"));
        }
        assertEquals(97 / 1.4826, z.get("d5/clicks_per_order"), 1e-9);
        assertEquals(-2 / 1.4826, z.get("d1/clicks_per_order"), 1e-9);
        assertEquals(0.4 / (1.2533 * 0.08), z.get("d5/new_customer_share"), 1e-9);
        assertEquals(0.0, z.get("d1/new_customer_share"), 1e-12);
        assertEquals(0.0, z.get("d1/median_click_to_order_seconds"), 1e-12);   // all equal: z = 0
        assertEquals("deal/NA 3.0", groups.get("d1/clicks_per_order"));
        // type-wide: 1, 2, 3, 3.5, 4, 100 -> median (3 + 3.5) / 2
        assertEquals("deal 3.25", groups.get("d6/clicks_per_order"));
    }

    @Test
    void floodFlagsOnlyCreditedClicksWithoutAVisitOfAFloodingPartner() {
        Dataset<Row> credited = Rows.of(spark(), "order_id STRING, credited_event_id STRING, "
                        + "credited_partner_id STRING, visited BOOLEAN",
                "{\"order_id\":\"o1\",\"credited_event_id\":\"f1\",\"credited_partner_id\":\"P-DL\",\"visited\":false}",
                "{\"order_id\":\"o2\",\"credited_event_id\":\"f2\",\"credited_partner_id\":\"P-DL\",\"visited\":true}",
                "{\"order_id\":\"o3\",\"credited_event_id\":\"g1\",\"credited_partner_id\":\"P-OK\",\"visited\":false}");
        Dataset<Row> flooders = Rows.of(spark(), "partner_id STRING, clicks_per_order DOUBLE, peer_median DOUBLE, "
                + "robust_z DOUBLE", "{\"partner_id\":\"P-DL\",\"clicks_per_order\":40,\"peer_median\":4,\"robust_z\":9}");
        List<Row> found = FraudRules.clickFlood(credited, flooders, settings().clickFlood()).collectAsList();
        assertEquals(1, found.size());
        assertEquals("o1", found.get(0).getAs("order_id"));
        assertEquals(40.0, found.get(0).<Double>getAs("measured_value"));
        assertEquals(12.0, found.get(0).<Double>getAs("threshold"));   // 3 x the peer median
    }

    @Test
    void medianOfEvenAndOddCounts() {
        List<Row> r = spark().sql("select array(1.0, 2.0, 3.0, 4.0) a, array(5.0, 1.0, 3.0) b, array() c")
                .select(FraudRules.median(col("a")), FraudRules.median(org.apache.spark.sql.functions.sort_array(
                        col("b"))), FraudRules.median(col("c").cast("array<double>"))).collectAsList();
        assertEquals(2.5, r.get(0).getDouble(0));
        assertEquals(3.0, r.get(0).getDouble(1));
        assertTrue(r.get(0).isNullAt(2));
    }
}
