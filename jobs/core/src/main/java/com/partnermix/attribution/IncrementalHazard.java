package com.partnermix.attribution;

import com.partnermix.common.Experiments;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The person-level incrementality model: an additive hazard (Aalen's model, as in survival-based multi-touch
 * attribution, Zhang, Wei and Ren 2014) fitted by least squares on person-days. For each person and day,
 * {@code orders = intercept + sum_g effect[g] * stock[g]}, where {@code stock[g]} is the person's adstocked exposure
 * to group g: {@code sum over the person's earlier touches of g of weight x decay^(days before)}, today's touches
 * counted whole, those after today's first order not at all (weight 1 for a click, view_through_weight for an
 * impression). Effects are non-negative: a group whose exposure adds no orders gets 0, whatever co-occurs with
 * purchases. The decay is chosen from candidates by the least squared error.
 *
 * <p>Spark reduces the person-days to the sufficient statistics ({@link Stats}: X'X, X'y, y'y per candidate decay,
 * a few thousand numbers however many persons); the driver solves ({@link #solve}).
 */
final class IncrementalHazard {

    /** Stock below this is dropped (it only costs work). */
    static final double NEGLIGIBLE = 1e-6;
    static final int MAX_SWEEPS = 20_000;
    static final double TOLERANCE = 1e-13;

    private IncrementalHazard() {}

    /**
     * One touch of a person.
     *
     * @param day    days since the window start (negative: before it; its stock carries in)
     * @param micros the touch time, to tell same-day touches before the day's first order from those after
     * @param group  index into the groups
     * @param weight 1 for a click, view_through_weight for an impression
     */
    record Touch(int day, long micros, int group, double weight) implements Serializable {}

    /** One order of a person: the day (since the window start) and the time. */
    record Order(int day, long micros) implements Serializable {}

    /** X'X, X'y, y'y and the row count per candidate decay; X = [1, stock_1 .. stock_G]. */
    static final class Stats implements Serializable {
        final int groups;
        final double[] decays;
        final double[][][] xtx;
        final double[][] xty;
        final double[] yty;
        long personDays;
        double orderCount;

        Stats(int groups, double[] decays) {
            this.groups = groups;
            this.decays = decays.clone();
            int p = groups + 1;
            xtx = new double[decays.length][p][p];
            xty = new double[decays.length][p];
            yty = new double[decays.length];
        }

        /** Adds one person's days {@code 0 .. days-1}; touches and orders in time order. */
        void addPerson(List<Touch> touches, List<Order> orders, int days) {
            int first = touches.isEmpty() ? days : Math.max(0, touches.get(0).day());
            if (first >= days) {
                return;   // never exposed within the window: says nothing about any group
            }
            for (int c = 0; c < decays.length; c++) {
                double decay = decays[c];
                double[] carry = new double[groups];
                int t = 0;
                int o = 0;
                // stock carried in from touches before the window
                while (t < touches.size() && touches.get(t).day() < 0) {
                    Touch touch = touches.get(t++);
                    carry[touch.group()] += touch.weight() * Math.pow(decay, -touch.day());
                }
                while (o < orders.size() && orders.get(o).day() < first) {
                    o++;
                }
                double[] x = new double[groups];
                int[] nonZero = new int[groups];
                for (int d = first; d < days; d++) {
                    long firstOrder = Long.MAX_VALUE;
                    int y = 0;
                    while (o < orders.size() && orders.get(o).day() == d) {
                        firstOrder = Math.min(firstOrder, orders.get(o).micros());
                        y++;
                        o++;
                    }
                    System.arraycopy(carry, 0, x, 0, groups);
                    while (t < touches.size() && touches.get(t).day() == d) {
                        Touch touch = touches.get(t++);
                        if (touch.micros() < firstOrder) {
                            x[touch.group()] += touch.weight();
                        }
                        carry[touch.group()] += touch.weight();
                    }
                    add(c, x, y, nonZero);
                    for (int g = 0; g < groups; g++) {
                        carry[g] = carry[g] * decay < NEGLIGIBLE ? 0.0 : carry[g] * decay;
                    }
                }
            }
            personDays += days - first;
            for (Order order : orders) {
                orderCount += order.day() >= first && order.day() < days ? 1 : 0;
            }
        }

        private void add(int c, double[] x, int y, int[] nonZero) {
            int n = 0;
            for (int g = 0; g < groups; g++) {
                if (x[g] != 0.0) {
                    nonZero[n++] = g;
                }
            }
            double[][] a = xtx[c];
            double[] b = xty[c];
            a[0][0] += 1;
            b[0] += y;
            yty[c] += (double) y * y;
            for (int i = 0; i < n; i++) {
                int gi = nonZero[i] + 1;
                double xi = x[nonZero[i]];
                a[0][gi] += xi;
                a[gi][0] += xi;
                b[gi] += xi * y;
                for (int j = 0; j < n; j++) {
                    a[gi][nonZero[j] + 1] += xi * x[nonZero[j]];
                }
            }
        }

        Stats merge(Stats other) {
            for (int c = 0; c < decays.length; c++) {
                for (int i = 0; i <= groups; i++) {
                    for (int j = 0; j <= groups; j++) {
                        xtx[c][i][j] += other.xtx[c][i][j];
                    }
                    xty[c][i] += other.xty[c][i];
                }
                yty[c] += other.yty[c];
            }
            personDays += other.personDays;
            orderCount += other.orderCount;
            return this;
        }
    }

    /**
     * @param effects   per group: added orders per person-day and unit of stock (0: none)
     * @param decay     the chosen carry-over
     * @param intercept orders per person-day without exposure
     * @param rss       squared error of the chosen fit, per person-day
     * @param priors    per group calibrated by lift tests: the prior mean of its effect at the chosen decay
     */
    record Fit(Map<String, Double> effects, double decay, double intercept, double rss, long personDays,
               double orders, Map<String, Double> priors) {}

    /**
     * A lift test of one group as a prior of its effect: the test arm's incremental orders per weighted touch of the
     * group within the test's days, and its standard error.
     */
    record LiftTest(String group, double ordersPerTouch, double standardError, int days) implements Serializable {

        /**
         * From a test's counts. The incremental orders of the test arm are {@code C_t - N_t C_c / N_c}, with the
         * Poisson variance {@code C_t + (N_t / N_c)^2 C_c} (a count of 0 taken as 1); per weighted touch of the test
         * arm. {@code touchesPerStockTouch} >= 1 scales to the touches that carry stock: touches of a purchase
         * session are taken to add nothing (the model's assumption), so the lift is all the other touches'.
         */
        static LiftTest of(Experiments.Test test, double weightedTouches, double touchesPerStockTouch) {
            double perTouch = touchesPerStockTouch / weightedTouches;
            return new LiftTest(test.group(), test.incrementalConversions() * perTouch,
                    test.standardError() * perTouch, test.days());
        }

        /**
         * Orders one unit of stock-carrying exposure adds within a test of {@code days} days, in units of the effect:
         * a touch on day u of the test adds {@code effect x (1 + decay + ... + decay^(days-1-u))}; averaged over
         * touches spread evenly over the days, {@code (days - decay (1 - decay^days) / (1 - decay)) / (days (1 - decay))}.
         */
        static double capture(double decay, int days) {
            if (decay == 0) {
                return 1.0;
            }
            return (days - decay * (1 - Math.pow(decay, days)) / (1 - decay)) / (days * (1 - decay));
        }
    }

    /** The non-negative least-squares fit of every candidate decay; the one with the least squared error. */
    static Fit solve(Stats stats, List<String> groups) {
        return solve(stats, groups, List.of());
    }

    /**
     * As {@link #solve(Stats, List)}, with lift tests as Gaussian priors on their groups' effects: at each candidate
     * decay a test says the effect is {@code ordersPerTouch / capture} with standard error
     * {@code standardError / capture}; with the residual variance {@code s2} of the unconstrained-by-tests fit, the
     * posterior mode minimises {@code |y - X b|^2 + sum over tests s2 (b_g - mean)^2 / se^2}, a ridge towards the
     * test. The decay is chosen by that same penalised error. Tests of groups not in the data are left out.
     */
    static Fit solve(Stats stats, List<String> groups, List<LiftTest> tests) {
        Fit best = null;
        double bestObjective = Double.POSITIVE_INFINITY;
        for (int c = 0; c < stats.decays.length; c++) {
            double[] beta = nonNegativeLeastSquares(stats.xtx[c], stats.xty[c]);
            double[][] a = stats.xtx[c];
            double[] b = stats.xty[c];
            List<double[]> penalties = new ArrayList<>();   // {group index, lambda, mean} per test used
            if (!tests.isEmpty()) {
                double s2 = Math.max(squaredError(stats, c, beta) / Math.max(1, stats.personDays), 1e-12);
                a = new double[b.length][];
                for (int i = 0; i < b.length; i++) {
                    a[i] = stats.xtx[c][i].clone();
                }
                b = stats.xty[c].clone();
                for (LiftTest test : tests) {
                    int g = groups.indexOf(test.group());
                    if (g < 0) {
                        continue;
                    }
                    double capture = LiftTest.capture(stats.decays[c], test.days());
                    double mean = test.ordersPerTouch() / capture;
                    double se = Math.max(test.standardError() / capture, 1e-12);
                    double lambda = s2 / (se * se);
                    a[g + 1][g + 1] += lambda;
                    b[g + 1] += lambda * mean;
                    penalties.add(new double[] {g, lambda, mean});
                }
                beta = nonNegativeLeastSquares(a, b);
            }
            double rss = squaredError(stats, c, beta);
            double objective = rss;
            Map<String, double[]> precisionAndSum = new TreeMap<>();   // per group: sum of lambda, of lambda x mean
            for (double[] p : penalties) {
                double off = beta[(int) p[0] + 1] - p[2];
                objective += p[1] * off * off;
                double[] ps = precisionAndSum.computeIfAbsent(groups.get((int) p[0]), g -> new double[2]);
                ps[0] += p[1];
                ps[1] += p[1] * p[2];
            }
            Map<String, Double> priors = new TreeMap<>();   // the tests' precision-weighted mean per group
            precisionAndSum.forEach((g, ps) -> priors.put(g, ps[1] / ps[0]));
            if (best == null || objective < bestObjective - 1e-15) {
                Map<String, Double> effects = new TreeMap<>();
                for (int g = 0; g < groups.size(); g++) {
                    effects.put(groups.get(g), beta[g + 1]);
                }
                bestObjective = objective;
                best = new Fit(effects, stats.decays[c], beta[0], stats.personDays > 0 ? rss / stats.personDays : 0.0,
                        stats.personDays, stats.orderCount, priors);
            }
        }
        return best;
    }

    /** |y - X b|^2 from the statistics of candidate c. */
    private static double squaredError(Stats stats, int c, double[] beta) {
        double rss = stats.yty[c];
        for (int i = 0; i < beta.length; i++) {
            rss -= 2 * beta[i] * stats.xty[c][i];
            for (int j = 0; j < beta.length; j++) {
                rss += beta[i] * stats.xtx[c][i][j] * beta[j];
            }
        }
        return rss;
    }

    /**
     * min |y - X b|^2 over b with b[0] (the intercept) free and b[1..] >= 0, from X'X and X'y: cyclic coordinate
     * descent on the convex quadratic (each step the exact minimum along one coordinate, clipped at 0), which
     * converges to the constrained minimum. A group never seen (X'X diagonal 0) stays 0.
     */
    static double[] nonNegativeLeastSquares(double[][] a, double[] b) {
        int p = b.length;
        double[] beta = new double[p];
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            double change = 0;
            for (int i = 0; i < p; i++) {
                if (a[i][i] <= 0) {
                    continue;
                }
                double r = b[i];
                for (int j = 0; j < p; j++) {
                    if (j != i) {
                        r -= a[i][j] * beta[j];
                    }
                }
                double next = r / a[i][i];
                if (i > 0 && next < 0) {
                    next = 0;
                }
                change = Math.max(change, Math.abs(next - beta[i]) * Math.sqrt(a[i][i]));
                beta[i] = next;
            }
            if (change < TOLERANCE * Math.max(1.0, Math.sqrt(a[0][0]))) {
                break;
            }
        }
        return beta;
    }

    /** The group names in index order, for a sorted set of names. */
    static List<String> indexOf(java.util.Collection<String> names) {
        return new ArrayList<>(new java.util.TreeSet<>(names));
    }
}
