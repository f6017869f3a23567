package com.partnermix.attribution;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Removal-effect attribution from an absorbing Markov chain of order k, computed exactly by
 * solving linear systems (no simulation).
 *
 * <h2>The chain</h2>
 * <ul>
 *   <li>A chain state is the tuple of the last k base states seen (channels or partner types).
 *       At the start of a path the tuple is shorter: for k = 2 the path A, B, C visits
 *       (A), (A,B), (B,C). Consecutive repeats are kept as given (for k = 1, A, A is a self-loop).</li>
 *   <li>START is transient; CONVERSION and NULL (journey ended without conversion) are absorbing.</li>
 *   <li>A path observed {@code journeys} times adds {@code journeys} to every transition
 *       START -> s1 -> ... -> s_last, then {@code conversions} to s_last -> CONVERSION and
 *       {@code journeys - conversions} to s_last -> NULL. Paths without touches or journeys are
 *       skipped: they say nothing about any state. Transition probability = count / row total.</li>
 *   <li>Revenue: the edge s -> CONVERSION carries the mean revenue of the conversions that ended at
 *       s, so the expected revenue per journey solves y = Q y + r with r_s = P(s -> CONV) * meanRevenue(s).
 *       The conversion probability solves x = Q x + c with c_s = P(s -> CONV); P = x[START].</li>
 * </ul>
 *
 * <h2>Removal of a base state b</h2>
 * Every chain state whose tuple contains b becomes absorbing NULL: its x (and y) is fixed to 0,
 * i.e. a journey that reaches b is lost. START and all other states keep their transition
 * probabilities unchanged (no renormalisation), so the probability mass that used to flow into b
 * simply disappears. Removal effect(b) = 1 - P_removed / P_full, clamped to [0, 1], and 0 when
 * P_full is 0; the revenue effect is the same with expected revenue.
 *
 * <h2>Solving</h2>
 * (I - Q) x = c over the transient states. Up to {@link #DENSE_LIMIT} states: dense Gaussian
 * elimination with partial pivoting. Above: Gauss–Seidel sweeps over the sparse rows until the
 * largest absolute change is below {@link #TOLERANCE}. That converges because Q is substochastic and
 * every transient state can reach an absorbing state (each state lies on an observed path that ends
 * in CONVERSION or NULL), so the spectral radius of Q is below 1 and I - Q is a nonsingular M-matrix,
 * for which the Gauss–Seidel splitting is a convergent regular splitting. Removing states only makes
 * more states absorbing, which keeps that property. The revenue system is solved with rewards divided
 * by the largest |mean revenue| so all unknowns lie in [-1, 1] and the absolute tolerance is meaningful.
 *
 * <h2>Determinism</h2>
 * Chain states are numbered in sorted tuple order (START first) and rows are kept sorted by target,
 * so the layout and the solver's operation order do not depend on hashing or on the input order;
 * the same input gives bit-identical output. (Only the revenue sums per state are accumulated in
 * input order.)
 */
public final class MarkovRemoval {

    /** Largest number of transient states solved with dense elimination. */
    static final int DENSE_LIMIT = 400;
    /** Gauss–Seidel stops when no unknown moves by this much in a sweep. */
    static final double TOLERANCE = 1e-14;
    /** Gauss–Seidel gives up (IllegalStateException) after this many sweeps. */
    static final int MAX_SWEEPS = 1_000_000;

    private static final int START = 0;

    /** Lexicographic on the base states, a prefix before its extensions. */
    private static final Comparator<List<String>> TUPLE_ORDER = (a, b) -> {
        int common = Math.min(a.size(), b.size());
        for (int i = 0; i < common; i++) {
            int c = a.get(i).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    };

    private MarkovRemoval() {}

    /**
     * Journeys that followed exactly {@code states} (time order, one entry per touch).
     *
     * @param states      base states in time order; consecutive repeats are kept as given
     * @param journeys    number of journeys with this path
     * @param conversions how many of them converted (0..journeys)
     * @param revenue     total revenue of those conversions (must be 0 without conversions)
     */
    public record PathCount(List<String> states, long journeys, long conversions, double revenue) {
        public PathCount {
            states = List.copyOf(Objects.requireNonNull(states, "states")); // also rejects null entries
            if (journeys < 0) {
                throw new IllegalArgumentException("journeys must be >= 0: " + journeys);
            }
            if (conversions < 0 || conversions > journeys) {
                throw new IllegalArgumentException("conversions must be in 0.." + journeys + ": " + conversions);
            }
            if (!Double.isFinite(revenue)) {
                throw new IllegalArgumentException("revenue must be finite: " + revenue);
            }
            if (conversions == 0 && revenue != 0) {
                throw new IllegalArgumentException("revenue without conversions: " + revenue);
            }
        }
    }

    /**
     * @param conversionRemovalEffect per base state, in [0, 1], sorted by state
     * @param revenueRemovalEffect    per base state, in [0, 1], sorted by state
     * @param conversionProbability   P(conversion) from START in the full chain
     * @param expectedRevenue         expected revenue per journey of the full chain
     * @param chainStates             number of transient states, START included
     */
    public record Result(Map<String, Double> conversionRemovalEffect,
                         Map<String, Double> revenueRemovalEffect,
                         double conversionProbability,
                         double expectedRevenue,
                         int chainStates) {
        public Result {
            conversionRemovalEffect = Collections.unmodifiableMap(new TreeMap<>(conversionRemovalEffect));
            revenueRemovalEffect = Collections.unmodifiableMap(new TreeMap<>(revenueRemovalEffect));
        }
    }

    /** Journeys that moved from one chain state to the next ({@code from} empty: the start). */
    public record TransitionCount(List<String> from, List<String> to, long count) {}

    /** How journeys ended in a state: converted (with their revenue) or not. */
    public record ExitCount(List<String> from, long conversions, long nonConversions, double revenue) {}

    record Counts(List<TransitionCount> transitions, List<ExitCount> exits) {}

    private static final Comparator<List<List<String>>> PAIR_ORDER = (a, b) -> {
        int c = TUPLE_ORDER.compare(a.get(0), b.get(0));
        return c != 0 ? c : TUPLE_ORDER.compare(a.get(1), b.get(1));
    };

    /** Removal effects of an order-{@code order} chain (1..3). */
    public static Result compute(List<PathCount> paths, int order) {
        return compute(paths, order, DENSE_LIMIT);
    }

    /** As {@link #compute(List, int)}, with the dense/sparse threshold chosen by the caller (tests). */
    static Result compute(List<PathCount> paths, int order, int denseLimit) {
        if (order < 1 || order > 3) {
            throw new IllegalArgumentException("order must be 1..3: " + order);
        }
        Objects.requireNonNull(paths, "paths");
        Counts counts = Chain.countPaths(paths, order);
        return compute(counts.transitions(), counts.exits(), denseLimit);
    }

    /**
     * Removal effects from transition counts aggregated elsewhere (the attribution job counts them
     * with Spark, so the driver only sees the chain, never the journeys). A chain state is a list of
     * base states (the last k touches); START is the empty list.
     */
    public static Result compute(List<TransitionCount> transitions, List<ExitCount> exits) {
        return compute(transitions, exits, DENSE_LIMIT);
    }

    static Result compute(List<TransitionCount> transitions, List<ExitCount> exits, int denseLimit) {
        Chain chain = Chain.build(transitions, exits);
        boolean dense = chain.size() <= denseLimit;

        double[][] full = chain.solve(new boolean[chain.size()], dense, null);
        double pFull = full[0][START];
        double eFullScaled = full[1][START];

        // One solve per removed base state, each independent of the others (it only reads the chain): they run
        // on every core of the driver. Each solve is sequential, so the effects do not depend on the thread count.
        List<String> bases = chain.baseStates;
        double[][] removedAtStart = new double[bases.size()][];
        java.util.stream.IntStream.range(0, bases.size()).parallel().forEach(k -> {
            double[][] removed = chain.solve(chain.statesContaining(bases.get(k)), dense, full);
            removedAtStart[k] = new double[] {removed[0][START], removed[1][START]};
        });
        Map<String, Double> conversion = new TreeMap<>();
        Map<String, Double> revenue = new TreeMap<>();
        for (int k = 0; k < bases.size(); k++) {
            conversion.put(bases.get(k), effect(pFull, removedAtStart[k][0]));
            revenue.put(bases.get(k), effect(eFullScaled, removedAtStart[k][1]));
        }
        return new Result(conversion, revenue, pFull, eFullScaled * chain.revenueScale, chain.size());
    }

    private static double effect(double full, double removed) {
        if (!(full > 0)) {
            return 0.0; // nothing to lose
        }
        return Math.min(1.0, Math.max(0.0, 1.0 - removed / full));
    }

    /** Sparse transient part of the chain: per row the transient targets, the self-loop and the absorbing exits. */
    private static final class Chain {
        final List<List<String>> tuples;   // index -> tuple (index 0 = START, empty tuple)
        final List<String> baseStates;     // sorted
        final int[][] cols;                // transient targets other than the row itself
        final double[][] probs;
        final double[] selfLoop;
        final double[] toConversion;       // c_s = P(s -> CONV)
        final double[] reward;             // r_s / revenueScale
        final double revenueScale;

        private Chain(List<List<String>> tuples, List<String> baseStates, int[][] cols, double[][] probs,
                      double[] selfLoop, double[] toConversion, double[] reward, double revenueScale) {
            this.tuples = tuples;
            this.baseStates = baseStates;
            this.cols = cols;
            this.probs = probs;
            this.selfLoop = selfLoop;
            this.toConversion = toConversion;
            this.reward = reward;
            this.revenueScale = revenueScale;
        }

        int size() {
            return tuples.size();
        }

        /** Turns paths into transition and exit counts (what a Spark job aggregates at scale). */
        static Counts countPaths(List<PathCount> paths, int order) {
            Map<List<List<String>>, Long> transitions = new TreeMap<>(PAIR_ORDER);
            Map<List<String>, ExitCount> exits = new TreeMap<>(TUPLE_ORDER);
            for (PathCount path : paths) {
                if (!counts(path)) {
                    continue;
                }
                List<String> prev = List.of();
                for (int j = 0; j < path.states().size(); j++) {
                    List<String> cur = tuple(path.states(), j, order);
                    transitions.merge(List.of(prev, cur), path.journeys(), Long::sum);
                    prev = cur;
                }
                exits.merge(prev, new ExitCount(prev, path.conversions(), path.journeys() - path.conversions(),
                        path.revenue()), (a, b) -> new ExitCount(a.from(), a.conversions() + b.conversions(),
                        a.nonConversions() + b.nonConversions(), a.revenue() + b.revenue()));
            }
            List<TransitionCount> list = new ArrayList<>();
            transitions.forEach((pair, count) -> list.add(new TransitionCount(pair.get(0), pair.get(1), count)));
            return new Counts(list, List.copyOf(exits.values()));
        }

        static Chain build(List<TransitionCount> transitionCounts, List<ExitCount> exitCounts) {
            // Pass 1: collect chain states in sorted order so the numbering ignores input order.
            TreeMap<List<String>, Integer> index = new TreeMap<>(TUPLE_ORDER);
            TreeSet<String> bases = new TreeSet<>();
            for (TransitionCount t : transitionCounts) {
                for (List<String> tuple : List.of(t.from(), t.to())) {
                    if (!tuple.isEmpty()) {
                        index.put(tuple, 0);
                        bases.addAll(tuple);
                    }
                }
            }
            for (ExitCount e : exitCounts) {
                if (!e.from().isEmpty()) {
                    index.put(e.from(), 0);
                    bases.addAll(e.from());
                }
            }
            List<List<String>> tuples = new ArrayList<>();
            tuples.add(List.of()); // START
            for (Map.Entry<List<String>, Integer> e : index.entrySet()) {
                e.setValue(tuples.size());
                tuples.add(e.getKey());
            }
            int n = tuples.size();

            // Pass 2: transition counts; TreeMap rows keep targets sorted.
            List<TreeMap<Integer, Long>> rows = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                rows.add(new TreeMap<>());
            }
            long[] conversions = new long[n];
            long[] nulls = new long[n];
            double[] revenueSum = new double[n];
            for (TransitionCount t : transitionCounts) {
                int from = t.from().isEmpty() ? START : index.get(t.from());
                rows.get(from).merge(index.get(t.to()), t.count(), Long::sum);
            }
            for (ExitCount e : exitCounts) {
                int from = e.from().isEmpty() ? START : index.get(e.from());
                conversions[from] += e.conversions();
                nulls[from] += e.nonConversions();
                revenueSum[from] += e.revenue();
            }

            double[] meanRevenue = new double[n];
            double scale = 0.0;
            for (int i = 0; i < n; i++) {
                meanRevenue[i] = conversions[i] > 0 ? revenueSum[i] / conversions[i] : 0.0;
                scale = Math.max(scale, Math.abs(meanRevenue[i]));
            }
            if (scale == 0.0) {
                scale = 1.0;
            }

            int[][] cols = new int[n][];
            double[][] probs = new double[n][];
            double[] selfLoop = new double[n];
            double[] toConversion = new double[n];
            double[] reward = new double[n];
            for (int i = 0; i < n; i++) {
                TreeMap<Integer, Long> row = rows.get(i);
                long total = conversions[i] + nulls[i];
                for (long c : row.values()) {
                    total += c;
                }
                if (total == 0) { // only START of an empty chain
                    cols[i] = new int[0];
                    probs[i] = new double[0];
                    continue;
                }
                int others = row.size() - (row.containsKey(i) ? 1 : 0);
                cols[i] = new int[others];
                probs[i] = new double[others];
                int k = 0;
                for (Map.Entry<Integer, Long> e : row.entrySet()) {
                    double p = (double) e.getValue() / total;
                    if (e.getKey() == i) {
                        selfLoop[i] = p;
                    } else {
                        cols[i][k] = e.getKey();
                        probs[i][k] = p;
                        k++;
                    }
                }
                toConversion[i] = (double) conversions[i] / total;
                reward[i] = toConversion[i] * (meanRevenue[i] / scale);
            }
            return new Chain(List.copyOf(tuples), List.copyOf(bases), cols, probs, selfLoop, toConversion,
                    reward, scale);
        }

        private static boolean counts(PathCount path) {
            return path.journeys() > 0 && !path.states().isEmpty();
        }

        /** The last {@code order} base states up to and including position j. */
        private static List<String> tuple(List<String> states, int j, int order) {
            return List.copyOf(states.subList(Math.max(0, j - order + 1), j + 1));
        }

        boolean[] statesContaining(String base) {
            boolean[] removed = new boolean[size()];
            for (int i = 1; i < size(); i++) {
                removed[i] = tuples.get(i).contains(base);
            }
            return removed;
        }

        /**
         * x[0] = conversion probabilities, x[1] = scaled expected revenue; removed states are 0.
         *
         * @param start where the iterative solver starts (null: 0): a removal starts from the full chain's
         *              solution, which is close, so it needs fewer sweeps to the same tolerance
         */
        double[][] solve(boolean[] removed, boolean dense, double[][] start) {
            double[][] rhs = {toConversion, reward};
            return dense ? solveDense(removed, rhs) : solveGaussSeidel(removed, rhs, start);
        }

        private double[][] solveDense(boolean[] removed, double[][] rhs) {
            int n = size();
            int[] pos = new int[n];
            int[] kept = new int[n];
            int m = 0;
            for (int i = 0; i < n; i++) {
                pos[i] = removed[i] ? -1 : m;
                if (!removed[i]) {
                    kept[m++] = i;
                }
            }
            int r = rhs.length;
            double[][] a = new double[m][m];
            double[][] b = new double[m][r];
            for (int row = 0; row < m; row++) {
                int i = kept[row];
                a[row][row] = 1.0 - selfLoop[i];
                for (int t = 0; t < cols[i].length; t++) {
                    int j = pos[cols[i][t]];
                    if (j >= 0) {
                        a[row][j] -= probs[i][t];
                    }
                }
                for (int q = 0; q < r; q++) {
                    b[row][q] = rhs[q][i];
                }
            }
            // Forward elimination with partial pivoting.
            for (int col = 0; col < m; col++) {
                int pivot = col;
                for (int row = col + 1; row < m; row++) {
                    if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
                        pivot = row;
                    }
                }
                if (a[pivot][col] == 0.0) {
                    throw new IllegalStateException("singular system at column " + col);
                }
                double[] tmp = a[col];
                a[col] = a[pivot];
                a[pivot] = tmp;
                tmp = b[col];
                b[col] = b[pivot];
                b[pivot] = tmp;
                double d = a[col][col];
                for (int row = col + 1; row < m; row++) {
                    double f = a[row][col] / d;
                    if (f == 0.0) {
                        continue; // sparse rows: most factors are zero
                    }
                    a[row][col] = 0.0;
                    for (int c = col + 1; c < m; c++) {
                        a[row][c] -= f * a[col][c];
                    }
                    for (int q = 0; q < r; q++) {
                        b[row][q] -= f * b[col][q];
                    }
                }
            }
            double[][] x = new double[r][n];
            double[][] y = new double[m][r];
            for (int row = m - 1; row >= 0; row--) {
                for (int q = 0; q < r; q++) {
                    double s = b[row][q];
                    for (int c = row + 1; c < m; c++) {
                        s -= a[row][c] * y[c][q];
                    }
                    y[row][q] = s / a[row][row];
                }
            }
            for (int row = 0; row < m; row++) {
                for (int q = 0; q < r; q++) {
                    x[q][kept[row]] = y[row][q];
                }
            }
            return x;
        }

        private double[][] solveGaussSeidel(boolean[] removed, double[][] rhs, double[][] start) {
            int n = size();
            int r = rhs.length;
            double[][] x = new double[r][n];
            for (int q = 0; start != null && q < r; q++) {
                for (int i = 0; i < n; i++) {
                    x[q][i] = removed[i] ? 0.0 : start[q][i];
                }
            }
            double[] s = new double[r];
            for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
                double change = 0.0;
                for (int i = 0; i < n; i++) {
                    if (removed[i]) {
                        continue; // absorbing NULL: stays 0
                    }
                    for (int q = 0; q < r; q++) {
                        s[q] = rhs[q][i];
                    }
                    for (int t = 0; t < cols[i].length; t++) {
                        int j = cols[i][t];
                        if (!removed[j]) {
                            for (int q = 0; q < r; q++) {
                                s[q] += probs[i][t] * x[q][j];
                            }
                        }
                    }
                    double stay = 1.0 - selfLoop[i]; // > 0: every state can leave
                    for (int q = 0; q < r; q++) {
                        double next = s[q] / stay;
                        change = Math.max(change, Math.abs(next - x[q][i]));
                        x[q][i] = next;
                    }
                }
                if (change < TOLERANCE) {
                    return x;
                }
            }
            throw new IllegalStateException("Gauss-Seidel did not converge in " + MAX_SWEEPS + " sweeps");
        }
    }
}
