package com.partnermix.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The yardstick must do the work it is compared with: de-dup, identity, sessions, journeys, two credit models. */
class DuckDbPeerTest {

    static final DuckDbPeer.Settings SETTINGS = new DuckDbPeer.Settings(30, 30, 0.3, 0.4, 0.2, 0.4);
    static final LocalDate FIRST = LocalDate.parse("2026-11-19");
    static final LocalDate LAST = LocalDate.parse("2026-11-20");

    @TempDir
    Path landing;

    /**
     * Customer u1 on two devices: a1 (e1 click, e2 impression given at +01:00, e3 page view, then after a gap e4
     * click with u1) and a2 (e5 click; the order o1 with u1). e1 is delivered twice, one line is broken. o1 is placed
     * for 100 and returned down to 60 the next day; o2 is cancelled; o3 (another person, a3) has one click.
     */
    void landingOfTwoDays() throws Exception {
        write("touchpoints", "2026-11-19",
                tp("e1", "2026-11-19T10:00:00Z", "click", "affiliate", "a1", null),
                tp("e2", "2026-11-19T11:10:00+01:00", "impression", "display", "a1", null),
                tp("e3", "2026-11-19T10:15:00Z", "page_view", null, "a1", null),
                "{\"event_id\": \"broken\"");
        write("touchpoints", "2026-11-20",
                tp("e1", "2026-11-19T10:00:00Z", "click", "affiliate", "a1", null),
                tp("e4", "2026-11-19T12:00:00Z", "click", "paid_search", "a1", "u1"),
                tp("e5", "2026-11-19T12:20:00Z", "click", "affiliate", "a2", null),
                tp("e6", "2026-11-19T12:30:00Z", "click", "affiliate", "a3", null));
        write("orders", "2026-11-19",
                order("o1", "2026-11-19T13:00:00Z", "2026-11-19T13:00:00Z", "placed", "100.00", "a2", "u1"),
                order("o3", "2026-11-19T12:40:00Z", "2026-11-19T12:40:00Z", "placed", "50", "a3", null));
        write("orders", "2026-11-20",
                order("o1", "2026-11-19T13:00:00Z", "2026-11-20T09:00:00Z", "returned", "60.00", "a2", "u1"),
                order("o2", "2026-11-19T12:50:00Z", "2026-11-20T08:00:00Z", "cancelled", "20", "a3", null));
    }

    @Test
    void creditsTheLastClickAndFortyTwentyFortyOnTheDeduplicatedStitchedJourneys() throws Exception {
        landingOfTwoDays();
        // o1: e1 click, e2 impression (x 0.3), e4 click, e5 click (e3 is a page view): weights 0.4, 0.1 x 0.3,
        // 0.1, 0.4 over 0.93, times the returned revenue 60.
        assertEquals(List.of(
                "o1 e5 last_click 60.0",
                "o1 e1 position_based 25.806452",
                "o1 e2 position_based 1.935484",
                "o1 e4 position_based 6.451613",
                "o1 e5 position_based 25.806452",
                "o3 e6 last_click 50.0",
                "o3 e6 position_based 50.0"), DuckDbPeer.credit(landing, FIRST, LAST, SETTINGS));
    }

    @Test
    void timesEachStepAndCountsWhatItBuilt() throws Exception {
        landingOfTwoDays();
        List<DuckDbPeer.Step> steps = DuckDbPeer.run(landing, FIRST, LAST, SETTINGS);
        assertEquals(List.of("dedup 6", "sessions 6", "journeys 5", "credit 7"),
                steps.stream().map(s -> s.name() + " " + s.rows()).toList());
        // a delivery day outside the range is not read: only the first day's three touchpoints
        assertEquals(3, DuckDbPeer.run(landing, FIRST, FIRST, SETTINGS).get(0).rows());
    }

    private void write(String feed, String day, String... lines) throws Exception {
        Path dir = Files.createDirectories(landing.resolve(feed).resolve("dt=" + day));
        Files.write(dir.resolve("part-0.jsonl"), List.of(lines));
    }

    private static String tp(String id, String ts, String type, String channel, String anonymousId, String userId) {
        return "{\"event_id\": \"" + id + "\", \"event_ts\": \"" + ts + "\", \"event_type\": \"" + type + "\""
                + (channel == null ? "" : ", \"channel\": \"" + channel + "\"")
                + ", \"anonymous_id\": \"" + anonymousId + "\""
                + (userId == null ? "" : ", \"user_id\": \"" + userId + "\"") + "}";
    }

    private static String order(String id, String ts, String updated, String status, String revenue,
                                String anonymousId, String userId) {
        return "{\"order_id\": \"" + id + "\", \"order_ts\": \"" + ts + "\", \"updated_ts\": \"" + updated
                + "\", \"status\": \"" + status + "\", \"revenue\": " + revenue + ", \"currency\": \"USD\", "
                + "\"anonymous_id\": \"" + anonymousId + "\"" + (userId == null ? "" : ", \"user_id\": \"" + userId
                + "\"") + "}";
    }
}
