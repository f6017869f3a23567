package com.partnermix.mmm;

/**
 * Splits a full-window fit into what each channel adds per region and day (its coefficient times
 * its transformed activity: the orders lost if the channel had been off, the Hill curve being 0 at
 * no activity) and the baseline (intercepts and controls), for orders and revenue; plus ROI and
 * marginal ROI.
 *
 * <p>Marginal ROI of a channel on a day: revenue from one more USD, i.e. the revenue coefficient
 * times the Hill slope at the day's adstocked level, times 1/(1 - theta) for the carry-over of that
 * extra unit into later days (exact when the level stays flat), times the day's activity per USD.
 * Null when the channel had no cost that day or the slope is unbounded (a < 1 at no activity).
 */
public final class Decomposition {

    /** incremental[channel][region][day]; the baseline per [region][day]. */
    public final double[][][] incrementalOrders;
    public final double[][][] incrementalRevenue;
    public final double[][] baselineOrders;
    public final double[][] baselineRevenue;
    public final Double[][][] marginalRoi;

    private Decomposition(int channels, int regions, int days) {
        incrementalOrders = new double[channels][regions][days];
        incrementalRevenue = new double[channels][regions][days];
        baselineOrders = new double[regions][days];
        baselineRevenue = new double[regions][days];
        marginalRoi = new Double[channels][regions][days];
    }

    public static Decomposition of(Panel p, MediaMixModel.Fit fit, MmmSpec spec) {
        MediaMixModel.Design d = MediaMixModel.design(p, fit.candidate(), spec);
        int channels = p.channels.length;
        Decomposition out = new Decomposition(channels, p.regions.length, p.days);
        for (int r = 0; r < p.regions.length; r++) {
            for (int t = 0; t < p.days; t++) {
                double[] row = d.x[r * p.days + t];
                for (int j = 0; j < d.controls; j++) {
                    out.baselineOrders[r][t] += fit.ordersCoef()[j] * row[j];
                    out.baselineRevenue[r][t] += fit.revenueCoef()[j] * row[j];
                }
                for (int k = 0; k < channels; k++) {
                    double feature = row[d.controls + k];
                    out.incrementalOrders[k][r][t] = fit.ordersCoef()[d.controls + k] * feature;
                    out.incrementalRevenue[k][r][t] = fit.revenueCoef()[d.controls + k] * feature;
                    double cost = p.cost[k][r][t];
                    double activity = p.activity[k][r][t];
                    double slope = Transforms.hillSlope(d.adstocked[k][r][t], fit.candidate().shape()[k],
                            d.halfSaturation[k]);
                    if (cost > 0 && activity > 0 && Double.isFinite(slope)) {
                        out.marginalRoi[k][r][t] = fit.revenueCoef()[d.controls + k] * slope
                                / (1 - fit.candidate().theta()[k]) * activity / cost;
                    }
                }
            }
        }
        return out;
    }

    public double totalOrders(int channel) {
        return total(incrementalOrders[channel]);
    }

    public double totalRevenue(int channel) {
        return total(incrementalRevenue[channel]);
    }

    public double totalBaselineOrders() {
        return total(baselineOrders);
    }

    /** A channel's share of all fitted orders (baseline + every channel) over the window. */
    public double orderShare(int channel) {
        double all = totalBaselineOrders();
        for (int k = 0; k < incrementalOrders.length; k++) {
            all += totalOrders(k);
        }
        return all == 0 ? 0 : totalOrders(channel) / all;
    }

    /** Sum of every cell (region x day). */
    static double total(double[][] a) {
        double s = 0;
        for (double[] row : a) {
            for (double v : row) {
                s += v;
            }
        }
        return s;
    }
}
