package com.partnermix.mmm;

import java.io.Serializable;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The regression of the media mix model on a {@link Panel}, for one candidate set of transform
 * parameters. One observation per region and day:
 * <pre>
 * y[r,t] = intercept[r] + dow[t] + trend * t/(T-1) + season (sin, cos of the day of year)
 *        + holiday * exp(-(days to the nearest configured holiday / width)^2)
 *        + sum_k beta_k * hill(adstock(x_k[r,.], theta_k)[t], a_k, g_k),   beta_k >= 0
 * </pre>
 * fitted by ridge ({@link Ridge}) on y scaled to mean 1, with orders as the target the candidates
 * are scored on, and the same design refitted on revenue. Adstock runs along each region's own
 * days; g is relative to the channel's range over all regions and days.
 */
public final class MediaMixModel {

    private MediaMixModel() {}

    static final String[] DOW = {"dow_tue", "dow_wed", "dow_thu", "dow_fri", "dow_sat", "dow_sun"};

    /** One candidate: a (theta, a, g relative) triple per channel. */
    public record Candidate(int index, double[] theta, double[] shape, double[] halfSaturation) implements Serializable {}

    /** Per-channel parameters drawn uniformly from the search ranges; the same (seed, index) gives the same draw. */
    public static Candidate draw(int index, int channels, MmmSpec spec) {
        SplittableRandom rng = new SplittableRandom(spec.seed() * 1_000_003L + index);
        double[] theta = new double[channels];
        double[] shape = new double[channels];
        double[] g = new double[channels];
        for (int k = 0; k < channels; k++) {
            theta[k] = uniform(rng, spec.theta());
            shape[k] = uniform(rng, spec.hillShape());
            g[k] = uniform(rng, spec.hillHalfSaturation());
        }
        return new Candidate(index, theta, shape, g);
    }

    private static double uniform(SplittableRandom rng, double[] range) {
        return range[0] + (range[1] - range[0]) * rng.nextDouble();
    }

    /** Names of the control terms (region intercepts first), in design-column order before the channels. */
    public static List<String> controlNames(Panel p) {
        List<String> names = new ArrayList<>();
        for (String r : p.regions) {
            names.add("intercept:" + r);
        }
        names.addAll(List.of(DOW));
        names.addAll(List.of("trend", "season_sin", "season_cos", "holiday"));
        return names;
    }

    /** Fitted parameters: the regression coefficients per control and channel, plus the 3 transform parameters per channel. */
    public static int parameters(Panel p) {
        return controlNames(p).size() + 4 * p.channels.length;
    }

    /** The design matrix of a candidate: rows region-major (i = r * days + t), controls then channels. */
    public static final class Design {
        public final double[][] x;
        /** Adstocked activity [channel][region][day] and the absolute half-saturation per channel. */
        public final double[][][] adstocked;
        public final double[] halfSaturation;
        public final int controls;

        Design(double[][] x, double[][][] adstocked, double[] halfSaturation, int controls) {
            this.x = x;
            this.adstocked = adstocked;
            this.halfSaturation = halfSaturation;
            this.controls = controls;
        }
    }

    public static Design design(Panel p, Candidate c, MmmSpec spec) {
        int nc = controlNames(p).size();
        int channels = p.channels.length;
        int regions = p.regions.length;
        int n = regions * p.days;
        double[][] x = new double[n][nc + channels];
        for (int r = 0; r < regions; r++) {
            for (int t = 0; t < p.days; t++) {
                double[] row = x[r * p.days + t];
                java.time.LocalDate date = p.date(t);
                row[r] = 1;
                DayOfWeek dow = date.getDayOfWeek();
                if (dow != DayOfWeek.MONDAY) {
                    row[regions + dow.getValue() - 2] = 1;
                }
                row[regions + 6] = p.days > 1 ? t / (double) (p.days - 1) : 0;
                double angle = 2 * Math.PI * date.getDayOfYear() / 365.25;
                row[regions + 7] = Math.sin(angle);
                row[regions + 8] = Math.cos(angle);
                row[regions + 9] = spec.holiday(date);
            }
        }
        double[][][] ad = new double[channels][regions][];
        double[] g = new double[channels];
        for (int k = 0; k < channels; k++) {
            double min = Double.POSITIVE_INFINITY;
            double max = 0;
            for (int r = 0; r < regions; r++) {
                ad[k][r] = Transforms.adstock(p.activity[k][r], c.theta()[k]);
                for (double v : ad[k][r]) {
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                }
            }
            g[k] = Transforms.halfSaturation(c.halfSaturation()[k], Math.min(min, max), max);
            for (int r = 0; r < regions; r++) {
                for (int t = 0; t < p.days; t++) {
                    x[r * p.days + t][nc + k] = Transforms.hill(ad[k][r][t], c.shape()[k], g[k]);
                }
            }
        }
        return new Design(x, ad, g, nc);
    }

    /** Coefficients in target units (orders, revenue) and the fit's quality. */
    public record Fit(Candidate candidate, double[] ordersCoef, double[] revenueCoef, double holdoutRmse,
                      double holdoutMape, double holdoutR2, double trainR2, double revenueR2, int trainRows,
                      int holdoutRows) implements Serializable {}

    /**
     * Fits a candidate. With {@code holdout}, the coefficients come from the days before the
     * window's last {@code holdoutDays} and the error is measured on those last days; without it,
     * every day is used and the hold-out fields are NaN.
     */
    public static Fit fit(Panel p, Candidate c, MmmSpec spec, boolean holdout) {
        Design d = design(p, c, spec);
        int n = d.x.length;
        boolean[] train = new boolean[n];
        int cut = holdout ? p.days - spec.holdoutDays() : p.days;
        if (holdout && (spec.holdoutDays() < 1 || cut < 2)) {
            throw new IllegalArgumentException("mmm.holdout_days must leave training days in the window");
        }
        int trainRows = 0;
        for (int i = 0; i < n; i++) {
            train[i] = i % p.days < cut;
            trainRows += train[i] ? 1 : 0;
        }
        double[] orders = flatten(p.orders);
        double[] revenue = flatten(p.revenue);
        double[] ordersCoef = solve(d, p, p.orders, train, trainRows, spec);
        double[] revenueCoef = solve(d, p, p.revenue, train, trainRows, spec);
        double[] fitted = predict(d.x, ordersCoef);
        double holdoutRmse = Double.NaN;
        double holdoutMape = Double.NaN;
        double holdoutR2 = Double.NaN;
        if (holdout) {
            boolean[] test = new boolean[n];
            for (int i = 0; i < n; i++) {
                test[i] = !train[i];
            }
            holdoutRmse = rmse(orders, fitted, test);
            holdoutMape = mape(orders, fitted, test);
            holdoutR2 = r2(orders, fitted, test);
        }
        return new Fit(c, ordersCoef, revenueCoef, holdoutRmse, holdoutMape, holdoutR2, r2(orders, fitted, train),
                r2(revenue, predict(d.x, revenueCoef), train), trainRows, n - trainRows);
    }

    /**
     * Ridge on the target scaled to mean 1, media coefficients non-negative. The panel's lift tests are Gaussian
     * priors on their channels' coefficients: a test says the channel's contribution over the test's days, beta x
     * (its design column summed over those days and every region), is the test's incremental orders (times the
     * window's revenue per order for revenue); with the residual variance {@code s2} of the fit without tests, the
     * solution minimises {@code |y - X b|^2 + lambda |b|^2 + sum over tests s2 (b_k - mean)^2 / se^2}.
     */
    private static double[] solve(Design d, Panel p, double[][] target, boolean[] use, int rows, MmmSpec spec) {
        double[] y = flatten(target);
        double mean = mean(y, use);
        double scale = mean > 0 ? mean : 1;   // NaN (no row used) is not > 0
        double[] scaled = new double[y.length];
        for (int i = 0; i < y.length; i++) {
            scaled[i] = y[i] / scale;
        }
        int cols = d.x[0].length;
        boolean[] penalised = new boolean[cols];
        boolean[] nonNegative = new boolean[cols];
        int regions = d.controls - 10;
        for (int j = regions; j < cols; j++) {
            penalised[j] = true;
            nonNegative[j] = j >= d.controls;
        }
        double[][] gram = Ridge.gram(d.x, use);
        double[] xty = Ridge.xty(d.x, scaled, use);
        double[] b = Ridge.solve(gram, xty, spec.ridgeLambda(), penalised, nonNegative);
        if (!p.liftTests.isEmpty()) {
            // the residual variance per row, over the rows left after the coefficients
            double rmse = rmse(scaled, predict(d.x, b), use);
            double s2 = rmse * rmse * rows / Math.max(1, rows - cols);
            for (Panel.LiftTest test : p.liftTests) {
                int j = d.controls + test.channel();
                double exposure = 0;
                double windowTarget = 0;
                double windowOrders = 0;
                for (int r = 0; r < p.regions.length; r++) {
                    for (int t = test.firstDay(); t <= test.lastDay(); t++) {
                        exposure += d.x[r * p.days + t][j];
                        windowTarget += target[r][t];
                        windowOrders += p.orders[r][t];
                    }
                }
                if (exposure <= 0 || windowOrders <= 0) {
                    continue;
                }
                double perOrder = windowTarget / windowOrders / scale;
                double priorMean = test.orders() * perOrder / exposure;
                double priorError = test.standardError() * perOrder / exposure;
                double weight = s2 / (priorError * priorError) / Math.max(1, rows);   // Ridge works per row
                gram[j][j] += weight;
                xty[j] += weight * priorMean;
            }
            b = Ridge.solve(gram, xty, spec.ridgeLambda(), penalised, nonNegative);
        }
        for (int j = 0; j < cols; j++) {
            b[j] *= scale;
        }
        return b;
    }

    static double[] flatten(double[][] byRegion) {
        int days = byRegion.length == 0 ? 0 : byRegion[0].length;
        double[] out = new double[byRegion.length * days];
        for (int r = 0; r < byRegion.length; r++) {
            System.arraycopy(byRegion[r], 0, out, r * days, days);
        }
        return out;
    }

    static double[] predict(double[][] x, double[] b) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            double s = 0;
            for (int j = 0; j < b.length; j++) {
                s += x[i][j] * b[j];
            }
            out[i] = s;
        }
        return out;
    }

    static double rmse(double[] y, double[] f, boolean[] use) {
        double s = 0;
        int n = 0;
        for (int i = 0; i < y.length; i++) {
            if (use[i]) {
                s += (y[i] - f[i]) * (y[i] - f[i]);
                n++;
            }
        }
        return n == 0 ? Double.NaN : Math.sqrt(s / n);
    }

    /** Mean absolute error over the mean actual (a MAPE that days with zero orders cannot blow up). */
    static double mape(double[] y, double[] f, boolean[] use) {
        double err = 0;
        double tot = 0;
        for (int i = 0; i < y.length; i++) {
            if (use[i]) {
                err += Math.abs(y[i] - f[i]);
                tot += Math.abs(y[i]);
            }
        }
        return tot == 0 ? Double.NaN : err / tot;
    }

    /** Mean of the used rows; NaN when none is used. */
    static double mean(double[] y, boolean[] use) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < y.length; i++) {
            if (use[i]) {
                sum += y[i];
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    static double r2(double[] y, double[] f, boolean[] use) {
        double mean = mean(y, use);
        if (Double.isNaN(mean)) {
            return Double.NaN;
        }
        double ssRes = 0;
        double ssTot = 0;
        for (int i = 0; i < y.length; i++) {
            if (use[i]) {
                ssRes += (y[i] - f[i]) * (y[i] - f[i]);
                ssTot += (y[i] - mean) * (y[i] - mean);
            }
        }
        return ssTot == 0 ? Double.NaN : 1 - ssRes / ssTot;
    }
}
