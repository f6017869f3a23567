package com.partnermix.mmm;

import com.partnermix.common.PartnermixConfig;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.List;

/**
 * The fit settings the candidate tasks need (a serialisable copy of the {@code mmm:} section).
 *
 * @param holidayEpochDays  epoch days of the holiday dates
 * @param holidayWindowDays width w of the holiday term exp(-(days to the nearest holiday / w)^2): the ramp
 *                          of demand before and after a shopping peak, not only the day itself
 */
public record MmmSpec(double ridgeLambda, int holdoutDays, double[] theta, double[] hillShape,
                      double[] hillHalfSaturation, long seed, long[] holidayEpochDays, int holidayWindowDays)
        implements Serializable {

    public static MmmSpec of(PartnermixConfig.Mmm m) {
        return new MmmSpec(m.ridgeLambda(), m.holdoutDays(), range("theta", m.search().theta(), 0, 0.999),
                range("hill_shape", m.search().hillShape(), 0.05, 20),
                range("hill_half_saturation", m.search().hillHalfSaturation(), 0.001, 100), m.seed(),
                m.holidays().stream().mapToLong(d -> LocalDate.parse(d).toEpochDay()).toArray(), m.holidayWindowDays());
    }

    private static double[] range(String key, List<Double> values, double lowest, double highest) {
        if (values == null || values.size() != 2 || values.get(0) > values.get(1) || values.get(0) < lowest
                || values.get(1) > highest) {
            throw new IllegalArgumentException("mmm.search." + key + " must be [min, max] within [" + lowest + ", "
                    + highest + "], got " + values);
        }
        return new double[] {values.get(0), values.get(1)};
    }

    /** The holiday term of a day: 1 on a listed date, falling smoothly with the distance to the nearest one. */
    public double holiday(LocalDate date) {
        if (holidayWindowDays <= 0) {
            return 0;
        }
        long day = date.toEpochDay();
        double best = 0;
        for (long h : holidayEpochDays) {
            double z = (day - h) / (double) holidayWindowDays;
            best = Math.max(best, Math.exp(-z * z));
        }
        return best;
    }
}
