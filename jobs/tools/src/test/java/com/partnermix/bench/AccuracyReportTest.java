package com.partnermix.bench;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class AccuracyReportTest {

    /**
     * Truth: display 0.6, email 0.4. A model giving display 0.2, email 0.3, coupon 0.5 is 0.4 + 0.1 + 0.5 = 1.0 apart
     * in absolute terms: distance 0.5. The truth itself is 0 away; disjoint shares are 1 apart.
     */
    @Test
    void theDistanceIsHalfTheAbsoluteDifferenceOverTheGroupsOfEither() {
        Map<String, Double> truth = AccuracyReport.shares(Map.of("display", 3.0, "email", 2.0));
        assertEquals(0.6, truth.get("display"), 1e-12);
        assertEquals(0.5, AccuracyReport.distance(truth, Map.of("display", 0.2, "email", 0.3, "coupon", 0.5)), 1e-12);
        assertEquals(0.0, AccuracyReport.distance(truth, truth));
        assertEquals(1.0, AccuracyReport.distance(truth, Map.of("coupon", 1.0)), 1e-12);
        // negative credit counts as none
        assertEquals(Map.of("a", 1.0, "b", 0.0), AccuracyReport.shares(Map.of("a", 2.0, "b", -1.0)));
    }

    @Test
    void theTableListsTheModelsBestFirst() {
        Map<String, Double> truth = Map.of("display", 0.6, "email", 0.4);
        List<String> lines = AccuracyReport.format(truth, Map.of(
                "last_click", Map.of("email", 1.0),
                "incremental", Map.of("display", 0.5, "email", 0.5)));
        assertEquals("incremental                  0.100", lines.get(1));
        assertEquals("last_click                   0.600", lines.get(2));
    }
}
