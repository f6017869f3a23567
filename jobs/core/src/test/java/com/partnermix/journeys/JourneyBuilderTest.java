package com.partnermix.journeys;

import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.sql.Timestamp;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JourneyBuilderTest extends SparkTestBase {

    private static final String TOUCHES = "person_id STRING, event_id STRING, touch_ts TIMESTAMP, event_type STRING, "
            + "channel STRING, partner_id STRING, partner_type STRING, funnel_stage STRING, region STRING, "
            + "partner_region STRING, session_id STRING, coupon_code STRING, lookback_seconds LONG";
    private static final String ORDERS = "order_id STRING, person_id STRING, order_ts TIMESTAMP, order_date DATE, "
            + "order_status STRING, revenue DECIMAL(18,4), currency STRING, revenue_usd DECIMAL(18,4), "
            + "is_new_customer BOOLEAN, region STRING";
    private static final long DAYS_30 = 30 * 86_400L;
    private static final Timestamp RUN_END = Timestamp.valueOf("2026-12-31 00:00:00");

    private static String touch(String person, String id, String ts, String type, String channel, String partner,
                                String partnerType, long lookbackSeconds) {
        return "{\"person_id\":\"" + person + "\",\"event_id\":\"" + id + "\",\"touch_ts\":\"" + ts
                + "\",\"event_type\":\"" + type + "\",\"channel\":\"" + channel + "\""
                + (partner == null ? "" : ",\"partner_id\":\"" + partner + "\",\"partner_type\":\"" + partnerType + "\"")
                + ",\"funnel_stage\":\"awareness\",\"region\":\"EMEA\",\"lookback_seconds\":" + lookbackSeconds + "}";
    }

    private static String order(String id, String person, String ts, String revenueUsd) {
        return "{\"order_id\":\"" + id + "\",\"person_id\":\"" + person + "\",\"order_ts\":\"" + ts
                + "\",\"order_date\":\"" + ts.substring(0, 10) + "\",\"order_status\":\"placed\",\"revenue\":" + revenueUsd
                + ",\"currency\":\"USD\",\"revenue_usd\":" + revenueUsd + ",\"is_new_customer\":true,\"region\":\"EMEA\"}";
    }

    private static JourneyBuilder.Built build(Timestamp runEnd, List<String> touches, List<String> orders) {
        Dataset<Row> t = Rows.of(spark(), TOUCHES, touches.toArray(String[]::new));
        Dataset<Row> o = Rows.of(spark(), ORDERS, orders.toArray(String[]::new));
        return JourneyBuilder.build(t, o, runEnd, DAYS_30);
    }

    /** event_id -> journey_id of every touch. */
    private static Map<String, String> journeyOfTouch(JourneyBuilder.Built built) {
        Map<String, String> out = new TreeMap<>();
        built.touches().collectAsList().forEach(r -> out.put(r.getAs("event_id"), r.getAs("journey_id")));
        return out;
    }

    @Test
    void theLookbackIncludesATouchExactlyThirtyDaysBeforeTheOrderAndNotOneSecondEarlier() {
        JourneyBuilder.Built built = build(RUN_END, List.of(
                touch("p1", "too-early", "2026-10-01T11:59:59Z", "click", "display", null, null, DAYS_30),
                touch("p1", "boundary", "2026-10-01T12:00:00Z", "click", "email", null, null, DAYS_30),
                touch("p1", "late", "2026-10-30T12:00:00Z", "click", "affiliate", "P1", "coupon", DAYS_30)),
                List.of(order("o1", "p1", "2026-10-31T12:00:00Z", "80")));
        Row journey = built.journeys().where(col("order_id").equalTo("o1")).first();
        assertEquals(2L, (long) journey.<Long>getAs("touch_count"));
        assertEquals("email > affiliate", journey.getAs("path_channel"));
        assertEquals("email > coupon", journey.getAs("path_partner_type"));
        assertEquals("email > P1", journey.getAs("path_partner"));
        Map<String, String> journeyOf = journeyOfTouch(built);
        assertTrue(journeyOf.get("too-early").startsWith("n_"));   // closed: an order came after it
        Row boundary = built.touches().where(col("event_id").equalTo("boundary")).first();
        assertEquals(1, (int) boundary.<Integer>getAs("position"));
        assertEquals(30 * 86_400.0, boundary.<Double>getAs("seconds_before_order"), 1e-9);
    }

    @Test
    void aRepeatCustomersSecondJourneyStartsAfterTheFirstOrder() {
        JourneyBuilder.Built built = build(RUN_END, List.of(
                touch("p1", "t1", "2026-11-01T10:00:00Z", "click", "affiliate", "P1", "creator", DAYS_30),
                touch("p1", "t2", "2026-11-02T10:00:00Z", "impression", "display", null, null, DAYS_30),
                touch("p1", "t3", "2026-11-05T10:00:00Z", "click", "paid_search", null, null, DAYS_30)),
                List.of(order("o1", "p1", "2026-11-03T10:00:00Z", "50"), order("o2", "p1", "2026-11-06T10:00:00Z", "70")));
        Map<String, String> journeyOf = journeyOfTouch(built);
        assertEquals(journeyOf.get("t1"), journeyOf.get("t2"));
        assertEquals(JourneyBuilderTestIds.of("o2"), journeyOf.get("t3"));
        Row second = built.journeys().where(col("order_id").equalTo("o2")).first();
        assertEquals(1L, (long) second.<Long>getAs("touch_count"));
        Row first = built.journeys().where(col("order_id").equalTo("o1")).first();
        assertEquals(2L, (long) first.<Long>getAs("touch_count"));
        assertEquals(1L, (long) first.<Long>getAs("impression_count"));
    }

    @Test
    void anOrderWithoutTouchesKeepsAnEmptyJourneyAndATouchAtTheOrderTimeBelongsToIt() {
        JourneyBuilder.Built built = build(RUN_END, List.of(
                touch("p2", "same-time", "2026-11-10T10:00:00Z", "click", "direct", null, null, DAYS_30)),
                List.of(order("o-lonely", "p1", "2026-11-10T10:00:00Z", "20"),
                        order("o-tied", "p2", "2026-11-10T10:00:00Z", "30")));
        Row lonely = built.journeys().where(col("order_id").equalTo("o-lonely")).first();
        assertEquals(0L, (long) lonely.<Long>getAs("touch_count"));
        assertNull(lonely.getAs("path_channel"));
        assertTrue((Boolean) lonely.getAs("is_converted"));
        assertEquals(JourneyBuilderTestIds.of("o-tied"), journeyOfTouch(built).get("same-time"));
    }

    @Test
    void aNonConvertingJourneyIsEmittedOnlyOnceItsWindowHasPassed() {
        List<String> touches = List.of(
                touch("p3", "a", "2026-11-01T10:00:00Z", "click", "paid_social", null, null, DAYS_30),
                touch("p3", "b", "2026-11-03T10:00:00Z", "impression", "display", null, null, 86_400L),
                // more than 30 days after b: a run of its own
                touch("p3", "c", "2026-12-05T10:00:00Z", "click", "email", null, null, DAYS_30));
        // On Nov 30 touch a's window (until Dec 1 10:00) is still open: nothing is emitted.
        assertEquals(0, build(Timestamp.valueOf("2026-11-30 00:00:00"), touches, List.of()).journeys().count());
        // On Dec 2 the first run (a, b) is closed; c's window is still open.
        JourneyBuilder.Built dec2 = build(Timestamp.valueOf("2026-12-02 00:00:00"), touches, List.of());
        List<Row> journeys = dec2.journeys().collectAsList();
        assertEquals(1, journeys.size());
        assertFalse((Boolean) journeys.get(0).getAs("is_converted"));
        assertEquals("paid_social > display", journeys.get(0).getAs("path_channel"));
        assertNull(journeys.get(0).getAs("order_id"));
        // Much later both runs are closed, as two journeys.
        assertEquals(2, build(Timestamp.valueOf("2027-02-01 00:00:00"), touches, List.of()).journeys().count());
    }

    /** The runs left out above are the open journeys, which train the data-driven models as non-converting. */
    @Test
    void aRunWhoseWindowIsOpenIsAnOpenJourneyWithItsTouchesUntilItCloses() {
        List<String> touches = List.of(
                touch("p3", "a", "2026-11-01T10:00:00Z", "click", "paid_social", null, null, DAYS_30),
                touch("p3", "b", "2026-11-03T10:00:00Z", "impression", "affiliate", "P7", "coupon", 86_400L),
                touch("p3", "c", "2026-12-05T10:00:00Z", "click", "email", null, null, DAYS_30));
        List<Row> nov30 = build(Timestamp.valueOf("2026-11-30 00:00:00"), touches, List.of()).openJourneys()
                .orderBy("first_touch_ts").collectAsList();
        assertEquals(2, nov30.size(), "the run of a and b, and c's run (the fixture holds c already)");
        Row open = nov30.get(0);
        assertFalse((Boolean) open.getAs("is_converted"));
        assertNull(open.getAs("order_id"));
        assertEquals("paid_social > coupon", open.getAs("path_partner_type"));
        assertEquals(java.sql.Date.valueOf("2026-11-03"), open.getAs("journey_date"));
        // a's window (30 days) closes later than b's (1 day): the run closes with a's
        assertEquals(java.time.Instant.parse("2026-12-01T10:00:00Z"),
                open.<Timestamp>getAs("closes_at_ts").toInstant());
        List<Row> steps = open.getList(open.fieldIndex("touches"));
        assertEquals(List.of("1 true paid_social null null 2026-11-01T10:00:00Z",
                        "2 false affiliate P7 coupon 2026-11-03T10:00:00Z"),
                steps.stream().map(t -> t.getAs("position") + " " + t.getAs("is_click") + " " + t.getAs("channel") + " "
                        + t.getAs("partner_id") + " " + t.getAs("partner_type") + " "
                        + t.<Timestamp>getAs("touch_ts").toInstant()).toList());

        JourneyBuilder.Built dec2 = build(Timestamp.valueOf("2026-12-02 00:00:00"), touches, List.of());
        Row closed = dec2.journeys().first();
        List<Row> stillOpen = dec2.openJourneys().collectAsList();
        assertEquals(1, stillOpen.size(), "c's run is not closed yet; it came after Dec 2, so it is there already");
        assertEquals("email", stillOpen.get(0).getAs("path_channel"));
        assertEquals(open.<String>getAs("journey_id"), closed.getAs("journey_id"), "a closed run keeps its id");
        assertEquals(0, build(Timestamp.valueOf("2027-02-01 00:00:00"), touches, List.of()).openJourneys().count());
        // an order within the window turns the run into a converting journey: it is open no longer
        assertEquals(0, build(Timestamp.valueOf("2026-11-30 00:00:00"), touches.subList(0, 2),
                List.of(order("o9", "p3", "2026-11-04T10:00:00Z", "20"))).openJourneys().count());
    }

    @Test
    void touchesAtTheSameInstantAreOrderedByEventIdSoTheLastClickIsWellDefined() {
        JourneyBuilder.Built built = build(RUN_END, List.of(
                touch("p4", "evt-b", "2026-11-10T09:00:00Z", "click", "affiliate", "P2", "coupon", DAYS_30),
                touch("p4", "evt-a", "2026-11-10T09:00:00Z", "click", "affiliate", "P1", "creator", DAYS_30)),
                List.of(order("o-tie", "p4", "2026-11-10T10:00:00Z", "10")));
        Map<String, Integer> position = new TreeMap<>();
        built.touches().collectAsList().forEach(r -> position.put(r.getAs("event_id"), r.getAs("position")));
        assertEquals(Map.of("evt-a", 1, "evt-b", 2), position);
        assertEquals("creator > coupon", built.journeys().first().getAs("path_partner_type"));
    }

    /** The id a converting journey gets from its order. */
    static final class JourneyBuilderTestIds {
        static String of(String orderId) {
            return spark().range(1).select(JourneyBuilder.journeyIdOfOrder(org.apache.spark.sql.functions.lit(orderId)))
                    .first().getString(0);
        }
    }
}
