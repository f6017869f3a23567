package com.partnermix.attribution;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class IncrementalHazardTest {

    private static final long HOUR = 3_600_000_000L;
    private static final long DAY = 24 * HOUR;

    private static IncrementalHazard.Touch touch(int day, int hour, int group, double weight) {
        return new IncrementalHazard.Touch(day, day * DAY + hour * HOUR, group, weight);
    }

    private static IncrementalHazard.Order order(int day, int hour) {
        return new IncrementalHazard.Order(day, day * DAY + hour * HOUR);
    }

    /**
     * A click of group 0 on day 0 and an order on day 2 (decay 0.5): rows (x, y) = (1, 0), (0.5, 0), (0.25, 1).
     * X'X = [[3, 1.75], [1.75, 1.3125]], X'y = [1, 0.25], y'y = 1.
     */
    @Test
    void aPersonsDaysCarryTheDecayedStockOfEarlierTouches() {
        IncrementalHazard.Stats stats = new IncrementalHazard.Stats(1, new double[] {0.5});
        stats.addPerson(List.of(touch(0, 10, 0, 1.0)), List.of(order(2, 12)), 3);
        assertArrayEquals(new double[] {3, 1.75}, stats.xtx[0][0], 1e-15);
        assertArrayEquals(new double[] {1.75, 1.3125}, stats.xtx[0][1], 1e-15);
        assertArrayEquals(new double[] {1, 0.25}, stats.xty[0], 1e-15);
        assertEquals(1.0, stats.yty[0]);
        assertEquals(3, stats.personDays);
        assertEquals(1.0, stats.orderCount);
    }

    /**
     * The order at 09:00 comes before the 10:00 impression (0.3): day 0 is (0, 1), day 1 (0.15, 0). Days before the
     * first touch are not the person's (a person first seen buying says nothing); a touch before the window carries
     * in decayed: a click two days before it is 0.25 on day 0.
     */
    @Test
    void aTouchAfterTheDaysOrderCountsFromTheNextDayOnAndEarlierTouchesCarryIn() {
        IncrementalHazard.Stats stats = new IncrementalHazard.Stats(1, new double[] {0.5});
        stats.addPerson(List.of(touch(0, 10, 0, 0.3)), List.of(order(0, 9)), 2);
        assertArrayEquals(new double[] {2, 0.15}, stats.xtx[0][0], 1e-15);
        assertArrayEquals(new double[] {1, 0}, stats.xty[0], 1e-15);

        IncrementalHazard.Stats late = new IncrementalHazard.Stats(1, new double[] {0.5});
        late.addPerson(List.of(touch(3, 10, 0, 1.0)), List.of(order(1, 9)), 5);
        assertEquals(2, late.personDays, "days 3 and 4 only");
        assertEquals(0.0, late.orderCount, "the day-1 order is before the person's first touch");

        IncrementalHazard.Stats carried = new IncrementalHazard.Stats(1, new double[] {0.5});
        carried.addPerson(List.of(touch(-2, 10, 0, 1.0)), List.of(), 1);
        assertArrayEquals(new double[] {1, 0.25}, carried.xtx[0][0], 1e-15);
    }

    /** Rows (A, B, y): (0,0,1), (0,1,0), (0,2,0): least squares wants a negative B; non-negative: B 0, mean 1/3. */
    @Test
    void aGroupWhoseExposureAddsNoOrdersGetsZeroNotANegativeEffect() {
        double[][] xtx = {{3, 0, 3}, {0, 0, 0}, {3, 0, 5}};
        double[] xty = {1, 0, 0};
        double[] beta = IncrementalHazard.nonNegativeLeastSquares(xtx, xty);
        assertArrayEquals(new double[] {1.0 / 3, 0, 0}, beta, 1e-12);
        // y = 0.01 + 0.02 A exactly over rows (A, B) = (0,1), (1,0), (2,3), (3,1): the exact solution is found
        double[][] rows = {{0, 1}, {1, 0}, {2, 3}, {3, 1}};
        double[][] a = new double[3][3];
        double[] b = new double[3];
        for (double[] r : rows) {
            double[] x = {1, r[0], r[1]};
            double y = 0.01 + 0.02 * r[0];
            for (int i = 0; i < 3; i++) {
                b[i] += x[i] * y;
                for (int j = 0; j < 3; j++) {
                    a[i][j] += x[i] * x[j];
                }
            }
        }
        assertArrayEquals(new double[] {0.01, 0.02, 0}, IncrementalHazard.nonNegativeLeastSquares(a, b), 1e-10);
    }

    /** Adds rows (x, y) of one group to candidate c of the statistics. */
    private static void rows(IncrementalHazard.Stats stats, int c, double[][] rows) {
        for (double[] r : rows) {
            double[] x = {1, r[0]};
            for (int i = 0; i < 2; i++) {
                stats.xty[c][i] += x[i] * r[1];
                for (int j = 0; j < 2; j++) {
                    stats.xtx[c][i][j] += x[i] * x[j];
                }
            }
            stats.yty[c] += r[1] * r[1];
        }
    }

    /**
     * The same 4 person-days under two decays: with 0.2 the stock is (0, 1, 1, 2) against orders (0, 1, 0, 1), with
     * 0.8 it is (0, 1, 0, 1): an exact fit (baseline 0, effect 1). With 0.2: slope 0.5, baseline 0, errors 0, 0.5,
     * -0.5, 0: 0.5 / 4 per person-day.
     */
    @Test
    void theDecayWithTheLeastSquaredErrorIsChosen() {
        IncrementalHazard.Stats stats = new IncrementalHazard.Stats(1, new double[] {0.2, 0.8});
        rows(stats, 0, new double[][] {{0, 0}, {1, 1}, {1, 0}, {2, 1}});
        rows(stats, 1, new double[][] {{0, 0}, {1, 1}, {0, 0}, {1, 1}});
        stats.personDays = 4;
        IncrementalHazard.Fit fit = IncrementalHazard.solve(stats, List.of("email"));
        assertEquals(0.8, fit.decay());
        assertEquals(1.0, fit.effects().get("email"), 1e-9);
        assertEquals(0.0, fit.intercept(), 1e-9);
        assertEquals(0.0, fit.rss(), 1e-12);

        IncrementalHazard.Stats only = new IncrementalHazard.Stats(1, new double[] {0.2});
        rows(only, 0, new double[][] {{0, 0}, {1, 1}, {1, 0}, {2, 1}});
        only.personDays = 4;
        IncrementalHazard.Fit first = IncrementalHazard.solve(only, List.of("email"));
        assertEquals(0.5, first.effects().get("email"), 1e-9);
        assertEquals(0.0, first.intercept(), 1e-9);
        assertEquals(0.125, first.rss(), 1e-12);
    }
}
