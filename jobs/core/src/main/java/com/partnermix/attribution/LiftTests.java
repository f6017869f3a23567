package com.partnermix.attribution;

import com.partnermix.common.Experiments;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The lift tests of {@code bronze.experiments} ({@link Experiments#latest}) that calibrate the incremental model:
 * those delivered by the run date that ended within {@code experiments_max_age_days} before it.
 */
final class LiftTests {

    private LiftTests() {}

    /** The tests used, and those of groups the fit does not have (named in the night's note). */
    record Read(List<IncrementalHazard.LiftTest> tests, List<String> unfitted) {
        static final Read NONE = new Read(List.of(), List.of());
    }

    /**
     * @param exposure person_id, touch_ts, group, weight, in_purchase_session: every touch of the fit window (the
     *                 share of a group's touches outside purchase sessions turns a test's lift per touch into the
     *                 lift per touch that carries stock)
     */
    static Read read(Warehouse wh, PartnermixConfig.Attribution settings, LocalDate date, Dataset<Row> exposure) {
        int maxAge = settings.incremental().experimentsMaxAgeDays();
        List<Experiments.Test> latest = maxAge == 0 ? List.of() : Experiments.latest(wh, date, date.minusDays(maxAge));
        if (latest.isEmpty()) {
            return Read.NONE;
        }
        Map<String, double[]> touches = new HashMap<>();   // group -> {all weighted touches, those carrying stock}
        exposure.groupBy("group").agg(sum("weight"), sum(when(not(col("in_purchase_session")), col("weight"))))
                .collectAsList().forEach(r -> touches.put(r.getString(0), new double[] {
                        r.isNullAt(1) ? 0 : r.getDouble(1), r.isNullAt(2) ? 0 : r.getDouble(2)}));
        double impressionWeight = settings.viewThroughWeight();
        double trust = Math.sqrt(settings.incremental().experimentsWeight());   // w such tests: error / sqrt(w)
        List<IncrementalHazard.LiftTest> tests = new ArrayList<>();
        List<String> unfitted = new ArrayList<>();
        for (Experiments.Test e : latest) {
            double[] t = touches.get(e.group());
            if (t == null || t[1] <= 0) {
                unfitted.add(e.id() + " (" + e.group() + ")");
                continue;
            }
            IncrementalHazard.LiftTest test = IncrementalHazard.LiftTest.of(e, e.weightedTouches(impressionWeight),
                    t[0] / t[1]);
            tests.add(new IncrementalHazard.LiftTest(e.group(), test.ordersPerTouch(), test.standardError() / trust,
                    e.days()));
        }
        return new Read(tests, unfitted);
    }
}
