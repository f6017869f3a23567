package com.partnermix.mmm;

import com.partnermix.attribution.CreditModels;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** mixed_media: the base model's credit rescaled by the MMM factors (through {@link CreditModels#credits}). */
class CalibrationTest extends SparkTestBase {

    /** Every touch is a click whose markov weight is the base credit wanted (weights sum to 1 per order). */
    private static final String TOUCHES = "order_id STRING, event_id STRING, position INT, is_click BOOLEAN, "
            + "channel STRING, funnel_stage STRING, seconds_before_order DOUBLE, markov_weight DOUBLE";
    private static final String FACTORS = "channel STRING, factor DOUBLE";
    private static final PartnermixConfig.Attribution SETTINGS = new PartnermixConfig.Attribution(
            List.of("markov", "mixed_media"), 0.3, 7.0, new PartnermixConfig.PositionWeights(0.4, 0.2, 0.4), Map.of(),
            new PartnermixConfig.Markov("channel", 1, "collapse_repeats", "conversions", "global"),
            new PartnermixConfig.Shapley("channel"), 90, true, null);

    private static String touch(String order, String event, int position, String channel, double credit) {
        return String.format(java.util.Locale.ROOT, "{\"order_id\":\"%s\",\"event_id\":\"%s\",\"position\":%d,"
                + "\"is_click\":true,\"channel\":\"%s\",\"funnel_stage\":\"conversion\",\"seconds_before_order\":60,"
                + "\"markov_weight\":%s}", order, event, position, channel, credit);
    }

    private static Map<String, Double> calibrate(List<String> credit, String... factors) {
        Dataset<Row> f = Rows.of(spark(), FACTORS, factors).select(col("channel").as("f_channel"), col("factor"));
        Dataset<Row> touches = Rows.of(spark(), TOUCHES, credit.toArray(String[]::new))
                .join(f, col("channel").equalTo(col("f_channel")), "left").drop("f_channel");
        Dataset<Row> rows = new CreditModels(SETTINGS).credits(touches, List.of("mixed_media"),
                new CreditModels.Calibrated("markov", col("factor")));
        Map<String, Double> out = new TreeMap<>();
        rows.collectAsList().forEach(r -> out.put(r.getAs("event_id"), r.getAs("credit")));
        return out;
    }

    @Test
    void creditIsRescaledByChannelFactorAndRenormalisedPerOrder() {
        Map<String, Double> credit = calibrate(List.of(
                        touch("o1", "a", 1, "display", 0.5), touch("o1", "b", 2, "paid_search", 0.5),
                        touch("o2", "c", 1, "display", 0.2), touch("o2", "d", 2, "email", 0.3),
                        touch("o2", "e", 3, "paid_search", 0.5)),
                "{\"channel\":\"display\",\"factor\":2.0}", "{\"channel\":\"paid_search\",\"factor\":0.5}",
                "{\"channel\":\"email\",\"factor\":1.0}");
        // o1: weights 0.5 x 2 = 1 and 0.5 x 0.5 = 0.25 -> 0.8 / 0.2
        assertEquals(0.8, credit.get("a"), 1e-12);
        assertEquals(0.2, credit.get("b"), 1e-12);
        // o2: 0.4, 0.3, 0.25 over 0.95
        assertEquals(0.4 / 0.95, credit.get("c"), 1e-12);
        assertEquals(0.3 / 0.95, credit.get("d"), 1e-12);
        assertEquals(0.25 / 0.95, credit.get("e"), 1e-12);
    }

    @Test
    void creditStillSumsToOnePerOrderWithMissingAndZeroFactors() {
        Map<String, Double> credit = calibrate(List.of(
                        touch("o3", "f", 1, "organic_search", 0.6), touch("o3", "g", 2, "display", 0.4),
                        touch("o4", "h", 1, "referral", 1.0),
                        touch("o5", "i", 1, "referral", 0.7), touch("o5", "j", 2, "tv", 0.3)),
                "{\"channel\":\"display\",\"factor\":3.0}", "{\"channel\":\"referral\",\"factor\":0.0}");
        // o3: organic_search has no factor (1): 0.6 and 1.2 -> 1/3, 2/3
        assertEquals(1.0 / 3, credit.get("f"), 1e-12);
        assertEquals(2.0 / 3, credit.get("g"), 1e-12);
        // o4: its only channel has factor 0: the order keeps the base credit rather than losing it
        assertEquals(1.0, credit.get("h"), 1e-12);
        // o5: referral 0, tv (no factor) 0.3 -> everything to tv
        assertEquals(0.0, credit.get("i"), 1e-12);
        assertEquals(1.0, credit.get("j"), 1e-12);
        Map<String, Double> perOrder = new TreeMap<>();
        credit.forEach((event, c) -> perOrder.merge(event.compareTo("f") < 0 ? "x" : event.compareTo("h") < 0 ? "o3"
                : event.equals("h") ? "o4" : "o5", c, Double::sum));
        perOrder.forEach((order, sum) -> assertEquals(1.0, sum, 1e-12, order));
    }

    @Test
    void factorIsMmmRevenueOverJourneyRevenue() {
        assertEquals(2.5, Calibration.factor(250, 100), 1e-12);
        assertEquals(0.0, Calibration.factor(-5, 100), 0);
        assertNull(Calibration.factor(250, 0));
    }
}
