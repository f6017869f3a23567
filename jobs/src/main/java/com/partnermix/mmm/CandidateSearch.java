package com.partnermix.mmm;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The search over transform parameters: candidate indexes are spread over Spark tasks, the
 * panel is broadcast once, and each task draws its candidates from (seed, index), fits them on the
 * window without its last {@code holdout_days} and scores them on those days. Only the scores
 * and coefficients (a few numbers per candidate) come back to the driver.
 */
public final class CandidateSearch {

    private CandidateSearch() {}

    /** Every candidate's hold-out fit, best (lowest hold-out RMSE of orders; ties: lower index) first. */
    public static List<MediaMixModel.Fit> run(SparkSession spark, Panel panel, MmmSpec spec, int candidates) {
        if (candidates < 1) {
            throw new IllegalArgumentException("mmm.candidates must be at least 1");
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<Panel> shared = jsc.broadcast(panel);
        int channels = panel.channels.length;
        List<Integer> indexes = IntStream.range(0, candidates).boxed().toList();
        // Several slices per core balance the load; each slice is a handful of sub-second fits.
        int slices = Math.max(1, Math.min(candidates, jsc.defaultParallelism() * 4));
        try {
            List<MediaMixModel.Fit> fits = new ArrayList<>(jsc.parallelize(indexes, slices)
                    .map(i -> MediaMixModel.fit(shared.value(), MediaMixModel.draw(i, channels, spec), spec, true))
                    .collect());
            fits.sort(Comparator.comparingDouble((MediaMixModel.Fit f) -> Double.isNaN(f.holdoutRmse())
                    ? Double.POSITIVE_INFINITY : f.holdoutRmse()).thenComparingInt(f -> f.candidate().index()));
            return fits;
        } finally {
            shared.destroy();
        }
    }
}
