package com.partnermix.attribution;

import com.partnermix.common.Experiments;
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

    /** A 14-day lift test of coupon with these arms (its touches are given to {@code LiftTest.of} as a number). */
    private static Experiments.Test couponTest(long testPersons, long testConversions, long controlPersons,
                                               long controlConversions) {
        java.time.LocalDate start = java.time.LocalDate.parse("2026-11-01");
        return new Experiments.Test("lift-coupon", "coupon", start, start.plusDays(13), testPersons, testConversions,
                controlPersons, controlConversions, 0, 0);
    }

    /**
     * Arms of 1,000 persons, 60 test and 40 control conversions, 400 weighted test touches: 20 incremental orders,
     * 0.05 per touch; Poisson variance 60 + 40 = 100, so 10 / 400 = 0.025. When half the group's touches sit in
     * purchase sessions (which add nothing), the touches that carry stock added twice as much: 0.1 and 0.05.
     */
    @Test
    void aLiftTestGivesTheIncrementalOrdersPerTouchAndItsStandardError() {
        IncrementalHazard.LiftTest test = IncrementalHazard.LiftTest.of(couponTest(1000, 60, 1000, 40), 400, 1.0);
        assertEquals(0.05, test.ordersPerTouch(), 1e-15);
        assertEquals(0.025, test.standardError(), 1e-15);
        IncrementalHazard.LiftTest halfInPurchases = IncrementalHazard.LiftTest.of(couponTest(1000, 60, 1000, 40),
                400, 2.0);
        assertEquals(0.1, halfInPurchases.ordersPerTouch(), 1e-15);
        assertEquals(0.05, halfInPurchases.standardError(), 1e-15);
        // unequal arms: 2,000 test persons, 50 control conversions of 1,000: 120 - 2 x 50 = 20; 120 + 4 x 50 = 320
        IncrementalHazard.LiftTest unequal = IncrementalHazard.LiftTest.of(couponTest(2000, 120, 1000, 50), 100, 1.0);
        assertEquals(0.2, unequal.ordersPerTouch(), 1e-15);
        assertEquals(Math.sqrt(320) / 100, unequal.standardError(), 1e-15);
    }

    /**
     * Decay 0.5 over a 2-day test: a touch on day 0 adds 1 + 0.5, one on day 1 adds 1; evenly spread, 1.25 effects.
     * Without carry-over a touch adds one effect, whatever the length.
     */
    @Test
    void aTouchInsideATestAddsItsDecayedEffectUntilTheTestEnds() {
        assertEquals(1.25, IncrementalHazard.LiftTest.capture(0.5, 2), 1e-15);
        assertEquals(1.0, IncrementalHazard.LiftTest.capture(0.0, 30), 1e-15);
        // day 0 of 3: 1 + 0.5 + 0.25, day 1: 1.5, day 2: 1; mean 4.25 / 3
        assertEquals(4.25 / 3, IncrementalHazard.LiftTest.capture(0.5, 3), 1e-15);
    }

    /**
     * Person-days (x, y) = (0,0), (0,1), (1,1), (1,1), no carry-over: least squares gives intercept 0.5 and effect 0.5,
     * squared error 0.5, so 0.125 per person-day. A lift test of the group says 0.1 +- 0.25 per touch: lambda =
     * 0.125 / 0.0625 = 2, and the normal equations [[4, 2], [2, 4]] b = [3, 2 + 2 x 0.1] give effect 0.7 / 3 and
     * intercept 1.9 / 3. A test of a group the data does not have changes nothing.
     */
    @Test
    void aLiftTestPullsTheGroupsEffectTowardsItsMeasureByItsPrecision() {
        IncrementalHazard.Stats stats = new IncrementalHazard.Stats(1, new double[] {0.0});
        stats.xtx[0][0] = new double[] {4, 2};
        stats.xtx[0][1] = new double[] {2, 2};
        stats.xty[0] = new double[] {3, 2};
        stats.yty[0] = 3;
        stats.personDays = 4;
        IncrementalHazard.Fit plain = IncrementalHazard.solve(stats, List.of("creator"));
        assertEquals(0.5, plain.effects().get("creator"), 1e-12);
        assertEquals(0.125, plain.rss(), 1e-12);
        assertEquals(java.util.Map.of(), plain.priors());

        IncrementalHazard.Fit tested = IncrementalHazard.solve(stats, List.of("creator"),
                List.of(new IncrementalHazard.LiftTest("creator", 0.1, 0.25, 14)));
        assertEquals(0.7 / 3, tested.effects().get("creator"), 1e-12);
        assertEquals(1.9 / 3, tested.intercept(), 1e-12);
        assertEquals(java.util.Map.of("creator", 0.1), tested.priors());

        IncrementalHazard.Fit elsewhere = IncrementalHazard.solve(stats, List.of("creator"),
                List.of(new IncrementalHazard.LiftTest("coupon", 0.0, 0.001, 14)));
        assertEquals(0.5, elsewhere.effects().get("creator"), 1e-12);
        assertEquals(java.util.Map.of(), elsewhere.priors());
    }
}
