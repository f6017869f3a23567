package com.partnermix.attribution;

import com.partnermix.attribution.ShapleyValues.Coalition;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ShapleyValuesTest {

    private static final double EXACT = 1e-12;

    private static Coalition coalition(long journeys, long conversions, String... players) {
        return new Coalition(Set.of(players), journeys, conversions);
    }

    private static double sum(Map<String, Double> values) {
        return values.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    @Test
    void twoPlayerValuesMatchTheHandComputation() {
        // v(A) = 1/10 = 0.1, v(B) = 2/10 = 0.2, v(AB) = 6/10 = 0.6
        List<Coalition> coalitions = List.of(coalition(10, 1, "A"), coalition(10, 2, "B"), coalition(10, 6, "A", "B"));
        Map<String, Double> phi = ShapleyValues.compute(coalitions);
        assertEquals(0.25, phi.get("A"), EXACT); // 1/2*0.1 + 1/2*(0.6 - 0.2) = 0.05 + 0.20
        assertEquals(0.35, phi.get("B"), EXACT); // 1/2*0.2 + 1/2*(0.6 - 0.1) = 0.10 + 0.25
        assertEquals(0.6, sum(phi), EXACT);      // efficiency: v(AB) - v(empty)
    }

    @Test
    void threePlayerValuesMatchTheHandComputation() {
        // v(A)=0.1, v(B)=0.2, v(AB)=0.5, v(AC)=0.3, v(ABC)=0.6; v(C)=v(BC)=0 (unobserved)
        // weights for n=3: |S|=0 -> 1/3, |S|=1 -> 1/6, |S|=2 -> 1/3
        List<Coalition> coalitions = List.of(
                coalition(10, 1, "A"), coalition(10, 2, "B"), coalition(10, 5, "A", "B"),
                coalition(10, 3, "A", "C"), coalition(10, 6, "A", "B", "C"));
        Map<String, Double> phi = ShapleyValues.compute(coalitions);
        // A: 1/3*0.1 + 1/6*(0.5-0.2) + 1/6*(0.3-0) + 1/3*(0.6-0) = (2 + 3 + 3 + 12)/60 = 1/3
        assertEquals(1.0 / 3, phi.get("A"), EXACT);
        // B: 1/3*0.2 + 1/6*(0.5-0.1) + 1/6*(0-0) + 1/3*(0.6-0.3) = (4 + 4 + 0 + 6)/60 = 7/30
        assertEquals(7.0 / 30, phi.get("B"), EXACT);
        // C: 1/3*0 + 1/6*(0.3-0.1) + 1/6*(0-0.2) + 1/3*(0.6-0.5) = (0 + 2 - 2 + 2)/60 = 1/30
        assertEquals(1.0 / 30, phi.get("C"), EXACT);
        assertEquals(0.6, sum(phi), EXACT);      // (20 + 14 + 2)/60 = v(ABC)
    }

    @Test
    void duplicateCoalitionsAreMergedBySummingCounts() {
        // {A} 5/1 + 5/0 = 10 journeys, 1 conversion -> same game as the two-player example
        Map<String, Double> phi = ShapleyValues.compute(List.of(
                coalition(5, 1, "A"), coalition(5, 0, "A"), coalition(10, 2, "B"), coalition(10, 6, "B", "A")));
        assertEquals(0.25, phi.get("A"), EXACT);
        assertEquals(0.35, phi.get("B"), EXACT);
    }

    @Test
    void valuesSumToTheValueOfTheGrandCoalition() {
        List<Coalition> coalitions = randomCoalitions(11, 6, 30, true);
        Map<String, Double> phi = ShapleyValues.compute(coalitions);
        assertEquals(grandValue(coalitions, phi.keySet()), sum(phi), EXACT);

        // Without the grand coalition observed, v(N) = 0 and the values sum to 0.
        List<Coalition> partial = randomCoalitions(12, 6, 30, false);
        Map<String, Double> phiPartial = ShapleyValues.compute(partial);
        assertEquals(0.0, grandValue(partial, phiPartial.keySet()));
        assertEquals(0.0, sum(phiPartial), EXACT);
    }

    @Test
    void fastFormulaEqualsBruteForceOnARandomTenPlayerGame() {
        List<Coalition> coalitions = randomCoalitions(2011, 10, 150, true);
        Map<String, Double> fast = ShapleyValues.compute(coalitions);
        Map<String, Double> brute = ShapleyValues.bruteForce(coalitions);
        assertEquals(10, fast.size());
        assertEquals(brute.keySet(), fast.keySet());
        for (String player : brute.keySet()) {
            assertEquals(brute.get(player), fast.get(player), EXACT, player);
        }
    }

    @Test
    void bruteForceRefusesMoreThanTwentyPlayers() {
        List<Coalition> coalitions = randomCoalitions(5, 21, 40, true);
        assertThrows(IllegalArgumentException.class, () -> ShapleyValues.bruteForce(coalitions));
    }

    @Test
    void twoHundredPlayersDoNotOverflowAndStillSatisfyEfficiency() {
        List<Coalition> coalitions = randomCoalitions(200, 200, 500, true);
        Map<String, Double> phi = ShapleyValues.compute(coalitions);
        assertEquals(200, phi.size());
        for (double value : phi.values()) {
            assertTrue(Double.isFinite(value), "not finite: " + value);
        }
        assertEquals(grandValue(coalitions, phi.keySet()), sum(phi), 1e-10);
    }

    @Test
    void playerSeenOnlyInNonConvertingJourneysGetsNoPositiveValue() {
        // Z is in many journeys but none of its coalitions convert: v(T) = 0 whenever Z is in T,
        // so Z only collects the negative "joining" terms.
        List<Coalition> coalitions = List.of(
                coalition(10, 3, "A"), coalition(10, 2, "B"), coalition(10, 5, "A", "B"),
                coalition(50, 0, "Z"), coalition(40, 0, "A", "Z"), coalition(40, 0, "A", "B", "Z"));
        Map<String, Double> phi = ShapleyValues.compute(coalitions);
        assertTrue(phi.get("Z") <= 0.0, "Z = " + phi.get("Z"));
        assertTrue(phi.get("Z") < 0.0, "Z lowers every coalition it joins: " + phi.get("Z"));
        assertEquals(0.0, sum(phi), EXACT);        // v({A,B,Z}) = 0
    }

    @Test
    void emptyCoalitionsAndCoalitionsWithoutJourneysHaveValueZero() {
        // {} and a zero-journey {A,B} carry no value; the result is the two-player game with v(AB) = 0:
        // phi_A = 1/2*0.1 + 1/2*(0 - 0.2) = -0.05, phi_B = 1/2*0.2 + 1/2*(0 - 0.1) = 0.05
        Map<String, Double> phi = ShapleyValues.compute(List.of(
                coalition(100, 90), coalition(10, 1, "A"), coalition(10, 2, "B"), coalition(0, 0, "A", "B")));
        assertEquals(-0.05, phi.get("A"), EXACT);
        assertEquals(0.05, phi.get("B"), EXACT);
        assertTrue(ShapleyValues.compute(List.of()).isEmpty());
    }

    @Test
    void inconsistentCountsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> coalition(1, 2, "A"));
        assertThrows(IllegalArgumentException.class, () -> coalition(-1, 0, "A"));
    }

    /** Seeded random coalitions over p00..p(n-1); optionally includes the grand coalition. */
    private static List<Coalition> randomCoalitions(long seed, int players, int count, boolean withGrand) {
        Random random = new Random(seed);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < players; i++) {
            names.add(String.format("p%03d", i));
        }
        List<Coalition> coalitions = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            Set<String> members = new TreeSet<>();
            int size = 1 + random.nextInt(Math.min(players - 1, 8));
            while (members.size() < size) {
                members.add(names.get(random.nextInt(players)));
            }
            long journeys = 1 + random.nextInt(50);
            coalitions.add(new Coalition(members, journeys, random.nextInt((int) journeys + 1)));
        }
        // Make sure every player appears, then optionally add everyone together.
        for (String name : names) {
            coalitions.add(new Coalition(Set.of(name), 20, random.nextInt(21)));
        }
        if (withGrand) {
            coalitions.add(new Coalition(new TreeSet<>(names), 40, 1 + random.nextInt(40)));
        }
        return coalitions;
    }

    /** v(N) computed independently from the raw counts (0 when never observed). */
    private static double grandValue(List<Coalition> coalitions, Set<String> all) {
        long journeys = 0;
        long conversions = 0;
        for (Coalition c : coalitions) {
            if (c.players().equals(all)) {
                journeys += c.journeys();
                conversions += c.conversions();
            }
        }
        return journeys == 0 ? 0.0 : (double) conversions / journeys;
    }
}
