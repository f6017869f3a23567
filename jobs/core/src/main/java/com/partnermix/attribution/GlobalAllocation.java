package com.partnermix.attribution;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Markov chain's own result, allocated to orders. The chain says how many of the window's conversions each
 * state is worth: conversions x removal effect / sum of removal effects (ChannelAttribution's output). Normalising
 * the removal effects within each order does not keep those totals: a state that mostly appears beside strong
 * states gets too little, one that often converts alone too much. This finds one multiplier per state so that the
 * per-order shares (state weight x touch weight, normalised within the order) of the training window's converting
 * journeys add up, per state, to the chain's totals: iterative proportional fitting over the orders x states table,
 * whose row sums are 1 by construction. The credit model keeps its per-order form (a weight per state), so
 * tonight's orders are credited with the same weights.
 *
 * <p>Where the totals cannot be met (a state that converts alone more often than the chain credits it), the fit
 * stops after {@link #MAX_ITERATIONS} at the closest allocation and reports the distance left ({@link Fit#residual}).
 */
final class GlobalAllocation {

    static final int MAX_ITERATIONS = 2000;
    /** Stop when the allocated shares are this close (total variation) to the chain's. */
    static final double TOLERANCE = 1e-12;

    private GlobalAllocation() {}

    /**
     * Converting journeys with the same touch weight per state.
     *
     * @param touchWeights state -> the summed touch weights of the journey's touches in that state
     * @param journeys     how many converting journeys have this pattern
     */
    record Pattern(Map<String, Double> touchWeights, long journeys) {
        Pattern {
            touchWeights = Map.copyOf(touchWeights);
        }
    }

    /**
     * @param weights    per state: removal effect x fitted multiplier, scaled so that they sum to the removal effects'
     *                   sum (the credit model uses them as it used the removal effects)
     * @param iterations fitting sweeps used
     * @param residual   total-variation distance between the allocated and the chain's state shares (0: met)
     */
    record Fit(Map<String, Double> weights, int iterations, double residual) {}

    static Fit fit(List<Pattern> patterns, Map<String, Double> removalEffects) {
        Objects.requireNonNull(patterns, "patterns");
        List<String> states = new ArrayList<>(new TreeSet<>(removalEffects.keySet()));
        Map<String, Integer> index = new TreeMap<>();
        for (int i = 0; i < states.size(); i++) {
            index.put(states.get(i), i);
        }
        double[] effect = new double[states.size()];
        double effectSum = 0;
        for (int i = 0; i < effect.length; i++) {
            effect[i] = Math.max(0.0, removalEffects.get(states.get(i)));
            effectSum += effect[i];
        }
        // Dense per-pattern rows over the chain's states; touches in states the chain does not know weigh 0.
        int p = patterns.size();
        int[][] cols = new int[p][];
        double[][] touch = new double[p][];
        double[] journeys = new double[p];
        double conversions = 0;
        for (int j = 0; j < p; j++) {
            Pattern pattern = patterns.get(j);
            List<Integer> c = new ArrayList<>();
            List<Double> w = new ArrayList<>();
            new TreeMap<>(pattern.touchWeights()).forEach((state, weight) -> {
                Integer i = index.get(state);
                if (i != null && weight > 0) {
                    c.add(i);
                    w.add(weight);
                }
            });
            cols[j] = c.stream().mapToInt(Integer::intValue).toArray();
            touch[j] = w.stream().mapToDouble(Double::doubleValue).toArray();
            journeys[j] = pattern.journeys();
            conversions += cols[j].length > 0 ? pattern.journeys() : 0;   // no known state: nothing to allocate
        }
        double[] target = new double[states.size()];
        for (int i = 0; i < target.length; i++) {
            target[i] = effectSum > 0 ? conversions * effect[i] / effectSum : 0.0;
        }
        double[] weight = effect.clone();
        double residual = Double.NaN;
        int iteration = 0;
        while (conversions > 0 && effectSum > 0) {
            double[] allocated = allocate(cols, touch, journeys, weight);
            residual = 0;
            for (int i = 0; i < target.length; i++) {
                residual += Math.abs(allocated[i] - target[i]);
            }
            residual /= 2 * conversions;
            if (residual < TOLERANCE || iteration == MAX_ITERATIONS) {
                break;
            }
            for (int i = 0; i < weight.length; i++) {
                weight[i] = allocated[i] > 0 ? weight[i] * target[i] / allocated[i] : weight[i];
            }
            rescale(weight, effectSum);   // only ratios matter; this keeps an unmeetable fit from overflowing
            iteration++;
        }
        rescale(weight, effectSum);
        Map<String, Double> fitted = new TreeMap<>();
        for (int i = 0; i < states.size(); i++) {
            fitted.put(states.get(i), weight[i]);
        }
        return new Fit(fitted, iteration, Double.isNaN(residual) ? 0.0 : residual);
    }

    private static void rescale(double[] weight, double sum) {
        double current = 0;
        for (double w : weight) {
            current += w;
        }
        for (int i = 0; current > 0 && i < weight.length; i++) {
            weight[i] = weight[i] * sum / current;
        }
    }

    /**
     * Each state's total credit over the patterns under {@code weight}: per journey weight x touch weight over the
     * journey's sum. A journey whose states all weigh 0 takes the linear share, as the credit model does.
     */
    static double[] allocate(int[][] cols, double[][] touch, double[] journeys, double[] weight) {
        double[] allocated = new double[weight.length];
        for (int j = 0; j < cols.length; j++) {
            double sum = 0;
            double touchSum = 0;
            for (int t = 0; t < cols[j].length; t++) {
                sum += weight[cols[j][t]] * touch[j][t];
                touchSum += touch[j][t];
            }
            for (int t = 0; t < cols[j].length; t++) {
                double share = sum > 0 ? weight[cols[j][t]] * touch[j][t] / sum : touch[j][t] / touchSum;
                allocated[cols[j][t]] += journeys[j] * share;
            }
        }
        return allocated;
    }
}
