package com.partnermix.attribution;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GlobalAllocationTest {

    private static GlobalAllocation.Pattern pattern(long journeys, Object... stateAndWeight) {
        Map<String, Double> weights = new java.util.TreeMap<>();
        for (int i = 0; i < stateAndWeight.length; i += 2) {
            weights.put((String) stateAndWeight[i], (Double) stateAndWeight[i + 1]);
        }
        return new GlobalAllocation.Pattern(weights, journeys);
    }

    /** Per-order shares of the patterns under the fitted weights, summed per state. */
    private static Map<String, Double> allocated(List<GlobalAllocation.Pattern> patterns, Map<String, Double> weights) {
        Map<String, Double> total = new java.util.TreeMap<>();
        for (GlobalAllocation.Pattern p : patterns) {
            double sum = p.touchWeights().entrySet().stream()
                    .mapToDouble(e -> weights.get(e.getKey()) * e.getValue()).sum();
            double touchSum = p.touchWeights().values().stream().mapToDouble(Double::doubleValue).sum();
            // all weights 0: the linear share, as the credit model falls back to
            p.touchWeights().forEach((s, w) -> total.merge(s, p.journeys()
                    * (sum > 0 ? weights.get(s) * w / sum : w / touchSum), Double::sum));
        }
        return total;
    }

    /**
     * Paths A -> CONV x2, A -> B -> CONV x2, B -> NULL x2 (order 1): x_B = 1/2, x_A = 1/2 + 1/2 x_B = 3/4,
     * P = 4/6 x 3/4 + 2/6 x 1/2 = 2/3. Without A: P = 1/6, effect 3/4; without B: x_A = 1/2, P = 1/3, effect 1/2.
     * The chain's result for the 4 conversions: A 4 x 0.75 / 1.25 = 2.4, B 1.6. Per-order normalisation gives A
     * 2 + 2 x 0.6 = 3.2 and B 0.8. The A-only orders hold 2 of A's 2.4, so each A,B order gives A 0.2 and B 0.8.
     */
    @Test
    void eachStatesTotalOverTheOrdersIsTheChainsOwnResult() {
        List<GlobalAllocation.Pattern> patterns = List.of(pattern(2, "A", 1.0), pattern(2, "A", 1.0, "B", 1.0));
        Map<String, Double> effects = MarkovRemoval.compute(List.of(
                new MarkovRemoval.PathCount(List.of("A"), 2, 2, 0),
                new MarkovRemoval.PathCount(List.of("A", "B"), 2, 2, 0),
                new MarkovRemoval.PathCount(List.of("B"), 2, 0, 0)), 1).conversionRemovalEffect();
        assertEquals(0.75, effects.get("A"), 1e-12);
        assertEquals(0.5, effects.get("B"), 1e-12);

        GlobalAllocation.Fit fit = GlobalAllocation.fit(patterns, effects);
        Map<String, Double> w = fit.weights();
        assertEquals(0.2, w.get("A") / (w.get("A") + w.get("B")), 1e-9, "A's share in an A,B order");
        assertEquals(1.25, w.get("A") + w.get("B"), 1e-12, "the weights keep the removal effects' sum");
        Map<String, Double> totals = allocated(patterns, w);
        assertEquals(2.4, totals.get("A"), 1e-9);
        assertEquals(1.6, totals.get("B"), 1e-9);
        assertTrue(fit.residual() < 1e-9, "residual " + fit.residual());
    }

    /** Touch weights count: two impressions of B (0.3 each) against one click of A. */
    @Test
    void touchWeightsEnterTheSharesAsTheCreditModelUsesThem() {
        List<GlobalAllocation.Pattern> patterns = List.of(pattern(3, "A", 1.0), pattern(1, "A", 1.0, "B", 0.6));
        // targets: 4 conversions x (1/2, 1/2) = 2, 2; A-only orders hold 3 > 2: cannot be met, A keeps the least
        // it can (3) and B takes nearly all of the mixed order
        GlobalAllocation.Fit fit = GlobalAllocation.fit(patterns, Map.of("A", 0.5, "B", 0.5));
        Map<String, Double> totals = allocated(patterns, fit.weights());
        assertEquals(3.0, totals.get("A"), 0.01);
        assertEquals(1.0, totals.get("B"), 0.01);
        assertEquals(0.25, fit.residual(), 0.01, "a quarter of the conversions sit where the chain cannot have them");
        assertEquals(GlobalAllocation.MAX_ITERATIONS, fit.iterations());

        // feasible: targets 1.5 / 0.5 over one A order and one A,B order: A gets 0.5 of the mixed order,
        // i.e. w_A x 1 = w_B x 0.6
        List<GlobalAllocation.Pattern> two = List.of(pattern(1, "A", 1.0), pattern(1, "A", 1.0, "B", 0.6));
        Map<String, Double> w = GlobalAllocation.fit(two, Map.of("A", 0.75, "B", 0.25)).weights();
        assertEquals(1.0, w.get("B") * 0.6 / w.get("A"), 1e-9);
    }

    @Test
    void statesWithoutEffectGetNothingAndUnknownStatesAreIgnored() {
        List<GlobalAllocation.Pattern> patterns = List.of(pattern(2, "A", 1.0, "C", 1.0), pattern(1, "X", 1.0));
        GlobalAllocation.Fit fit = GlobalAllocation.fit(patterns, Map.of("A", 0.4, "C", 0.0));
        assertEquals(0.0, fit.weights().get("C"));
        assertEquals(0.4, fit.weights().get("A"), 1e-12);
        assertEquals(java.util.Set.of("A", "C"), fit.weights().keySet(), "only the chain's states");
        assertEquals(0, fit.iterations(), "A already holds all of its 2 orders");
    }

    @Test
    void noConversionsLeaveTheRemovalEffectsAsTheyAre() {
        GlobalAllocation.Fit fit = GlobalAllocation.fit(List.of(), Map.of("A", 0.3, "B", 0.1));
        assertEquals(0.3, fit.weights().get("A"), 1e-12);
        assertEquals(0.1, fit.weights().get("B"), 1e-12);
        assertEquals(0, fit.iterations());
    }
}
