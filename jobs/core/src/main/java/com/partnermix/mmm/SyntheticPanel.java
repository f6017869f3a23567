package com.partnermix.mmm;

import java.time.LocalDate;
import java.util.SplittableRandom;

/**
 * A synthetic media panel with known transforms, for the benchmark and for tests of the fit
 * machinery at sizes the generator would take long to simulate: per channel and region an activity
 * series (level, random walk, flights and pauses), cost per unit of activity, and orders =
 * region base x weekday factor + sum of beta x hill(adstock(activity)) + noise. Deterministic per seed.
 */
public final class SyntheticPanel {

    private SyntheticPanel() {}

    public static Panel generate(LocalDate last, int days, int regions, int channels, long seed) {
        String[] regionNames = new String[regions];
        for (int r = 0; r < regions; r++) {
            regionNames[r] = "R" + (r + 1);
        }
        String[] channelNames = new String[channels];
        for (int k = 0; k < channels; k++) {
            channelNames[k] = String.format("ch%02d", k + 1);
        }
        Panel p = new Panel(last.minusDays(days - 1L), days, regionNames, channelNames);
        SplittableRandom rng = new SplittableRandom(seed);
        double[] theta = new double[channels];
        double[] beta = new double[channels];
        double[] costPerUnit = new double[channels];
        for (int k = 0; k < channels; k++) {
            theta[k] = 0.1 + 0.7 * rng.nextDouble();
            beta[k] = 2 + 10 * rng.nextDouble();
            costPerUnit[k] = 0.2 + 2 * rng.nextDouble();
        }
        for (int r = 0; r < regions; r++) {
            double size = 0.5 + rng.nextDouble();
            for (int k = 0; k < channels; k++) {
                double walk = 0;
                int pause = 0;
                double level = 50 + 100 * rng.nextDouble();
                for (int t = 0; t < days; t++) {
                    walk = 0.9 * walk + (rng.nextDouble() - 0.5) * 0.4;
                    if (pause > 0) {
                        pause--;
                    } else if (rng.nextDouble() < 0.03) {
                        pause = 2 + rng.nextInt(6);
                    }
                    double a = pause > 0 ? 0 : size * level * Math.exp(walk);
                    p.activity[k][r][t] = a;
                    p.clicks[k][r][t] = Math.round(a);
                    p.cost[k][r][t] = a * costPerUnit[k];
                }
            }
            for (int k = 0; k < channels; k++) {
                double[] ad = Transforms.adstock(p.activity[k][r], theta[k]);
                double max = 0;
                for (double v : ad) {
                    max = Math.max(max, v);
                }
                for (int t = 0; t < days; t++) {
                    p.orders[r][t] += size * beta[k] * Transforms.hill(ad[t], 1.2, 0.8 * max);
                }
            }
            for (int t = 0; t < days; t++) {
                double weekday = p.date(t).getDayOfWeek().getValue() >= 6 ? 1.15 : 1.0;
                double mean = p.orders[r][t] + 60 * size * weekday;
                double orders = Math.max(0, Math.round(mean + Math.sqrt(mean) * gaussian(rng)));
                p.orders[r][t] = orders;
                p.revenue[r][t] = orders * (80 + 10 * rng.nextDouble());
            }
        }
        return p;
    }

    private static double gaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }
}
