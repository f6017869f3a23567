package com.partnermix.mmm;

/**
 * The media transforms of the media mix model, as plain functions over one daily series.
 *
 * <p>Geometric adstock carries part of a day's activity over to the next days (people remember an
 * ad): {@code x'_t = x_t + theta * x'_{t-1}}, {@code x'_{-1} = 0}. Hill saturation gives
 * diminishing returns: {@code h(x) = x^a / (x^a + g^a)}, 0 at no activity, 1/2 at {@code x = g},
 * approaching 1; {@code a} shapes the curve (a > 1: S-shaped), {@code g} is the half-saturation
 * point, set relative to the channel's range ({@link #halfSaturation}).
 */
public final class Transforms {

    private Transforms() {}

    /** Geometric adstock of {@code x} with carry-over {@code theta} in [0, 1). */
    public static double[] adstock(double[] x, double theta) {
        if (theta < 0 || theta >= 1) {
            throw new IllegalArgumentException("adstock theta must be in [0, 1), got " + theta);
        }
        double[] out = new double[x.length];
        double carry = 0;
        for (int t = 0; t < x.length; t++) {
            carry = x[t] + theta * carry;
            out[t] = carry;
        }
        return out;
    }

    /** Hill saturation {@code x^a / (x^a + g^a)} of one value; 0 for x <= 0 or g <= 0 with x = 0. */
    public static double hill(double x, double shape, double halfSaturation) {
        if (x <= 0) {
            return 0;
        }
        if (halfSaturation <= 0) {
            return 1;
        }
        // x^a / (x^a + g^a) = 1 / (1 + (g/x)^a): no overflow for large x
        return 1.0 / (1.0 + Math.pow(halfSaturation / x, shape));
    }

    /** Hill saturation of every value. */
    public static double[] hill(double[] x, double shape, double halfSaturation) {
        double[] out = new double[x.length];
        for (int t = 0; t < x.length; t++) {
            out[t] = hill(x[t], shape, halfSaturation);
        }
        return out;
    }

    /**
     * Slope of the Hill curve, {@code a x^(a-1) g^a / (x^a + g^a)^2}: what one more unit of
     * (adstocked) activity adds at level x. At x = 0 it is 0 for a > 1, 1/g for a = 1 and
     * unbounded for a < 1 (returned as positive infinity).
     */
    public static double hillSlope(double x, double shape, double halfSaturation) {
        if (halfSaturation <= 0) {
            return 0;
        }
        if (x <= 0) {
            return shape > 1 ? 0 : shape == 1 ? 1.0 / halfSaturation : Double.POSITIVE_INFINITY;
        }
        double r = Math.pow(halfSaturation / x, shape);   // (g/x)^a
        // a x^(a-1) g^a / (x^a+g^a)^2 = (a/x) * r / (1+r)^2
        return shape / x * r / ((1 + r) * (1 + r));
    }

    /**
     * The half-saturation point in activity units: {@code relative} times the channel's range
     * (max - min of its adstocked series over every region and day). A channel without activity
     * has range 0 and so g = 0 (its feature is then all zeros).
     */
    public static double halfSaturation(double relative, double min, double max) {
        return relative * Math.max(0, max - min);
    }
}
