package com.partnermix.bench;

import com.partnermix.attribution.MarkovRemoval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code bench --solver-states N}: times the driver-side Markov solve alone on a synthetic chain of
 * N partner states (paths of 1-6 touches, a few popular partners, about 30 % converting), for
 * N/4, N/2 and N states, so the growth with the number of states shows. No Spark involved.
 */
final class SolverBench {

    private SolverBench() {}

    static List<String> run(int states, long seed) {
        List<String> rows = new ArrayList<>();
        rows.add(String.format("%-12s %10s %12s %14s %10s", "states", "paths", "chain states", "solve s", "P(conv)"));
        for (int n : new int[] {Math.max(2, states / 4), Math.max(2, states / 2), states}) {
            List<MarkovRemoval.PathCount> paths = paths(n, 20 * n, new SplittableRandom(seed));
            long t0 = System.nanoTime();
            MarkovRemoval.Result result = MarkovRemoval.compute(paths, 1);
            double seconds = (System.nanoTime() - t0) / 1e9;
            rows.add(String.format("%-12d %10d %12d %14.2f %10.4f", n, paths.size(), result.chainStates(), seconds,
                    result.conversionProbability()));
        }
        return rows;
    }

    /** Distinct paths with counts; partner popularity is skewed (a square of a uniform draw). */
    static List<MarkovRemoval.PathCount> paths(int states, int distinctPaths, SplittableRandom random) {
        Map<List<String>, long[]> counts = new LinkedHashMap<>();
        for (int i = 0; i < distinctPaths; i++) {
            int length = 1 + random.nextInt(6);
            List<String> path = new ArrayList<>();
            for (int j = 0; j < length; j++) {
                double u = random.nextDouble();
                path.add("P" + (int) (u * u * states));
            }
            long journeys = 1 + random.nextInt(50);
            long conversions = Math.round(journeys * 0.3 * random.nextDouble() * 2);
            long[] c = counts.computeIfAbsent(path, k -> new long[2]);
            c[0] += journeys;
            c[1] += Math.min(journeys, conversions);
        }
        List<MarkovRemoval.PathCount> out = new ArrayList<>();
        counts.forEach((path, c) -> out.add(new MarkovRemoval.PathCount(path, c[0], Math.min(c[0], c[1]), c[1] * 80.0)));
        return out;
    }
}
