package com.partnermix.attribution;

import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DataDrivenWeightsTest extends SparkTestBase {

    private static final String PATHS = "journey_id STRING, states ARRAY<STRING>, is_converted BOOLEAN, "
            + "revenue_usd DECIMAL(18,4)";

    private static String path(String id, String states, boolean converted, String revenue) {
        return "{\"journey_id\":\"" + id + "\",\"states\":[" + states + "],\"is_converted\":" + converted
                + ",\"revenue_usd\":" + revenue + "}";
    }

    private static final String[] JOURNEYS = {
            path("j1", "\"a\",\"b\",\"c\"", true, "100"),
            path("j2", "\"a\",\"b\",\"c\"", false, "0"),
            path("j3", "\"b\",\"c\"", true, "40"),
            path("j4", "\"c\",\"a\"", false, "0"),
            path("j5", "\"a\",\"a\",\"c\"", true, "60"),
            path("j6", "\"b\"", false, "0")};

    @Test
    void sparkTransitionCountsGiveExactlyTheDriversChainSolution() {
        Dataset<Row> paths = Rows.of(spark(), PATHS, JOURNEYS);
        for (int order = 1; order <= 3; order++) {
            MarkovRemoval.Result viaSpark = DataDrivenWeights.markov(paths, order, "all");
            MarkovRemoval.Result onDriver = MarkovRemoval.compute(List.of(
                    new MarkovRemoval.PathCount(List.of("a", "b", "c"), 2, 1, 100),
                    new MarkovRemoval.PathCount(List.of("b", "c"), 1, 1, 40),
                    new MarkovRemoval.PathCount(List.of("c", "a"), 1, 0, 0),
                    new MarkovRemoval.PathCount(List.of("a", "a", "c"), 1, 1, 60),
                    new MarkovRemoval.PathCount(List.of("b"), 1, 0, 0)), order);
            assertEquals(onDriver, viaSpark, "order " + order);
        }
    }

    /**
     * j1 and j3 have one click of a and two impressions of b (0.3 each, in other orders); j2 a click of b only;
     * j4 does not convert. Most frequent pattern first, then by pattern.
     */
    @Test
    void allocationPatternsSumTheTouchWeightsPerStateOfEachConvertingJourney() {
        String schema = "journey_id STRING, states ARRAY<STRING>, touch_weights ARRAY<DOUBLE>, is_converted BOOLEAN";
        Dataset<Row> paths = Rows.of(spark(), schema,
                "{\"journey_id\":\"j1\",\"states\":[\"b\",\"a\",\"b\"],\"touch_weights\":[0.3,1.0,0.3],"
                        + "\"is_converted\":true}",
                "{\"journey_id\":\"j2\",\"states\":[\"b\"],\"touch_weights\":[1.0],\"is_converted\":true}",
                "{\"journey_id\":\"j3\",\"states\":[\"a\",\"b\",\"b\"],\"touch_weights\":[1.0,0.3,0.3],"
                        + "\"is_converted\":true}",
                "{\"journey_id\":\"j4\",\"states\":[\"a\"],\"touch_weights\":[1.0],\"is_converted\":false}");
        assertEquals(List.of(new GlobalAllocation.Pattern(Map.of("a", 1.0, "b", 0.6), 2),
                        new GlobalAllocation.Pattern(Map.of("b", 1.0), 1)),
                DataDrivenWeights.allocationPatterns(paths, 10));
        assertEquals(List.of(new GlobalAllocation.Pattern(Map.of("a", 1.0, "b", 0.6), 2)),
                DataDrivenWeights.allocationPatterns(paths, 1), "the most frequent patterns when bounded");
    }

    @Test
    void shapleyCoalitionsAreTheDistinctStatesOfEachJourney() {
        Map<String, Double> viaSpark = DataDrivenWeights.shapley(Rows.of(spark(), PATHS, JOURNEYS));
        Map<String, Double> direct = ShapleyValues.compute(List.of(
                new ShapleyValues.Coalition(Set.of("a", "b", "c"), 2, 1),
                new ShapleyValues.Coalition(Set.of("b", "c"), 1, 1),
                new ShapleyValues.Coalition(Set.of("a", "c"), 2, 1),
                new ShapleyValues.Coalition(Set.of("b"), 1, 0)));
        assertEquals(direct, viaSpark);
    }
}
