package com.partnermix.attribution;

import com.partnermix.attribution.MarkovRemoval.PathCount;
import com.partnermix.attribution.MarkovRemoval.Result;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MarkovRemovalTest {

    private static final double EXACT = 1e-12;

    private static PathCount path(long journeys, long conversions, double revenue, String... states) {
        return new PathCount(List.of(states), journeys, conversions, revenue);
    }

    @Test
    void removalEffectOfTheOnlyPathToConversionIsOne() {
        // START->A 2/3, START->B 1/3; A->B 1/2, A->NULL 1/2; B->CONV 1 (2 conversions, revenue 150)
        Result r = MarkovRemoval.compute(List.of(
                path(1, 1, 100, "A", "B"),
                path(1, 0, 0, "A"),
                path(1, 1, 50, "B")), 1);

        assertEquals(3, r.chainStates());                                    // START, (A), (B)
        assertEquals(2.0 / 3, r.conversionProbability(), EXACT);             // 2/3*1/2*1 + 1/3*1 = 2/3
        assertEquals(1.0, r.conversionRemovalEffect().get("B"), EXACT);      // every conversion passes B: P -> 0
        assertEquals(0.5, r.conversionRemovalEffect().get("A"), EXACT);      // P_removed = 1/3; 1 - (1/3)/(2/3) = 1/2
        assertEquals(50.0, r.expectedRevenue(), EXACT);                      // meanRev(B) = 150/2 = 75; 2/3*75 = 50
        assertEquals(0.5, r.revenueRemovalEffect().get("A"), EXACT);         // 1/3*75 = 25; 1 - 25/50 = 1/2
        assertEquals(1.0, r.revenueRemovalEffect().get("B"), EXACT);         // 0 left
    }

    @Test
    void revenueEffectsDifferFromConversionEffectsWhenStatesEndWithDifferentBaskets() {
        // Counts: START->A 3, START->B 1 (4 journeys)
        //         A->B 2, A->CONV 1 (revenue 300)        => A->B 2/3, A->CONV 1/3, meanRev(A) = 300
        //         B->CONV 1 (revenue 100), B->NULL 2     => B->CONV 1/3, meanRev(B) = 100
        Result r = MarkovRemoval.compute(List.of(
                path(1, 1, 300, "A"),
                path(1, 1, 100, "B"),
                path(2, 0, 0, "A", "B")), 1);

        // x_B = 1/3; x_A = 1/3 + 2/3*1/3 = 5/9; P = 3/4*5/9 + 1/4*1/3 = 15/36 + 3/36 = 1/2 (2 of 4 converted)
        assertEquals(0.5, r.conversionProbability(), EXACT);
        // r_A = 1/3*300 = 100, r_B = 1/3*100 = 100/3; y_B = 100/3; y_A = 100 + 2/3*100/3 = 1100/9
        // E = 3/4*1100/9 + 1/4*100/3 = 3300/36 + 300/36 = 100 (400 revenue / 4 journeys)
        assertEquals(100.0, r.expectedRevenue(), 1e-10);
        // remove A: P = 1/4*1/3 = 1/12 -> 1 - (1/12)/(1/2) = 5/6;  E = 1/4*100/3 = 25/3 -> 1 - (25/3)/100 = 11/12
        assertEquals(5.0 / 6, r.conversionRemovalEffect().get("A"), EXACT);
        assertEquals(11.0 / 12, r.revenueRemovalEffect().get("A"), EXACT);
        // remove B: x_A = 1/3, P = 3/4*1/3 = 1/4 -> 1/2;  y_A = 100, E = 3/4*100 = 75 -> 1 - 75/100 = 1/4
        assertEquals(0.5, r.conversionRemovalEffect().get("B"), EXACT);
        assertEquals(0.25, r.revenueRemovalEffect().get("B"), EXACT);
    }

    @Test
    void secondOrderChainSeesWhichStateCameBeforeTheSharedOne() {
        // A then B always converts, C then B never does.
        List<PathCount> paths = List.of(path(1, 1, 10, "A", "B"), path(1, 0, 0, "C", "B"));

        // Order 1: (B) mixes both histories: START->A 1/2, START->C 1/2, A->B 1, C->B 1, B->CONV 1/2
        Result first = MarkovRemoval.compute(paths, 1);
        assertEquals(4, first.chainStates());                                 // START, (A), (B), (C)
        assertEquals(0.5, first.conversionProbability(), EXACT);              // 1/2*1*1/2 + 1/2*1*1/2
        assertEquals(0.5, first.conversionRemovalEffect().get("A"), EXACT);   // 1/2*1*1/2 = 1/4 left; 1 - (1/4)/(1/2)
        assertEquals(0.5, first.conversionRemovalEffect().get("C"), EXACT);   // same by symmetry
        assertEquals(1.0, first.conversionRemovalEffect().get("B"), EXACT);

        // Order 2: states (A), (C), (A,B), (C,B); (A,B)->CONV 1, (C,B)->NULL 1
        Result second = MarkovRemoval.compute(paths, 2);
        assertEquals(5, second.chainStates());
        assertEquals(0.5, second.conversionProbability(), EXACT);             // 1/2*1*1
        assertEquals(1.0, second.conversionRemovalEffect().get("A"), EXACT);  // (A) and (A,B) gone: P = 0
        assertEquals(0.0, second.conversionRemovalEffect().get("C"), EXACT); // P stays 1/2
        assertEquals(1.0, second.conversionRemovalEffect().get("B"), EXACT);  // (A,B) and (C,B) gone
    }

    @Test
    void thirdOrderChainKeepsTheLastThreeStates() {
        // k=3: A,B,C,D visits (A), (A,B), (A,B,C), (B,C,D); D,B,C visits (D), (D,B), (D,B,C)
        Result r = MarkovRemoval.compute(List.of(
                path(1, 1, 10, "A", "B", "C", "D"),
                path(1, 0, 0, "D", "B", "C")), 3);
        assertEquals(8, r.chainStates());                                     // START + 7
        assertEquals(0.5, r.conversionProbability(), EXACT);                  // 1/2 via A..., 0 via D...
        assertEquals(1.0, r.conversionRemovalEffect().get("A"), EXACT);       // the converting path starts with A
        assertEquals(1.0, r.conversionRemovalEffect().get("D"), EXACT);       // (B,C,D) is on the converting path
    }

    @Test
    void consecutiveRepeatsAreKeptAsSelfLoops() {
        // Order 1: START->A 2; A->A 1, A->CONV 1, A->NULL 1 (row total 3)
        Result r = MarkovRemoval.compute(List.of(path(1, 1, 20, "A", "A"), path(1, 0, 0, "A")), 1);
        assertEquals(2, r.chainStates());
        // x_A = 1/3 + 1/3 x_A  =>  x_A = 1/2; P = 1 * 1/2
        assertEquals(0.5, r.conversionProbability(), EXACT);
        // meanRev(A) = 20; y_A = 1/3*20 + 1/3 y_A => y_A = 10
        assertEquals(10.0, r.expectedRevenue(), EXACT);
        assertEquals(1.0, r.conversionRemovalEffect().get("A"), EXACT);
    }

    @Test
    void pathsWithoutAnyConversionGiveZeroProbabilityAndZeroEffects() {
        Result r = MarkovRemoval.compute(List.of(path(5, 0, 0, "A", "B"), path(3, 0, 0, "B")), 1);
        assertEquals(0.0, r.conversionProbability());
        assertEquals(0.0, r.expectedRevenue());
        assertEquals(0.0, r.conversionRemovalEffect().get("A"));             // P_full = 0 -> effect 0
        assertEquals(0.0, r.conversionRemovalEffect().get("B"));
        assertEquals(0.0, r.revenueRemovalEffect().get("A"));
        assertEquals(0.0, r.revenueRemovalEffect().get("B"));
    }

    @Test
    void emptyPathsAndPathsWithoutJourneysAreIgnored() {
        List<PathCount> base = List.of(path(1, 1, 100, "A", "B"), path(1, 0, 0, "A"), path(1, 1, 50, "B"));
        List<PathCount> noisy = new ArrayList<>(base);
        noisy.add(path(10, 5, 70)); // no touches
        noisy.add(path(0, 0, 0, "Z"));
        assertEquals(MarkovRemoval.compute(base, 1), MarkovRemoval.compute(noisy, 1));
        assertEquals(1, MarkovRemoval.compute(List.of(), 2).chainStates()); // START only
        assertEquals(0.0, MarkovRemoval.compute(List.of(), 2).conversionProbability());
    }

    @Test
    void orderOutsideOneToThreeIsRejected() {
        List<PathCount> paths = List.of(path(1, 1, 1, "A"));
        assertThrows(IllegalArgumentException.class, () -> MarkovRemoval.compute(paths, 0));
        assertThrows(IllegalArgumentException.class, () -> MarkovRemoval.compute(paths, 4));
    }

    @Test
    void inconsistentPathCountsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> path(1, 2, 0, "A"));        // conversions > journeys
        assertThrows(IllegalArgumentException.class, () -> path(-1, 0, 0, "A"));
        assertThrows(IllegalArgumentException.class, () -> path(1, 0, 5, "A"));        // revenue without conversion
        assertThrows(IllegalArgumentException.class, () -> path(1, 1, Double.NaN, "A"));
    }

    @Test
    void denseAndGaussSeidelSolversAgreeOnASixHundredStateChain() {
        List<PathCount> paths = randomPaths(42, 24, 4000);
        Result dense = MarkovRemoval.compute(paths, 2, Integer.MAX_VALUE);
        Result sparse = MarkovRemoval.compute(paths, 2, 0);
        assertTrue(dense.chainStates() > MarkovRemoval.DENSE_LIMIT, "chain too small: " + dense.chainStates());
        assertTrue(dense.chainStates() >= 550, "chain too small: " + dense.chainStates());
        assertEquals(dense.chainStates(), sparse.chainStates());
        assertEquals(dense.conversionProbability(), sparse.conversionProbability(), EXACT);
        assertEquals(dense.expectedRevenue(), sparse.expectedRevenue(), EXACT * dense.expectedRevenue());
        assertEquals(dense.conversionRemovalEffect().keySet(), sparse.conversionRemovalEffect().keySet());
        for (String base : dense.conversionRemovalEffect().keySet()) {
            assertEquals(dense.conversionRemovalEffect().get(base), sparse.conversionRemovalEffect().get(base), EXACT, base);
            assertEquals(dense.revenueRemovalEffect().get(base), sparse.revenueRemovalEffect().get(base), EXACT, base);
        }
        // The public entry point picks Gauss-Seidel above the limit.
        assertEquals(sparse, MarkovRemoval.compute(paths, 2));
    }

    @Test
    void sameInputGivesBitIdenticalOutputWhateverThePathOrder() {
        List<PathCount> paths = randomPaths(7, 12, 800);
        Result once = MarkovRemoval.compute(paths, 2);
        assertEquals(once, MarkovRemoval.compute(paths, 2)); // record equality compares doubles bit for bit

        List<PathCount> shuffled = new ArrayList<>(paths);
        Collections.shuffle(shuffled, new Random(3));
        Result reordered = MarkovRemoval.compute(shuffled, 2);
        // Transition counts are integers and states are numbered in sorted order, so the conversion side
        // does not depend on the input order at all.
        assertEquals(once.conversionRemovalEffect(), reordered.conversionRemovalEffect());
        assertEquals(once.conversionProbability(), reordered.conversionProbability());
        assertEquals(List.copyOf(once.conversionRemovalEffect().keySet()),
                List.copyOf(reordered.conversionRemovalEffect().keySet()));
    }

    /** Seeded random paths over {@code bases} letters-like states, lengths 1..6, integer revenues. */
    private static List<PathCount> randomPaths(long seed, int bases, int count) {
        Random random = new Random(seed);
        List<PathCount> paths = new ArrayList<>();
        for (int p = 0; p < count; p++) {
            int length = 1 + random.nextInt(6);
            List<String> states = new ArrayList<>();
            for (int i = 0; i < length; i++) {
                states.add(String.format("s%02d", random.nextInt(bases)));
            }
            long journeys = 1 + random.nextInt(20);
            long conversions = random.nextInt(4) == 0 ? random.nextInt((int) journeys + 1) : 0;
            double revenue = conversions * (10 + random.nextInt(200));
            paths.add(new PathCount(states, journeys, conversions, revenue));
        }
        return paths;
    }

    @Test
    void exactRemovalEffectsAgreeWithARandomWalkSimulation() {
        // Order 1 chain of three channels. The simulation walks the same transition probabilities from START
        // (removed states absorb into NULL) and estimates P(conversion) with and without "email".
        List<PathCount> paths = List.of(
                new PathCount(List.of("search", "email"), 40, 18, 1800),
                new PathCount(List.of("search"), 60, 9, 900),
                new PathCount(List.of("social", "search", "email"), 30, 15, 1500),
                new PathCount(List.of("social"), 70, 4, 400),
                new PathCount(List.of("email", "email"), 20, 8, 800));
        Result exact = MarkovRemoval.compute(paths, 1);
        String[] states = {"START", "search", "email", "social"};
        double[][] counts = new double[4][6];   // columns: 4 states, CONV (4), NULL (5)
        for (PathCount path : paths) {
            int prev = 0;
            for (String s : path.states()) {
                int cur = java.util.Arrays.asList(states).indexOf(s);
                counts[prev][cur] += path.journeys();
                prev = cur;
            }
            counts[prev][4] += path.conversions();
            counts[prev][5] += path.journeys() - path.conversions();
        }
        Random random = new Random(7);
        int walks = 200_000;
        double full = simulate(counts, -1, walks, random);
        double withoutEmail = simulate(counts, 2, walks, random);
        double standardError = Math.sqrt(full * (1 - full) / walks);
        assertEquals(exact.conversionProbability(), full, 4 * standardError);
        double simulatedEffect = 1 - withoutEmail / full;
        assertEquals(exact.conversionRemovalEffect().get("email"), simulatedEffect, 0.02);
    }

    /** Fraction of walks from START that reach CONV; a walk entering {@code removed} is lost. */
    private static double simulate(double[][] counts, int removed, int walks, Random random) {
        int converted = 0;
        for (int w = 0; w < walks; w++) {
            int state = 0;
            while (true) {
                double total = 0;
                for (double c : counts[state]) {
                    total += c;
                }
                double u = random.nextDouble() * total;
                int next = 0;
                while (u >= counts[state][next]) {
                    u -= counts[state][next];
                    next++;
                }
                if (next == 4) {
                    converted++;
                    break;
                }
                if (next == 5 || next == removed) {
                    break;
                }
                state = next;
            }
        }
        return (double) converted / walks;
    }
}
