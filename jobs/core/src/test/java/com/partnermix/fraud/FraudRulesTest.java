package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each rule on hand-built journeys with the default settings of conf/business.yaml: the fraudulent pattern with
 * its strong signals proposes the payout action, and the honest behaviour that looks like it (a coupon-site
 * detour from the cart, tabs opened and visited later, a NAT address, codes that travel, a loyal weekly buyer, a
 * software partner on a new visit or without afsrc=1) raises nothing or a review ({@code flag}) only.
 */
class FraudRulesTest extends SparkTestBase {

    private static final String EVENTS = "person_id STRING, anonymous_id STRING, event_id STRING, event_ts TIMESTAMP, "
            + "event_type STRING, partner_id STRING, page_type STRING, landing_url STRING, referrer_url STRING, "
            + "ip_hash STRING, coupon_code STRING, stand_down_required BOOLEAN";
    private static final String ORDERS = "person_id STRING, order_id STRING, order_ts TIMESTAMP";
    private static final String TOUCHES = "order_id STRING, event_id STRING, position INT, is_click BOOLEAN, "
            + "partner_id STRING, seconds_before_order DOUBLE";
    private static final String EXAMINED = "order_id STRING, person_id STRING, order_ts TIMESTAMP, order_date DATE, "
            + "order_status STRING, is_new_customer BOOLEAN, coupon_code STRING";
    private static final String PARTNERS = "partner_id STRING, partner_type STRING, region STRING, "
            + "stand_down_required BOOLEAN, owned_coupon_codes ARRAY<STRING>";
    private static final String SHOP = "https://shop.example.com";
    private static final LocalDate DAY = LocalDate.parse("2026-11-20");

    private static PartnermixConfig.Fraud settings() {
        return config(Path.of("unused")).fraud();
    }

    private static String click(String person, String id, String time, String partner, boolean standDown,
                                String landing, String referrer) {
        return click(person, person + "-d", "ip-" + person, id, time, partner, standDown, landing, referrer, null);
    }

    private static String click(String person, String device, String ip, String id, String time, String partner,
                                boolean standDown, String landing, String referrer, String code) {
        return String.format("{\"person_id\":\"%s\",\"anonymous_id\":\"%s\",\"event_id\":\"%s\","
                        + "\"event_ts\":\"2026-11-20T%s\",\"event_type\":\"click\",\"partner_id\":\"%s\","
                        + "\"landing_url\":\"%s\"%s,\"ip_hash\":\"%s\"%s,\"stand_down_required\":%b}", person, device,
                id, time, partner, landing, referrer == null ? "" : ",\"referrer_url\":\"" + referrer + "\"", ip,
                code == null ? "" : ",\"coupon_code\":\"" + code + "\"", standDown);
    }

    private static String page(String person, String id, String time, String type) {
        return page(person, person + "-d", id, time, type);
    }

    private static String page(String person, String device, String id, String time, String type) {
        return String.format("{\"person_id\":\"%s\",\"anonymous_id\":\"%s\",\"event_id\":\"%s\","
                + "\"event_ts\":\"2026-11-20T%s\",\"event_type\":\"page_view\",\"page_type\":\"%s\","
                + "\"landing_url\":\"%s/%s\"}", person, device, id, time, type, SHOP, type);
    }

    private static String order(String person, String id, String time) {
        return String.format("{\"person_id\":\"%s\",\"order_id\":\"%s\",\"order_ts\":\"2026-11-20T%s\"}", person, id,
                time);
    }

    private static String touch(String order, String event, int position, String partner, double secondsBefore) {
        return String.format(Locale.ROOT, "{\"order_id\":\"%s\",\"event_id\":\"%s\",\"position\":%d,"
                        + "\"is_click\":true,\"partner_id\":\"%s\",\"seconds_before_order\":%s}", order, event,
                position, partner, secondsBefore);
    }

    private static String examined(String order, String person, String time, String status, String code) {
        return String.format("{\"order_id\":\"%s\",\"person_id\":\"%s\",\"order_ts\":\"2026-11-20T%s\","
                        + "\"order_date\":\"2026-11-20\",\"order_status\":\"%s\",\"is_new_customer\":false%s}", order,
                person, time, status, code == null ? "" : ",\"coupon_code\":\"" + code + "\"");
    }

    private static String partner(String id, String type, boolean standDown, String... codes) {
        return String.format("{\"partner_id\":\"%s\",\"partner_type\":\"%s\",\"region\":\"NA\","
                        + "\"stand_down_required\":%b,\"owned_coupon_codes\":[%s]}", id, type, standDown,
                String.join(",", java.util.Arrays.stream(codes).map(c -> "\"" + c + "\"").toList()));
    }

    private static Dataset<Row> timeline(List<String> events, List<String> orders) {
        return FraudInputs.withEventDate(FraudRules.timeline(Rows.of(spark(), EVENTS, events.toArray(String[]::new)),
                Rows.of(spark(), ORDERS, orders.toArray(String[]::new)), 1800, 60, 1800));
    }

    private static FraudInputs inputs(List<String> events, List<String> orders, List<String> touches,
                                      List<String> examined, List<String> partners) {
        return new FraudInputs(settings(), settings().shopHosts(), 1800, DAY.minusDays(29), DAY, timeline(events, orders),
                Rows.of(spark(), TOUCHES, touches.toArray(String[]::new)),
                Rows.of(spark(), EXAMINED, examined.toArray(String[]::new)),
                Rows.of(spark(), PARTNERS, partners.toArray(String[]::new)), d -> d);
    }

    private static FraudInputs inputs(List<String> events, List<String> orders, List<String> touches) {
        return inputs(events, orders, touches, List.of(), List.of());
    }

    /** key (event, or order when the finding has no click) -> "partner>displaced measured action score". */
    private static Map<String, String> found(String rule, FraudInputs in) {
        FraudRule r = FraudRules.rule(rule);
        PartnermixConfig.RuleSettings s = in.settings.rule(r.configKey());
        Map<String, String> out = new TreeMap<>();
        for (Row f : FraudRules.scored(r.findings(in, s), r, s).collectAsList()) {
            String key = f.isNullAt(f.fieldIndex("event_id")) ? f.getAs("order_id") : f.getAs("event_id");
            out.put(key, f.getAs("partner_id") + ">" + f.getAs("displaced_partner_id") + " "
                    + f.<Double>getAs("measured_value") + " " + f.getAs("proposed_action") + " "
                    + f.<Double>getAs("score"));
        }
        return out;
    }

    @Test
    void aStandDownPartnerClickingAfterAnAfsrcClickOnItsDeviceIsReassigned() {
        FraudInputs in = inputs(List.of(
                        click("a", "c1", "10:00:00", "P-CR", false, SHOP + "/mats?afsrc=1", "https://maya.example"),
                        page("a", "v1", "10:00:02", "landing"),
                        click("a", "x1", "10:05:00", "P-BX", true, SHOP + "/mats", "https://ext.example"),
                        page("a", "v2", "10:05:02", "landing"),
                        page("a", "v3", "10:07:00", "cart"),
                        page("a", "v4", "10:08:00", "checkout")),
                List.of(order("a", "o1", "10:09:00")),
                List.of(touch("o1", "c1", 1, "P-CR", 540), touch("o1", "x1", 2, "P-BX", 240)));
        assertEquals(Map.of("x1", "P-BX>P-CR 300.0 reassign 1.0"), found(FraudRules.STAND_DOWN_VIOLATION, in));
    }

    @Test
    void aStandDownPartnerThatCouldNotSeeTheOtherSessionIsOnlyReviewedOrNotFlagged() {
        FraudInputs in = inputs(List.of(
                        // a: the creator's landing URL carried no afsrc=1: nobody told the extension to stand down
                        click("a", "c1", "10:00:00", "P-CR", false, SHOP + "/mats", "https://maya.example"),
                        page("a", "v1", "10:00:02", "landing"),
                        click("a", "x1", "10:05:00", "P-BX", true, SHOP + "/mats", "https://ext.example"),
                        page("a", "v2", "10:05:02", "landing"),
                        // b: afsrc=1, but on the phone; the extension clicks on the laptop
                        click("b", "b-phone", "ip-b", "c2", "10:00:00", "P-CR", false, SHOP + "/?afsrc=1",
                                "https://maya.example", null),
                        page("b", "b-phone", "w1", "10:00:02", "landing"),
                        click("b", "b-laptop", "ip-b", "x2", "10:04:00", "P-BX", true, SHOP + "/", null, null),
                        page("b", "b-laptop", "w2", "10:04:02", "landing"),
                        // c: a new visit 40 minutes after the creator's session ended
                        click("c", "c3", "10:00:00", "P-CR", false, SHOP + "/?afsrc=1", "https://maya.example"),
                        page("c", "u1", "10:00:02", "landing"),
                        click("c", "x3", "10:45:03", "P-BX", true, SHOP + "/", "https://ext.example"),
                        page("c", "u2", "10:45:05", "product"),
                        // d: the software partner clicked first, an honest partner after it
                        click("d", "x4", "10:00:00", "P-BX", true, SHOP + "/", "https://ext.example"),
                        page("d", "t1", "10:00:02", "landing"),
                        click("d", "c4", "10:05:00", "P-RV", false, SHOP + "/?afsrc=1", "https://review.example"),
                        page("d", "t2", "10:05:02", "landing")),
                List.of(order("a", "o1", "10:20:00"), order("b", "o2", "10:20:00"), order("c", "o3", "10:50:00"),
                        order("d", "o4", "10:20:00")),
                List.of(touch("o1", "c1", 1, "P-CR", 1200), touch("o1", "x1", 2, "P-BX", 900),
                        touch("o2", "c2", 1, "P-CR", 1200), touch("o2", "x2", 2, "P-BX", 960),
                        touch("o3", "c3", 1, "P-CR", 3000), touch("o3", "x3", 2, "P-BX", 297),
                        touch("o4", "x4", 1, "P-BX", 1200), touch("o4", "c4", 2, "P-RV", 900)));
        assertEquals(Map.of("x1", "P-BX>P-CR 300.0 flag 0.4", "x2", "P-BX>P-CR 240.0 flag 0.6"),
                found(FraudRules.STAND_DOWN_VIOLATION, in));
    }

    @Test
    void aClickFromTheCartWithoutAVisitIsAHijackToReassign() {
        FraudInputs in = inputs(List.of(
                        click("a", "c1", "09:30:00", "P-CR", false, SHOP + "/", "https://maya.example"),
                        page("a", "v1", "09:30:02", "landing"),
                        page("a", "v2", "10:00:00", "product"),
                        page("a", "v3", "10:10:00", "cart"),
                        // the extension fires 4 s after the cart view, no referrer, no landing: 0.35 + 0.15 + 0.15
                        click("a", "k1", "10:10:04", "P-BX", true, SHOP + "/cart", null),
                        page("a", "v4", "10:10:05", "cart"),
                        page("a", "v5", "10:12:00", "checkout"),
                        // person b: no cart view, but the click is referred by the shop's own checkout page
                        page("b", "w1", "10:00:00", "product"),
                        click("b", "k2", "10:01:00", "P-CP", false, SHOP + "/", SHOP + "/checkout?step=2"),
                        page("b", "w2", "10:01:30", "checkout")),
                List.of(order("a", "o1", "10:13:00"), order("b", "o2", "10:03:00")),
                List.of(touch("o1", "c1", 1, "P-CR", 2580), touch("o1", "k1", 2, "P-BX", 176),
                        touch("o2", "k2", 1, "P-CP", 120)));
        assertEquals(Map.of("k1", "P-BX>P-CR 4.0 reassign 0.65", "k2", "P-CP>null 0.0 reassign 0.85"),
                found(FraudRules.BASKET_HIJACK, in));
    }

    @Test
    void aShopperWhoLeavesTheCartForACouponSiteAndComesBackThroughItIsNoHijackToAct() {
        FraudInputs in = inputs(List.of(
                        page("a", "v1", "10:00:00", "product"),
                        page("a", "v2", "10:01:00", "cart"),
                        // two minutes on the coupon site, its page as referrer, a landing and a search
                        click("a", "k1", "10:03:10", "P-CP", false, SHOP + "/?afsrc=1", "https://coupons.example/shop"),
                        page("a", "v3", "10:03:12", "landing"),
                        page("a", "v4", "10:03:40", "search"),
                        page("a", "v5", "10:04:30", "cart"),
                        page("a", "v6", "10:05:00", "checkout"),
                        // b: the coupon site's link lands on the cart itself, 20 s after the cart view
                        page("b", "w1", "10:01:00", "cart"),
                        click("b", "k2", "10:01:20", "P-DL", false, SHOP + "/cart", "https://deals.example/shop"),
                        page("b", "w2", "10:01:21", "cart"),
                        page("b", "w3", "10:02:00", "checkout"),
                        // c: an abandoned cart two hours earlier, a coupon click on a new visit
                        page("c", "u0", "08:00:00", "cart"),
                        click("c", "k3", "10:00:00", "P-CP", false, SHOP + "/?afsrc=1", "https://coupons.example"),
                        page("c", "u1", "10:00:02", "landing"),
                        page("c", "u2", "10:05:00", "cart")),
                List.of(order("a", "o1", "10:06:00"), order("b", "o2", "10:03:00"), order("c", "o3", "10:07:00")),
                List.of(touch("o1", "k1", 1, "P-CP", 170), touch("o2", "k2", 1, "P-DL", 100),
                        touch("o3", "k3", 1, "P-CP", 420)));
        // a review each at most, never a payout change: nobody came from the shop's page
        assertEquals(Map.of("k1", "P-CP>null 130.0 flag 0.0", "k2", "P-DL>null 20.0 flag 0.3"),
                found(FraudRules.BASKET_HIJACK, in));
    }

    @Test
    void anOrderSecondsAfterAClickWithNoPageViewBetweenIsASnipe() {
        FraudInputs in = inputs(List.of(
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
        assertEquals(Map.of("s1", "P-CB>P-CR 5.0 reassign 0.8"), found(FraudRules.LAST_SECOND_SNIPE, in));
        // the snipe after the checkout view is an in-cart click too; from the cashback site's page, only reviewed
        assertEquals(Map.of("s1", "P-CB>P-CR 60.0 flag 0.3"), found(FraudRules.BASKET_HIJACK, in));
    }

    @Test
    void aCodeShownByAnotherPartnersClickIsLeakageToReassignWhileCodesThatTravelAreReviewedOrAllowed() {
        FraudInputs in = inputs(List.of(
                        click("a", "a-d", "ip-a", "k1", "10:00:00", "P-CP-005", false, SHOP + "/", "https://c.example",
                                "MAYA20"),
                        click("b", "b-d", "ip-b", "k2", "10:00:00", "P-RV", false, SHOP + "/", "https://r.example",
                                null),
                        click("c", "c-d", "ip-c", "c3", "09:00:00", "P-CR-001", false, SHOP + "/", "https://m.example",
                                null),
                        click("c", "c-d", "ip-c", "k3", "10:00:00", "P-CP-007", false, SHOP + "/", "https://o.example",
                                null),
                        click("e", "e-d", "ip-e", "k5", "10:00:00", "P-CP-007", false, SHOP + "/", "https://o.example",
                                "MAYA20"),
                        click("f", "f-d", "ip-f", "c6", "10:00:00", "P-CR-001", false, SHOP + "/", "https://m.example",
                                "MAYA20")),
                List.of(),
                List.of(touch("o1", "k1", 1, "P-CP-005", 60), touch("o2", "k2", 1, "P-RV", 60),
                        touch("o3", "c3", 1, "P-CR-001", 3660), touch("o3", "k3", 2, "P-CP-007", 60),
                        touch("o5", "k5", 1, "P-CP-007", 60), touch("o6", "c6", 1, "P-CR-001", 60)),
                List.of(examined("o1", "a", "10:01:00", "placed", "MAYA20"),     // published with consent
                        examined("o2", "b", "10:01:00", "placed", "MAYA20"),     // a friend's code, a review site's click
                        examined("o3", "c", "10:01:00", "placed", "MAYA20"),     // the creator clicked first, then
                                                                                 // a coupon site not showing it
                        examined("o4", "d", "10:01:00", "placed", "MAYA20"),     // no partner click at all
                        examined("o5", "e", "10:01:00", "placed", "MAYA20"),     // another coupon site shows the code
                        examined("o6", "f", "10:01:00", "placed", "MAYA20"),     // the owner's own click
                        examined("o7", "g", "10:01:00", "placed", "WELCOME10")), // a generic code
                List.of(partner("P-CR-001", "creator", false, "MAYA20"), partner("P-CP-005", "coupon", false),
                        partner("P-CP-007", "coupon", false), partner("P-RV", "review", false)));
        assertEquals(Map.of("k2", "P-RV>P-CR-001 0.0 flag 0.0", "k3", "P-CP-007>P-CR-001 1.0 flag 0.4",
                        "o4", "null>P-CR-001 0.0 flag 0.0", "k5", "P-CP-007>P-CR-001 0.0 reassign 0.8"),
                found(FraudRules.COUPON_LEAKAGE, in));
    }

    @Test
    void repeatedOrdersWithManyCancellationsAreSelfReferralButALoyalWeeklyBuyerIsOnlyReviewed() {
        List<String> events = new ArrayList<>();
        List<String> touches = new ArrayList<>();
        List<String> examined = new ArrayList<>();
        String[] selfStatus = {"returned", "cancelled", "returned", "placed"};   // 3 of 4 bad
        for (int i = 0; i < 4; i++) {
            events.add(click("self", "self-d", "ip-s", "e" + i, "0" + i + ":00:00", "P-RF", false, SHOP + "/", null,
                    null));
            touches.add(touch("s" + i, "e" + i, 1, "P-RF", 600));
            examined.add(examined("s" + i, "self", "0" + i + ":10:00", selfStatus[i], null));
        }
        for (int i = 0; i < 5; i++) {   // a loyal customer: 5 orders through the loyalty app, one returned
            events.add(click("loyal", "l-d", "ip-l", "f" + i, "1" + i + ":00:00", "P-LY", true, SHOP + "/", null, null));
            touches.add(touch("l" + i, "f" + i, 1, "P-LY", 600));
            examined.add(examined("l" + i, "loyal", "1" + i + ":10:00", i == 0 ? "returned" : "placed", null));
        }
        for (int i = 0; i < 2; i++) {   // two orders, both returned: below min_orders
            events.add(click("few", "w-d", "ip-w", "g" + i, "2" + i + ":00:00", "P-RF", false, SHOP + "/", null, null));
            touches.add(touch("t" + i, "g" + i, 1, "P-RF", 600));
            examined.add(examined("t" + i, "few", "2" + i + ":10:00", "returned", null));
        }
        Map<String, String> found = found(FraudRules.SELF_REFERRAL, inputs(events, List.of(), touches, examined,
                List.of()));
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < 4; i++) {
            expected.put("e" + i, "P-RF>null 4.0 withhold 0.7");
        }
        for (int i = 0; i < 5; i++) {
            expected.put("f" + i, "P-LY>null 5.0 flag 0.0");
        }
        assertEquals(expected, found);
    }

    @Test
    void aBurstOfClicksNeverVisitedIsStuffingButTabsVisitedLaterAndANatAddressAreOnlyReviewed() {
        List<String> events = new ArrayList<>(List.of(
                click("s", "s-d", "ip-s", "x1", "03:00:00.000", "P-A", false, SHOP + "/", "https://stuff.example", null),
                click("s", "s-d", "ip-s", "x2", "03:00:01.200", "P-B", false, SHOP + "/", "https://stuff.example", null),
                click("s", "s-d", "ip-s", "x3", "03:00:02.500", "P-C", false, SHOP + "/", "https://stuff.example", null),
                // tabs opened from a comparison page within seconds, each visited minutes later
                click("t", "t-d", "ip-t", "y1", "10:00:00", "P-A", false, SHOP + "/a", "https://compare.example", null),
                click("t", "t-d", "ip-t", "y2", "10:00:01", "P-B", false, SHOP + "/b", "https://compare.example", null),
                click("t", "t-d", "ip-t", "y3", "10:00:02", "P-C", false, SHOP + "/c", "https://compare.example", null),
                page("t", "t-d", "z1", "10:02:00", "landing"),
                page("t", "t-d", "z2", "10:05:00", "landing"),
                page("t", "t-d", "z3", "10:09:00", "landing"),
                // an honest reader clicking three partners quickly, each with a visit right away
                click("h", "h-d", "ip-h", "w1", "11:00:00", "P-A", false, SHOP + "/", "https://a.example", null),
                page("h", "h-d", "q1", "11:00:02", "landing"),
                click("h", "h-d", "ip-h", "w2", "11:00:05", "P-B", false, SHOP + "/", "https://b.example", null),
                page("h", "h-d", "q2", "11:00:07", "landing"),
                click("h", "h-d", "ip-h", "w3", "11:00:09", "P-C", false, SHOP + "/", "https://c.example", null),
                page("h", "h-d", "q3", "11:00:11", "landing"),
                // two partners without a visit: below the burst size
                click("u", "u-d", "ip-u", "v1", "03:00:00", "P-A", false, SHOP + "/", "https://stuff.example", null),
                click("u", "u-d", "ip-u", "v2", "03:00:01", "P-B", false, SHOP + "/", "https://stuff.example", null)));
        // a carrier's NAT address: five phones click within seconds and leave at once, twelve others visit
        for (int i = 0; i < 5; i++) {
            events.add(click("n" + i, "n" + i + "-d", "ip-nat", "b" + i, "12:00:0" + i, "P-D", false, SHOP + "/",
                    "https://d.example", null));
        }
        for (int i = 0; i < 12; i++) {
            String t = String.format("13:%02d:00", i * 4);
            events.add(click("m" + i, "m" + i + "-d", "ip-nat", "g" + i, t, "P-D", false, SHOP + "/",
                    "https://d.example", null));
            events.add(page("m" + i, "m" + i + "-d", "gp" + i, t.substring(0, 6) + "02", "landing"));
        }
        Map<String, String> found = found(FraudRules.COOKIE_STUFFING, inputs(events, List.of(), List.of()));
        Map<String, String> expected = new TreeMap<>(Map.of(
                "x1", "P-A>null 3.0 withhold 0.8", "x2", "P-B>null 3.0 withhold 0.8",
                "x3", "P-C>null 3.0 withhold 0.8",
                "y1", "P-A>null 3.0 flag 0.2", "y2", "P-B>null 3.0 flag 0.2", "y3", "P-C>null 3.0 flag 0.2"));
        for (int i = 0; i < 5; i++) {
            expected.put("b" + i, "P-D>null 5.0 flag 0.6");   // never visited, but the address is shared
        }
        assertEquals(expected, found);
    }

    @Test
    void aFloodingPartnersCreditedClickIsWithheldOnlyWhenNeverVisitedLongBeforeTheOrderAndItsClicksMostlyNeverLand() {
        Dataset<Row> credited = Rows.of(spark(), "order_id STRING, credited_event_id STRING, "
                        + "credited_partner_id STRING, credited_seconds_before_order DOUBLE, credited_pv_dwell LONG, "
                        + "credited_pv_window LONG",
                "{\"order_id\":\"o1\",\"credited_event_id\":\"f1\",\"credited_partner_id\":\"P-DL\","
                        + "\"credited_seconds_before_order\":90000,\"credited_pv_dwell\":0,\"credited_pv_window\":0}",
                "{\"order_id\":\"o2\",\"credited_event_id\":\"f2\",\"credited_partner_id\":\"P-DL\","
                        + "\"credited_seconds_before_order\":90000,\"credited_pv_dwell\":1,\"credited_pv_window\":3}",
                "{\"order_id\":\"o3\",\"credited_event_id\":\"f3\",\"credited_partner_id\":\"P-DL\","
                        + "\"credited_seconds_before_order\":600,\"credited_pv_dwell\":0,\"credited_pv_window\":2}",
                "{\"order_id\":\"o4\",\"credited_event_id\":\"g1\",\"credited_partner_id\":\"P-OK\","
                        + "\"credited_seconds_before_order\":90000,\"credited_pv_dwell\":0,\"credited_pv_window\":0}",
                "{\"order_id\":\"o5\",\"credited_event_id\":\"r1\",\"credited_partner_id\":\"P-RF\","
                        + "\"credited_seconds_before_order\":90000,\"credited_pv_dwell\":0,\"credited_pv_window\":0}");
        // P-RF is far above its peers too, but 84% of its clicks reach the shop: they land and rarely convert
        Dataset<Row> flooders = Rows.of(spark(), "partner_id STRING, clicks_per_order DOUBLE, peer_median DOUBLE, "
                        + "robust_z DOUBLE, unvisited_share DOUBLE",
                "{\"partner_id\":\"P-DL\",\"clicks_per_order\":40,\"peer_median\":4,\"robust_z\":9,\"unvisited_share\":0.9}",
                "{\"partner_id\":\"P-RF\",\"clicks_per_order\":25,\"peer_median\":4,\"robust_z\":16,\"unvisited_share\":0.16}");
        FraudRule rule = FraudRules.rule(FraudRules.CLICK_FLOOD);
        PartnermixConfig.RuleSettings s = settings().rule(rule.configKey());
        Map<String, String> found = new TreeMap<>();
        for (Row r : FraudRules.scored(ClickFloodRule.findings(credited, flooders, s), rule, s).collectAsList()) {
            found.put(r.getAs("order_id"), r.<Double>getAs("measured_value") + " " + r.<Double>getAs("threshold") + " "
                    + r.getAs("proposed_action") + " " + r.<Double>getAs("score"));
        }
        // o2 was a visit; o3 bounced at first but the device came to the shop; P-OK floods nothing; o5's click
        // bounced like any partner's honest clicks sometimes do (weights 0.2 partner, 0.3 never visited, 0.2 long
        // before, 0.3 the partner's clicks mostly unvisited)
        assertEquals(Map.of("o1", "40.0 12.0 withhold 1.0", "o3", "40.0 12.0 flag 0.5", "o5", "25.0 12.0 flag 0.7"),
                found);
    }

    @Test
    void aFlooderIsFarAboveItsPeersOrMostOfItsClicksNeverReachTheShopAndAlwaysFlatWithEnoughClicks() {
        Dataset<Row> metrics = Rows.of(spark(), "partner_id STRING, clicks LONG, flat_share DOUBLE, unvisited_share DOUBLE",
                "{\"partner_id\":\"P-PEERS\",\"clicks\":500,\"flat_share\":0.8,\"unvisited_share\":0.1}",
                "{\"partner_id\":\"P-ALONE\",\"clicks\":1200,\"flat_share\":0.9,\"unvisited_share\":0.99}",
                "{\"partner_id\":\"P-BUSY\",\"clicks\":600,\"flat_share\":0.7,\"unvisited_share\":0.1}",
                "{\"partner_id\":\"P-FEW\",\"clicks\":150,\"flat_share\":0.9,\"unvisited_share\":1.0}",
                "{\"partner_id\":\"P-FAST\",\"clicks\":900,\"flat_share\":0.2,\"unvisited_share\":0.95}");
        Dataset<Row> anomalies = Rows.of(spark(), "partner_id STRING, metric STRING, value DOUBLE, peer_median DOUBLE, "
                        + "robust_z DOUBLE",
                "{\"partner_id\":\"P-PEERS\",\"metric\":\"clicks_per_order\",\"value\":40,\"peer_median\":4,\"robust_z\":9}",
                // the only partner of its type: its own median, z 0
                "{\"partner_id\":\"P-ALONE\",\"metric\":\"clicks_per_order\",\"value\":47,\"peer_median\":47,\"robust_z\":0}",
                // an honest content site with many clicks per order, not far enough above its peers
                "{\"partner_id\":\"P-BUSY\",\"metric\":\"clicks_per_order\",\"value\":57,\"peer_median\":17,\"robust_z\":2}",
                "{\"partner_id\":\"P-FEW\",\"metric\":\"clicks_per_order\",\"value\":50,\"peer_median\":5,\"robust_z\":9}",
                "{\"partner_id\":\"P-FAST\",\"metric\":\"clicks_per_order\",\"value\":50,\"peer_median\":5,\"robust_z\":9}",
                "{\"partner_id\":\"P-BUSY\",\"metric\":\"conversion_rate\",\"value\":0.01,\"peer_median\":0.1,\"robust_z\":-9}");
        PartnermixConfig.RuleSettings s = settings().rule(new ClickFloodRule().configKey());
        List<String> found = new ArrayList<>();
        for (Row r : FraudRules.floodingPartners(metrics, anomalies, s).orderBy("partner_id").collectAsList()) {
            found.add(r.getAs("partner_id") + " " + r.<Double>getAs("clicks_per_order") + " "
                    + r.<Double>getAs("unvisited_share"));
        }
        // P-FEW has fewer than min_clicks (200), P-FAST's orders mostly follow the click within a day
        assertEquals(List.of("P-ALONE 47.0 0.99", "P-PEERS 40.0 0.1"), found);
    }

    @Test
    void theScoreSumsTheWeightsOfTheSignalsThatHoldAndGatesTheActionAndTheFinding() {
        FraudRule rule = FraudRules.rule(FraudRules.BASKET_HIJACK);   // weights 0.35, 0.35, 0.15, 0.15; act >= 0.65
        Dataset<Row> findings = spark().sql("SELECT 'BASKET_HIJACK' rule_code, id, 'sentence' detail, "
                        + "array(named_struct('name', 'cart_referrer', 'value', 0.0D, 'holds', id = 1), "
                        + "named_struct('name', 'no_partner_referrer', 'value', 1.0D, 'holds', id IN (1, 2)), "
                        + "named_struct('name', 'no_visit', 'value', 0.0D, 'holds', id IN (2, 3)), "
                        + "named_struct('name', 'quick_after_cart', 'value', 3.0D, 'holds', id IN (2, 3))) signals "
                        + "FROM range(5)");
        PartnermixConfig.RuleSettings base = settings().rule(rule.configKey());
        Map<Long, String> scored = new TreeMap<>();
        for (Row r : FraudRules.scored(findings, rule, base).orderBy("id").collectAsList()) {
            scored.put(r.getAs("id"), r.getAs("proposed_action") + " " + r.<Double>getAs("score") + " "
                    + r.getAs("detail"));
        }
        assertEquals(Map.of(0L, "flag 0.0 sentence; score 0.00 (no signal)",
                1L, "reassign 0.7 sentence; score 0.70 (cart_referrer, no_partner_referrer)",
                2L, "reassign 0.65 sentence; score 0.65 (no_partner_referrer, no_visit, quick_after_cart)",
                3L, "flag 0.3 sentence; score 0.30 (no_visit, quick_after_cart)",
                4L, "flag 0.0 sentence; score 0.00 (no signal)"), scored);
        Row weighted = FraudRules.scored(findings, rule, base).where(col("id").equalTo(2)).first();
        assertEquals(0.35, weighted.getList(weighted.fieldIndex("signals")).stream().map(s -> (Row) s)
                .filter(s -> s.getString(0).equals("no_partner_referrer")).findFirst().orElseThrow().getDouble(3));

        // flag_min_score drops the weaker findings; a rule whose action is `flag` never proposes more
        PartnermixConfig.RuleSettings strict = new PartnermixConfig.RuleSettings(true, "high", "reassign", 0.5, 0.65,
                base.thresholds(), base.lists(), base.signals());
        assertEquals(List.of(1L, 2L), FraudRules.scored(findings, rule, strict).orderBy("id").collectAsList().stream()
                .map(r -> r.<Long>getAs("id")).toList());
        PartnermixConfig.RuleSettings review = new PartnermixConfig.RuleSettings(true, "low", "flag", 0.0, 0.0,
                base.thresholds(), base.lists(), base.signals());
        assertEquals(List.of("flag"), FraudRules.scored(findings, rule, review).select("proposed_action").distinct()
                .collectAsList().stream().map(r -> r.getString(0)).toList());
    }

    @Test
    void theAdjustedModelsDropOnlyTouchesFlaggedWithholdOrReassign() {
        Dataset<Row> flags = Rows.of(spark(), "order_id STRING, event_id STRING, proposed_action STRING",
                "{\"order_id\":\"o1\",\"event_id\":\"k1\",\"proposed_action\":\"reassign\"}",
                "{\"order_id\":\"o1\",\"event_id\":\"k2\",\"proposed_action\":\"flag\"}",
                "{\"order_id\":\"o2\",\"event_id\":\"k3\",\"proposed_action\":\"withhold\"}",
                "{\"order_id\":\"o3\",\"event_id\":\"k4\",\"proposed_action\":\"flag\"}",
                "{\"event_id\":\"k5\",\"proposed_action\":\"withhold\"}");   // a stuffed click without an order
        assertEquals(List.of("[o1,k1]", "[o2,k3]"), Rows.sorted(FraudJob.droppedTouches(flags)));
    }

    @Test
    void theSettingsMustNameExactlyEachRulesThresholdsListsAndSignals() {
        PartnermixConfig.Fraud good = settings();
        FraudRules.validate(good);
        Map<String, PartnermixConfig.RuleSettings> rules = new LinkedHashMap<>(good.rules());
        PartnermixConfig.RuleSettings hijack = rules.get("basket_hijack");
        Map<String, Double> typo = new TreeMap<>(hijack.signals());
        typo.put("cart_referer", typo.remove("cart_referrer"));
        rules.put("basket_hijack", new PartnermixConfig.RuleSettings(true, "high", "reassign", 0, 0.65,
                Map.of(), hijack.lists(), typo));
        rules.put("velocity", hijack);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FraudRules.validate(
                new PartnermixConfig.Fraud(30, List.of(), 1, 60, 1800, good.peerGroups(), rules)));
        assertTrue(e.getMessage().contains("fraud.rules.basket_hijack.thresholds misses [quick_seconds]"), e.getMessage());
        assertTrue(e.getMessage().contains("signals misses [cart_referrer]"), e.getMessage());
        assertTrue(e.getMessage().contains("has unknown [cart_referer]"), e.getMessage());
        assertTrue(e.getMessage().contains("fraud.rules.velocity is no rule"), e.getMessage());
    }

    private static final String METRICS = "partner_id STRING, partner_type STRING, region STRING, "
            + "median_click_to_order_seconds DOUBLE, conversion_rate DOUBLE, clicks_per_order DOUBLE, "
            + "new_customer_share DOUBLE";

    private static String metrics(String partner, String region, double clicksPerOrder, double newShare) {
        return String.format(Locale.ROOT, "{\"partner_id\":\"%s\",\"partner_type\":\"deal\",\"region\":\"%s\","
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
    void medianOfEvenAndOddCounts() {
        List<Row> r = spark().sql("select array(1.0, 2.0, 3.0, 4.0) a, array(5.0, 1.0, 3.0) b, array() c")
                .select(FraudRules.median(col("a")), FraudRules.median(org.apache.spark.sql.functions.sort_array(
                        col("b"))), FraudRules.median(col("c").cast("array<double>"))).collectAsList();
        assertEquals(2.5, r.get(0).getDouble(0));
        assertEquals(3.0, r.get(0).getDouble(1));
        assertTrue(r.get(0).isNullAt(2));
    }

    @Test
    void wilsonIntervalsHoldForSmallCountsAndTheEnds() {
        // p = 0.5, n = 10: centre 0.5, half width 1.96 / 1.384 * sqrt(0.025 + 0.0096) = 0.2634
        FraudEvaluation.Interval half = FraudEvaluation.wilson(5, 10);
        assertEquals(0.2366, half.low(), 1e-4);
        assertEquals(0.7634, half.high(), 1e-4);
        // all 10 right: the interval still admits 72 %, none right: up to 28 %
        assertEquals(0.7225, FraudEvaluation.wilson(10, 10).low(), 1e-4);
        assertEquals(1.0, FraudEvaluation.wilson(10, 10).high(), 1e-12);
        assertEquals(0.0, FraudEvaluation.wilson(0, 10).low(), 1e-12);
        assertEquals(0.2775, FraudEvaluation.wilson(0, 10).high(), 1e-4);
        assertTrue(Double.isNaN(FraudEvaluation.wilson(0, 0).low()));
    }
}
