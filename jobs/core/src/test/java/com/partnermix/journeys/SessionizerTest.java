package com.partnermix.journeys;

import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionizerTest extends SparkTestBase {

    private static final String EVENTS = "person_id STRING, event_id STRING, event_ts TIMESTAMP, event_type STRING, "
            + "channel STRING, partner_id STRING, page_type STRING, device_type STRING, country STRING, region STRING";

    private static String event(String id, String ts, String type, String channel, String partner, String page) {
        return "{\"person_id\":\"p1\",\"event_id\":\"" + id + "\",\"event_ts\":\"" + ts + "\",\"event_type\":\"" + type
                + "\"" + (channel == null ? "" : ",\"channel\":\"" + channel + "\"")
                + (partner == null ? "" : ",\"partner_id\":\"" + partner + "\"")
                + (page == null ? "" : ",\"page_type\":\"" + page + "\"")
                + ",\"device_type\":\"mobile\",\"country\":\"DE\",\"region\":\"EMEA\"}";
    }

    private static List<Row> sessionsOf(String... events) {
        Dataset<Row> rows = Rows.of(spark(), EVENTS, events);
        return Sessionizer.sessions(Sessionizer.assignSessions(rows, 30 * 60)).orderBy("session_start_ts").collectAsList();
    }

    @Test
    void aGapOfExactlyThirtyMinutesKeepsTheSessionAndOneMillisecondMoreSplitsIt() {
        List<Row> sessions = sessionsOf(
                event("e1", "2026-11-20T10:00:00.000Z", "click", "affiliate", "P1", null),
                event("e2", "2026-11-20T10:00:05.000Z", "page_view", null, null, "landing"),
                event("e3", "2026-11-20T10:30:05.000Z", "page_view", null, null, "cart"),         // exactly 30 min later
                event("e4", "2026-11-20T11:00:05.001Z", "page_view", null, null, "checkout"));    // 30 min + 1 ms later
        assertEquals(2, sessions.size());
        Row first = sessions.get(0);
        assertEquals(3L, (long) first.<Long>getAs("event_count"));
        assertEquals(2L, (long) first.<Long>getAs("page_views"));
        assertEquals("affiliate", first.getAs("entry_channel"));
        assertEquals("P1", first.getAs("entry_partner_id"));
        assertEquals("landing", first.getAs("landing_page_type"));
        assertTrue((Boolean) first.getAs("has_cart"));
        assertFalse((Boolean) first.getAs("has_checkout"));
        assertEquals(1805.0, first.<Double>getAs("duration_seconds"), 1e-9);   // 10:00:00 -> 10:30:05
        assertEquals("EMEA", first.getAs("region"));
        Row second = sessions.get(1);
        assertEquals(1L, (long) second.<Long>getAs("event_count"));
        assertTrue((Boolean) second.getAs("has_checkout"));
        assertNull(second.getAs("entry_channel"));      // a session of page views only has no entry touch
    }

    @Test
    void sessionIdsDoNotDependOnTheRowOrder() {
        String[] events = {
                event("e1", "2026-11-20T10:00:00Z", "click", "email", null, null),
                event("e2", "2026-11-20T12:00:00Z", "click", "direct", null, null)};
        List<String> forward = Rows.sorted(Sessionizer.assignSessions(Rows.of(spark(), EVENTS, events), 1800)
                .select("event_id", "session_id"));
        List<String> backward = Rows.sorted(Sessionizer.assignSessions(
                Rows.of(spark(), EVENTS, events[1], events[0]), 1800).select("event_id", "session_id"));
        assertEquals(forward, backward);
        assertEquals(2, forward.stream().map(s -> s.split(",")[1]).distinct().count());
    }

    @Test
    void theSessionsCollectTheirImpressionsAndClicksInTheSamePass() {
        String events = EVENTS + ", event_date DATE, coupon_code STRING";
        Dataset<Row> rows = Rows.of(spark(), events,
                event("e1", "2026-11-20T10:00:00Z", "impression", "display", null, null),
                event("e2", "2026-11-20T10:10:00Z", "click", "affiliate", "P1", null),
                event("e3", "2026-11-20T10:10:05Z", "page_view", null, null, "landing"),
                event("e4", "2026-11-20T12:00:00Z", "page_view", null, null, "product"));   // a session of its own
        Dataset<Row> withTouches = Sessionizer.sessionsWithTouches(Sessionizer.withSessionStart(rows, 1800));
        // The sessions are those of the two-pass form, column for column.
        assertEquals(Rows.sorted(Sessionizer.sessions(Sessionizer.assignSessions(rows, 1800))),
                Rows.sorted(withTouches.drop("touches")));
        // Each touch carries its session's id; page views are no touches.
        assertEquals(Rows.sorted(Sessionizer.assignSessions(rows, 1800)
                        .where("event_type IN ('impression', 'click')").select("session_id", "event_id", "channel")),
                Rows.sorted(Sessionizer.touches(withTouches).select("session_id", "event_id", "channel")));
        assertEquals(List.of("e1", "e2"), Sessionizer.touches(withTouches).orderBy("event_ts")
                .select("event_id").as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    }
}
