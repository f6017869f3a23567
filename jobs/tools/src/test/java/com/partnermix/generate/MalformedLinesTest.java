package com.partnermix.generate;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each injected broken line breaks the contract in exactly the way its truth reason says. */
class MalformedLinesTest {

    private static Rec affiliateClick() {
        return new Rec().put("event_id", "e-1-1").put("event_ts", "2026-11-20T13:45:12.345+08:00").put("event_type", "click")
                .put("channel", "affiliate").put("partner_id", "P-CR-001").put("anonymous_id", "a-1").put("country", "SG");
    }

    private static Rec pageView() {
        return new Rec().put("event_id", "e-1-2").put("event_ts", "2026-11-20T13:45:13.000+08:00")
                .put("event_type", "page_view").put("page_type", "cart").put("anonymous_id", "a-1");
    }

    private static Rec order(String revenue, boolean raw) {
        Rec r = new Rec().put("order_id", "o-1-1").put("order_ts", "2026-11-20T13:45:12.345+08:00")
                .put("updated_ts", "2026-11-20T13:45:12.345+08:00").put("status", "placed");
        (raw ? r.putRaw("revenue", revenue) : r.put("revenue", revenue)).put("currency", "SGD").put("anonymous_id", "a-1");
        return r;
    }

    @Test
    void theOriginalsAreValid() {
        assertNull(ContractCheck.touchProblem(affiliateClick().toJson()));
        assertNull(ContractCheck.touchProblem(pageView().toJson()));
        assertNull(ContractCheck.orderProblem(order("89.90", false).toJson()));
        assertNull(ContractCheck.orderProblem(order("0", true).toJson()));
    }

    @Test
    void everyBrokenLineFailsWithItsExpectedReasonAndAllReasonsOccur() {
        Set<String> reasons = new HashSet<>();
        for (int seed = 0; seed < 400; seed++) {
            for (Rec r : new Rec[] {affiliateClick(), pageView()}) {
                String[] bad = Delivery.brokenTouch(r, new SplittableRandom(seed));
                assertEquals(bad[0], ContractCheck.touchProblem(bad[1]), bad[1]);
                reasons.add(bad[0]);
            }
            String[] bad = Delivery.brokenOrder(order(seed % 2 == 0 ? "0" : "12.50", seed % 3 == 0), new SplittableRandom(seed));
            assertEquals(bad[0], ContractCheck.orderProblem(bad[1]), bad[1]);
            reasons.add(bad[0]);
        }
        for (String expected : new String[] {"malformed_json", "missing_field:event_id", "missing_field:channel",
                "missing_field:page_type", "missing_field:revenue", "bad_timestamp:event_ts", "bad_timestamp:updated_ts",
                "unknown_enum:event_type", "unknown_enum:channel", "unknown_enum:page_type", "unknown_enum:status",
                "negative_revenue", "affiliate_without_partner"}) {
            assertTrue(reasons.contains(expected), expected + " never produced: " + reasons);
        }
    }
}
