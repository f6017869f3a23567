package com.partnermix.attribution;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IncrementalModelTest extends SparkTestBase {

    private static final String TOUCHES = "order_id STRING, order_date DATE, event_id STRING, position INT, "
            + "is_click BOOLEAN, channel STRING, funnel_stage STRING, touch_ts TIMESTAMP, session_id STRING, "
            + "seconds_before_order DOUBLE, incremental_effect DOUBLE, incremental_decay DOUBLE";
    private static final PartnermixConfig.Attribution SETTINGS = new PartnermixConfig.Attribution(
            List.of("incremental"), 0.3, 7.0, new PartnermixConfig.PositionWeights(0.4, 0.2, 0.4), Map.of(),
            new PartnermixConfig.Markov("channel", 1, "collapse_repeats", "conversions", "global"),
            new PartnermixConfig.Shapley("channel"), 90, true,
            new PartnermixConfig.Incremental("channel", 56, List.of(0.5), 30, 0));

    /** Orders at 12:00 UTC on 2026-11-20; the fitted decay is 0.5. */
    private static String touch(String order, String id, int position, boolean click, String channel, String ts,
                                String session, double secondsBefore, double effect) {
        return String.format(java.util.Locale.ROOT, "{\"order_id\":\"%s\",\"order_date\":\"2026-11-20\","
                        + "\"event_id\":\"%s\",\"position\":%d,\"is_click\":%b,\"channel\":\"%s\","
                        + "\"funnel_stage\":\"awareness\",\"touch_ts\":\"%s\",\"session_id\":\"%s\","
                        + "\"seconds_before_order\":%s,\"incremental_effect\":%s,\"incremental_decay\":0.5}",
                order, id, position, click, channel, ts, session, secondsBefore, effect);
    }

    /** event_id -> credit, and the orders left unattributed. */
    private static Map<String, Double> credits(List<String> touches, List<String> unattributed) {
        Dataset<Row> rows = Rows.of(spark(), TOUCHES, touches.toArray(String[]::new));
        Map<String, Double> out = new TreeMap<>();
        new CreditModels(SETTINGS).credits(rows, List.of("incremental"), null).collectAsList().forEach(r -> {
            if (r.<Boolean>getAs(CreditModels.UNATTRIBUTED)) {
                unattributed.add(r.getAs("order_id"));
            } else {
                out.put(r.getAs("event_id"), r.getAs("credit"));
            }
        });
        return out;
    }

    @Test
    void aTouchGetsItsShareOfTheOrderDaysAddedHazardAndThePurchaseSessionNone() {
        List<String> unattributed = new java.util.ArrayList<>();
        Map<String, Double> credit = credits(List.of(
                // o1: display click 3 days before (0.004 x 1 x 0.5^3 = 0.0005), email impression 1 day before
                // (0.002 x 0.3 x 0.5 = 0.0003); the order's last session s3 (10 minutes before) holds a paid-search
                // and a coupon click: part of the purchase, 0
                touch("o1", "t1", 1, true, "display", "2026-11-17T12:00:00Z", "s1", 3 * 86_400, 0.004),
                touch("o1", "t2", 2, false, "email", "2026-11-19T12:00:00Z", "s2", 86_400, 0.002),
                touch("o1", "t3", 3, true, "paid_search", "2026-11-20T11:45:00Z", "s3", 900, 0.003),
                touch("o1", "t4", 4, true, "coupon", "2026-11-20T11:50:00Z", "s3", 600, 0.01),
                // o2: only a checkout coupon click: the order would have happened anyway
                touch("o2", "u1", 1, true, "coupon", "2026-11-20T11:55:00Z", "s4", 300, 0.01),
                // o3: a referral visit 40 minutes before is a session of its own: it counts whole (same day)
                touch("o3", "v1", 1, true, "referral", "2026-11-20T11:20:00Z", "s5", 2400, 0.003),
                touch("o3", "v2", 2, true, "coupon", "2026-11-20T11:56:00Z", "s6", 240, 0.01),
                // o4: the last touch is two hours before: no purchase session
                touch("o4", "w1", 1, true, "email", "2026-11-20T10:00:00Z", "s7", 7200, 0.001)), unattributed);
        assertEquals(0.0005 / 0.0008, credit.get("t1"), 1e-12);
        assertEquals(0.0003 / 0.0008, credit.get("t2"), 1e-12);
        assertEquals(0.0, credit.get("t3"));
        assertEquals(0.0, credit.get("t4"));
        assertEquals(1.0, credit.get("v1"), 1e-12);
        assertEquals(0.0, credit.get("v2"));
        assertEquals(1.0, credit.get("w1"), 1e-12);
        assertEquals(List.of("o2"), unattributed);
        assertEquals(java.util.Set.of("t1", "t2", "t3", "t4", "v1", "v2", "w1"), credit.keySet());
    }
}
