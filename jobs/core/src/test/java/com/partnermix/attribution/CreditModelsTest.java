package com.partnermix.attribution;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CreditModelsTest extends SparkTestBase {

    private static final String TOUCHES = "order_id STRING, event_id STRING, position INT, is_click BOOLEAN, "
            + "channel STRING, funnel_stage STRING, seconds_before_order DOUBLE, markov_weight DOUBLE, "
            + "shapley_state STRING, shapley_value DOUBLE";
    private static final double DAY = 86_400.0;
    private static final PartnermixConfig.Attribution SETTINGS = new PartnermixConfig.Attribution(
            List.of("last_click", "last_non_direct", "first_click", "linear", "time_decay", "position_based",
                    "funnel_weighted", "markov", "shapley"),
            0.3, 7.0, new PartnermixConfig.PositionWeights(0.4, 0.2, 0.4),
            Map.of("awareness", 1.5, "consideration", 1.2, "conversion", 1.0, "retention", 1.0),
            new PartnermixConfig.Markov("channel", 1, "collapse_repeats", "conversions", "global"),
            new PartnermixConfig.Shapley("channel"), 90, true, null);

    private static String touch(String order, String id, int position, boolean click, String channel, String stage,
                                double daysBefore, double markov, double shapley) {
        return String.format(java.util.Locale.ROOT, "{\"order_id\":\"%s\",\"event_id\":\"%s\",\"position\":%d,"
                        + "\"is_click\":%b,\"channel\":\"%s\",\"funnel_stage\":\"%s\",\"seconds_before_order\":%s,"
                        + "\"markov_weight\":%s,\"shapley_state\":\"%s\",\"shapley_value\":%s}",
                order, id, position, click, channel, stage, daysBefore * DAY, markov, channel, shapley);
    }

    /** o1: display click 10 days before, email impression 3 days, coupon click 1 day, direct click half a day. */
    private static final List<String> O1 = List.of(
            touch("o1", "t1", 1, true, "display", "awareness", 10, 0.5, 0.2),
            touch("o1", "t2", 2, false, "email", "retention", 3, 0.2, 0.1),
            touch("o1", "t3", 3, true, "affiliate", "conversion", 1, 0.8, 0.3),
            touch("o1", "t4", 4, true, "direct", "conversion", 0.5, 0.1, -0.05));

    private static Map<String, Double> credit(String model, List<String> touches) {
        Dataset<Row> rows = Rows.of(spark(), TOUCHES, touches.toArray(String[]::new));
        Map<String, Double> out = new TreeMap<>();
        new CreditModels(SETTINGS).credit(model, rows).collectAsList()
                .forEach(r -> out.put(r.getAs("event_id"), r.getAs("credit")));
        return out;
    }

    private static void assertCredits(Map<String, Double> expected, Map<String, Double> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertEquals(v, actual.get(k), 1e-12, k));
    }

    @Test
    void clickModelsGiveEverythingToOneClick() {
        assertCredits(Map.of("t4", 1.0), credit("last_click", O1));
        assertCredits(Map.of("t3", 1.0), credit("last_non_direct", O1));   // t4 is a type-in
        assertCredits(Map.of("t1", 1.0), credit("first_click", O1));
    }

    @Test
    void lastNonDirectFallsBackToTheLastClickWhenEveryClickIsDirect() {
        assertCredits(Map.of("d2", 1.0), credit("last_non_direct", List.of(
                touch("o9", "d1", 1, true, "direct", "conversion", 2, 0, 0),
                touch("o9", "d2", 2, true, "direct", "conversion", 1, 0, 0))));
    }

    @Test
    void clickModelsLeaveAnImpressionsOnlyJourneyUncreditedAndMultiTouchModelsDoNot() {
        List<String> impressionOnly = List.of(touch("o2", "i1", 1, false, "display", "awareness", 1, 0.4, 0.2));
        assertEquals(Map.of(), credit("last_click", impressionOnly));
        assertCredits(Map.of("i1", 1.0), credit("linear", impressionOnly));
        assertCredits(Map.of("i1", 1.0), credit("position_based", impressionOnly));
    }

    @Test
    void linearWeighsAnImpressionAtThirtyPercentOfAClick() {
        // weights 1, 0.3, 1, 1: total 3.3
        assertCredits(Map.of("t1", 1 / 3.3, "t2", 0.3 / 3.3, "t3", 1 / 3.3, "t4", 1 / 3.3), credit("linear", O1));
    }

    @Test
    void positionBasedIsFortyTwentyFortyWithTheImpressionDiscounted() {
        // shares 0.4, 0.1, 0.1, 0.4; times touch weight 1, 0.3, 1, 1 -> 0.4, 0.03, 0.1, 0.4 (total 0.93)
        assertCredits(Map.of("t1", 0.4 / 0.93, "t2", 0.03 / 0.93, "t3", 0.1 / 0.93, "t4", 0.4 / 0.93),
                credit("position_based", O1));
        // two touches: 50/50
        assertCredits(Map.of("a", 0.5, "b", 0.5), credit("position_based", List.of(
                touch("o3", "a", 1, true, "paid_search", "consideration", 2, 0, 0),
                touch("o3", "b", 2, true, "affiliate", "conversion", 1, 0, 0))));
    }

    @Test
    void timeDecayHalvesTheWeightEverySevenDays() {
        double w1 = Math.pow(2, -10 / 7.0);
        double w2 = 0.3 * Math.pow(2, -3 / 7.0);
        double w3 = Math.pow(2, -1 / 7.0);
        double w4 = Math.pow(2, -0.5 / 7.0);
        double total = w1 + w2 + w3 + w4;
        assertCredits(Map.of("t1", w1 / total, "t2", w2 / total, "t3", w3 / total, "t4", w4 / total),
                credit("time_decay", O1));
        // a touch exactly one half life before a touch at the order time gets half its weight: 1/3 vs 2/3
        assertCredits(Map.of("x", 1 / 3.0, "y", 2 / 3.0), credit("time_decay", List.of(
                touch("o4", "x", 1, true, "email", "retention", 7, 0, 0),
                touch("o4", "y", 2, true, "email", "retention", 0, 0, 0))));
    }

    @Test
    void funnelWeightedPaysTheUpperFunnelMore() {
        // awareness 1.5, retention impression 1.0 x 0.3, conversion 1.0, conversion 1.0: total 3.8
        assertCredits(Map.of("t1", 1.5 / 3.8, "t2", 0.3 / 3.8, "t3", 1 / 3.8, "t4", 1 / 3.8),
                credit("funnel_weighted", O1));
    }

    @Test
    void markovCreditNormalisesTheStateWeightsOverTheOrdersTouches() {
        // 0.5, 0.2 x 0.3 = 0.06, 0.8, 0.1: total 1.46
        assertCredits(Map.of("t1", 0.5 / 1.46, "t2", 0.06 / 1.46, "t3", 0.8 / 1.46, "t4", 0.1 / 1.46),
                credit("markov", O1));
        // no state with a weight: linear fallback, so the order still gets its credit
        assertCredits(Map.of("u1", 0.5, "u2", 0.5), credit("markov", List.of(
                touch("o5", "u1", 1, true, "referral", "consideration", 2, 0, 0),
                touch("o5", "u2", 2, true, "referral", "consideration", 1, 0, 0))));
    }

    @Test
    void shapleyGivesEachPlayerItsPositiveValueShareSplitOverItsTouches() {
        // players display 0.2, email 0.1, affiliate 0.3, direct -0.05 (-> 0): total 0.6
        assertCredits(Map.of("t1", 0.2 / 0.6, "t2", 0.1 / 0.6, "t3", 0.3 / 0.6, "t4", 0.0), credit("shapley", O1));
        // two display touches share display's part by touch weight: click 1, impression 0.3
        assertCredits(Map.of("c", 0.5, "v1", 0.5 / 1.3, "v2", 0.5 * 0.3 / 1.3), credit("shapley", List.of(
                touch("o6", "v1", 1, true, "display", "awareness", 3, 0, 0.4),
                touch("o6", "v2", 2, false, "display", "awareness", 2, 0, 0.4),
                touch("o6", "c", 3, true, "affiliate", "conversion", 1, 0, 0.4))));
    }

    @Test
    void everyModelOfTheDefaultConfigurationIsRegistered() {
        assertEquals(List.of("last_click", "last_non_direct", "first_click", "linear", "time_decay", "position_based",
                "funnel_weighted", "markov", "shapley", "incremental", "mixed_media"), CreditModels.names());
        List<String> configured = config().attribution().models();
        assertEquals(CreditModels.names().size(), configured.size());
        for (String name : configured) {
            assertEquals(name, CreditModels.model(name).name());
        }
    }

    @Test
    void anUnknownModelIsRefusedWhenTheConfigurationIsLoadedNamingTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> config(tmp.resolve("unknown-model"), "attribution.models=[last_click, last_touch]"));
        assertTrue(e.getMessage().contains("attribution.models: unknown model 'last_touch'; known: last_click, "
                + "last_non_direct, first_click, linear, time_decay, position_based, funnel_weighted, markov, "
                + "shapley, incremental, mixed_media"), e.getMessage());
    }

    @Test
    void theJobPreparesOnlyTheInputsOfTheConfiguredModels() {
        assertEquals(Set.of(), CreditModels.needs(List.of("last_click", "linear", "time_decay")));
        assertEquals(Set.of(CreditModel.Input.MARKOV_WEIGHTS, CreditModel.Input.MMM_FACTORS),
                CreditModels.needs(List.of("markov", "mixed_media")));
        assertEquals(Set.of(CreditModel.Input.SHAPLEY_VALUES), CreditModels.needs(List.of("linear", "shapley")));
    }

    @Test
    void shapleyAtPartnerGranularityIsRejected() {
        PartnermixConfig.Attribution partners = new PartnermixConfig.Attribution(List.of("shapley"), 0.3, 7,
                SETTINGS.positionBased(), Map.of(), SETTINGS.markov(), new PartnermixConfig.Shapley("partner"), 90, true,
                null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new CreditModels(partners));
        assertTrue(e.getMessage().startsWith("attribution.shapley.granularity"), e.getMessage());
    }

    @Test
    void positionWeightsThatDoNotSumToOneAreRejected() {
        PartnermixConfig.Attribution bad = new PartnermixConfig.Attribution(List.of("position_based"), 0.3, 7,
                new PartnermixConfig.PositionWeights(0.5, 0.2, 0.4), Map.of(), SETTINGS.markov(), SETTINGS.shapley(), 90,
                true, null);
        assertThrows(IllegalArgumentException.class, () -> new CreditModels(bad));
    }
}
