package com.partnermix.mmm;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Adstock, Hill and the constrained ridge against numbers worked out by hand. */
class MmmTransformsTest {

    @Test
    void adstockCarriesAShareOfYesterdaysStockOver() {
        // theta 0.5: 10, 0 + 5, 0 + 2.5, 4 + 1.25
        assertArrayEquals(new double[] {10, 5, 2.5, 5.25}, Transforms.adstock(new double[] {10, 0, 0, 4}, 0.5), 1e-12);
        // theta 0: no memory
        assertArrayEquals(new double[] {3, 0, 7}, Transforms.adstock(new double[] {3, 0, 7}, 0.0), 1e-12);
        // theta 0.8 on a constant 1 approaches 1 / (1 - 0.8) = 5: 1, 1.8, 2.44
        assertArrayEquals(new double[] {1, 1.8, 2.44}, Transforms.adstock(new double[] {1, 1, 1}, 0.8), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> Transforms.adstock(new double[] {1}, 1.0));
    }

    @Test
    void hillIsHalfAtTheHalfSaturationPointAndZeroWithoutActivity() {
        assertEquals(0.5, Transforms.hill(3, 2.0, 3), 1e-12);
        assertEquals(0.8, Transforms.hill(2, 2.0, 1), 1e-12);            // 4 / (4 + 1)
        assertEquals(0.25, Transforms.hill(1, 1.0, 3), 1e-12);           // 1 / (1 + 3)
        assertEquals(1.0 / 9, Transforms.hill(1, 3.0, 2), 1e-12);        // 1 / (1 + 8)
        assertEquals(0.0, Transforms.hill(0, 0.7, 2), 0);
        assertEquals(0.0, Transforms.hill(0, 2.0, 0), 0);                // a channel without range stays at 0
        assertArrayEquals(new double[] {0, 0.2, 0.5}, Transforms.hill(new double[] {0, 1, 4}, 1.0, 4), 1e-12);
    }

    @Test
    void hillSlopeMatchesTheDerivative() {
        // a x^(a-1) g^a / (x^a + g^a)^2 at a 2, g 1, x 1: 2 * 1 * 1 / 4
        assertEquals(0.5, Transforms.hillSlope(1, 2.0, 1), 1e-12);
        // a 1, g 3, x 1: 3 / 16
        assertEquals(3.0 / 16, Transforms.hillSlope(1, 1.0, 3), 1e-12);
        double h = 1e-6;
        assertEquals((Transforms.hill(2.5 + h, 1.7, 1.3) - Transforms.hill(2.5 - h, 1.7, 1.3)) / (2 * h),
                Transforms.hillSlope(2.5, 1.7, 1.3), 1e-8);
        assertEquals(0.0, Transforms.hillSlope(0, 2.0, 1), 0);
        assertEquals(Double.POSITIVE_INFINITY, Transforms.hillSlope(0, 0.5, 1), 0);
    }

    @Test
    void halfSaturationIsRelativeToTheChannelsRange() {
        assertEquals(10.0, Transforms.halfSaturation(0.5, 0, 20), 1e-12);
        assertEquals(15.0, Transforms.halfSaturation(1.5, 10, 20), 1e-12);
        assertEquals(0.0, Transforms.halfSaturation(1.5, 0, 0), 0);
    }

    private static final double[][] LINE = {{1, 0}, {1, 1}, {1, 2}, {1, 3}};

    private static double[] ridge(double[][] x, double[] y, double lambda, boolean[] nonNegative) {
        boolean[] penalised = {false, true};
        return Ridge.solve(Ridge.gram(x, null), Ridge.xty(x, y, null), lambda, penalised, nonNegative);
    }

    @Test
    void ridgeWithoutPenaltyIsLeastSquares() {
        // y = 1 + 2x exactly
        assertArrayEquals(new double[] {1, 2}, ridge(LINE, new double[] {1, 3, 5, 7}, 0, new boolean[] {false, true}),
                1e-10);
    }

    @Test
    void ridgePenaltyShrinksTheSlopeButNotTheIntercept() {
        // normal equations / n: [[1, 1.5], [1.5, 3.5 + 0.5]] b = [4, 8.5]; det 1.75
        // b0 = (4 * 4 - 1.5 * 8.5) / 1.75 = 13/7, b1 = (8.5 - 1.5 * 4) / 1.75 = 10/7
        assertArrayEquals(new double[] {13.0 / 7, 10.0 / 7},
                ridge(LINE, new double[] {1, 3, 5, 7}, 0.5, new boolean[] {false, true}), 1e-10);
    }

    @Test
    void aMediaCoefficientThatWouldBeNegativeIsZeroAndTheInterceptTakesTheMean() {
        // y = 3 - x: least squares slope -1; with slope >= 0 the best is slope 0, intercept mean(y) = 1.5
        assertArrayEquals(new double[] {1.5, 0}, ridge(LINE, new double[] {3, 2, 1, 0}, 0, new boolean[] {false, true}),
                1e-10);
        // unconstrained the same data gives the negative slope back
        assertArrayEquals(new double[] {3, -1}, ridge(LINE, new double[] {3, 2, 1, 0}, 0, new boolean[] {false, false}),
                1e-10);
    }

    @Test
    void nonNegativeFitKeepsThePositiveChannelAndDropsTheNegativeOne() {
        // columns: intercept, m1, m2; y = 2 + 3 m1 - 1 m2 (m2 would need a negative coefficient)
        double[][] x = {{1, 0, 0}, {1, 1, 0}, {1, 0, 1}, {1, 1, 1}, {1, 2, 0}, {1, 0, 2}};
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = 2 + 3 * x[i][1] - x[i][2];
        }
        double[] b = Ridge.solve(Ridge.gram(x, null), Ridge.xty(x, y, null), 0, new boolean[] {false, true, true},
                new boolean[] {false, true, true});
        assertEquals(0.0, b[2], 0);
        // with m2 out, least squares of y on (1, m1): check against the 2 x 2 normal equations
        double[][] g = Ridge.gram(new double[][] {{1, 0}, {1, 1}, {1, 0}, {1, 1}, {1, 2}, {1, 0}}, null);
        double[] c = Ridge.xty(new double[][] {{1, 0}, {1, 1}, {1, 0}, {1, 1}, {1, 2}, {1, 0}}, y, null);
        double det = g[0][0] * g[1][1] - g[0][1] * g[1][0];
        assertEquals((g[1][1] * c[0] - g[0][1] * c[1]) / det, b[0], 1e-10);
        assertEquals((g[0][0] * c[1] - g[1][0] * c[0]) / det, b[1], 1e-10);
    }

    @Test
    void decompositionGivesEachChannelItsCoefficientTimesTransformedActivityAndMarginalRoiByHand() {
        Panel p = new Panel(java.time.LocalDate.parse("2026-11-02"), 3, new String[] {"NA"}, new String[] {"display"});
        p.activity[0][0] = new double[] {10, 0, 10};
        p.cost[0][0] = new double[] {20, 0, 40};
        MmmSpec spec = new MmmSpec(0, 1, new double[] {0, 0.9}, new double[] {0.5, 3}, new double[] {0.1, 3}, 1,
                new long[0], 0);
        MediaMixModel.Candidate c = new MediaMixModel.Candidate(0, new double[] {0.5}, new double[] {1.0},
                new double[] {1.0});
        double[] orders = new double[12];
        double[] revenue = new double[12];
        orders[0] = 3;          // intercept:NA
        revenue[0] = 150;
        orders[11] = 2;         // display
        revenue[11] = 100;
        MediaMixModel.Fit fit = new MediaMixModel.Fit(c, orders, revenue, 0, 0, 0, 1, 1, 3, 0);
        Decomposition d = Decomposition.of(p, fit, spec);
        // adstock 10, 5, 12.5; g = 1 x (12.5 - 5) = 7.5; hill(a = 1) = 10/17.5, 5/12.5, 12.5/20
        assertArrayEquals(new double[] {2 * 10 / 17.5, 2 * 0.4, 2 * 0.625}, d.incrementalOrders[0][0], 1e-12);
        assertArrayEquals(new double[] {100 * 10 / 17.5, 40, 62.5}, d.incrementalRevenue[0][0], 1e-12);
        assertArrayEquals(new double[] {3, 3, 3}, d.baselineOrders[0], 1e-12);
        // mROI = 100 x g / (x + g)^2 / (1 - theta) x activity / cost; no cost on day 2: none
        assertEquals(100 * 7.5 / (17.5 * 17.5) / 0.5 * 10 / 20, d.marginalRoi[0][0][0], 1e-12);
        assertEquals(null, d.marginalRoi[0][0][1]);
        assertEquals(100 * 7.5 / (20.0 * 20.0) / 0.5 * 10 / 40, d.marginalRoi[0][0][2], 1e-12);
        // shares of the fitted orders: media 3.19.. of 9 + 3.19..
        double media = 2 * (10 / 17.5 + 0.4 + 0.625);
        assertEquals(media / (9 + media), d.orderShare(0), 1e-12);
    }

    @Test
    void aLiftTestPullsItsChannelsContributionOverTheTestDaysToTheTestAndAVagueOneLeavesTheFit() {
        // 8 weeks of one region; display on every other day, orders that do not follow it (20 or 21, a 3-day cycle)
        int days = 56;
        Panel p = new Panel(java.time.LocalDate.parse("2026-09-07"), days, new String[] {"NA"},
                new String[] {"display"});
        for (int t = 0; t < days; t++) {
            p.activity[0][0][t] = t % 2 == 0 ? 10 : 0;
            p.orders[0][t] = t % 3 == 0 ? 21 : 20;
            p.revenue[0][t] = 50 * p.orders[0][t];
        }
        MmmSpec spec = new MmmSpec(1e-4, 14, new double[] {0, 0.9}, new double[] {0.5, 3}, new double[] {0.1, 3}, 1,
                new long[0], 0);
        // theta 0, a 1, g = 1 x range 10: hill is 0.5 on a display day, 0 otherwise; days 28..55 hold 14 x 0.5 = 7
        MediaMixModel.Candidate c = new MediaMixModel.Candidate(0, new double[] {0}, new double[] {1.0},
                new double[] {1.0});
        int display = MediaMixModel.controlNames(p).size();
        double untested = MediaMixModel.fit(p, c, spec, false).ordersCoef()[display];

        p.liftTests.add(new Panel.LiftTest("sure", 0, 28, 55, 35, 0.001));
        MediaMixModel.Fit sure = MediaMixModel.fit(p, c, spec, false);
        assertEquals(35, sure.ordersCoef()[display] * 7, 0.01);               // the test's 35 orders over its days
        assertEquals(35 * 50, sure.revenueCoef()[display] * 7, 0.5);          // at the window's 50 per order

        p.liftTests.set(0, new Panel.LiftTest("vague", 0, 28, 55, 35, 1e9));
        assertEquals(untested, MediaMixModel.fit(p, c, spec, false).ordersCoef()[display], 1e-6);
    }
}
