package com.partnermix.mmm;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The search over transform parameters, {@code candidates} fits in all. Each fit is a Spark task's
 * work: the panel is broadcast once, the candidates (a few numbers each) are parallelised, each
 * task fits its candidates on the window without its last {@code holdout_days} and scores them on
 * those days; only scores and coefficients return to the driver.
 *
 * <p>Two stages, because a joint random draw of 3 parameters for each of 20 channels rarely gets
 * every channel right at once:
 * <ol>
 *   <li>half of the budget: candidates drawn uniformly from the ranges (per channel, per candidate);</li>
 *   <li>the rest, in rounds: from the best so far, each channel in turn gets a few new draws with the
 *       other channels held (all of a round in parallel); the round's winner becomes the best when it
 *       improves the hold-out error, and so does the combination of every channel's improving draw.</li>
 * </ol>
 * Everything is seeded by {@code mmm.seed}: a rerun gives the same fit.
 */
public final class CandidateSearch {

    private CandidateSearch() {}

    private static final Comparator<MediaMixModel.Fit> BY_SCORE = Comparator.comparingDouble(
                    (MediaMixModel.Fit f) -> Double.isNaN(f.holdoutRmse()) ? Double.POSITIVE_INFINITY : f.holdoutRmse())
            .thenComparingInt(f -> f.candidate().index());

    /** Every fit of the search, best (lowest hold-out RMSE of orders; ties: lower index) first. */
    public static List<MediaMixModel.Fit> run(SparkSession spark, Panel panel, MmmSpec spec, int candidates) {
        if (candidates < 1) {
            throw new IllegalArgumentException("mmm.candidates must be at least 1");
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Panel> shared = jsc.broadcast(panel);
        int channels = panel.channels.length;
        try {
            int random = channels == 0 ? candidates : Math.max(1, candidates / 2);
            List<MediaMixModel.Candidate> first = new ArrayList<>();
            for (int i = 0; i < random; i++) {
                first.add(MediaMixModel.draw(i, channels, spec));
            }
            List<MediaMixModel.Fit> all = new ArrayList<>(evaluate(jsc, shared, spec, first));
            all.sort(BY_SCORE);
            MediaMixModel.Fit best = all.get(0);
            int next = random;
            SplittableRandom rng = new SplittableRandom(spec.seed() * 7_919L + 1);
            while (candidates - next >= channels + 1 && channels > 0) {
                int perChannel = Math.max(1, Math.min(3, (candidates - next - 1) / channels));
                List<MediaMixModel.Candidate> round = new ArrayList<>();
                for (int k = 0; k < channels; k++) {
                    for (int j = 0; j < perChannel; j++) {
                        round.add(withChannel(best.candidate(), next++, k, rng, spec));
                    }
                }
                List<MediaMixModel.Fit> fits = evaluate(jsc, shared, spec, round);
                all.addAll(fits);
                // every channel's improving draw at once (the channels are nearly additive)
                MediaMixModel.Candidate combined = combine(best, fits, next++, channels);
                if (combined != null) {
                    all.addAll(evaluate(jsc, shared, spec, List.of(combined)));
                }
                all.sort(BY_SCORE);
                best = all.get(0);
            }
            return all;
        } finally {
            shared.destroy();
        }
    }

    private static List<MediaMixModel.Fit> evaluate(JavaSparkContext jsc, Broadcast<Panel> shared, MmmSpec spec,
                                                    List<MediaMixModel.Candidate> candidates) {
        // Several slices per core balance the load; each slice is a handful of sub-second fits.
        int slices = Math.max(1, Math.min(candidates.size(), jsc.defaultParallelism() * 4));
        return jsc.parallelize(candidates, slices).map(c -> MediaMixModel.fit(shared.value(), c, spec, true)).collect();
    }

    private static MediaMixModel.Candidate withChannel(MediaMixModel.Candidate base, int index, int channel,
                                                       SplittableRandom rng, MmmSpec spec) {
        double[] theta = base.theta().clone();
        double[] shape = base.shape().clone();
        double[] g = base.halfSaturation().clone();
        theta[channel] = spec.theta()[0] + (spec.theta()[1] - spec.theta()[0]) * rng.nextDouble();
        shape[channel] = spec.hillShape()[0] + (spec.hillShape()[1] - spec.hillShape()[0]) * rng.nextDouble();
        g[channel] = spec.hillHalfSaturation()[0]
                + (spec.hillHalfSaturation()[1] - spec.hillHalfSaturation()[0]) * rng.nextDouble();
        return new MediaMixModel.Candidate(index, theta, shape, g);
    }

    /** The best improving draw of each channel applied together; null when at most one channel improved. */
    private static MediaMixModel.Candidate combine(MediaMixModel.Fit best, List<MediaMixModel.Fit> round, int index,
                                                   int channels) {
        MediaMixModel.Candidate base = best.candidate();
        double[] theta = base.theta().clone();
        double[] shape = base.shape().clone();
        double[] g = base.halfSaturation().clone();
        double[] bestScore = new double[channels];
        java.util.Arrays.fill(bestScore, best.holdoutRmse());
        int improved = 0;
        boolean[] changed = new boolean[channels];
        for (MediaMixModel.Fit f : round) {
            MediaMixModel.Candidate c = f.candidate();
            for (int k = 0; k < channels; k++) {
                if (c.theta()[k] != base.theta()[k] || c.shape()[k] != base.shape()[k]
                        || c.halfSaturation()[k] != base.halfSaturation()[k]) {
                    if (f.holdoutRmse() < bestScore[k]) {
                        bestScore[k] = f.holdoutRmse();
                        theta[k] = c.theta()[k];
                        shape[k] = c.shape()[k];
                        g[k] = c.halfSaturation()[k];
                        if (!changed[k]) {
                            changed[k] = true;
                            improved++;
                        }
                    }
                    break;
                }
            }
        }
        return improved > 1 ? new MediaMixModel.Candidate(index, theta, shape, g) : null;
    }
}
