package com.partnermix.attribution;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The lift tests of {@code bronze.experiments} that calibrate the incremental model: those delivered by the run date
 * that ended within {@code experiments_max_age_days} before it, each experiment's latest delivery. A few rows per
 * group at most (experiments are run by hand), collected to the driver.
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
        if (maxAge == 0 || !wh.exists(Tables.BRONZE_EXPERIMENTS)) {
            return Read.NONE;
        }
        List<Row> rows = wh.read(Tables.BRONZE_EXPERIMENTS)
                .where(col("delivery_date").leq(java.sql.Date.valueOf(date))
                        .and(col("end_date").between(java.sql.Date.valueOf(date.minusDays(maxAge)),
                                java.sql.Date.valueOf(date))))
                .select("experiment_id", "group", "start_date", "end_date", "test_persons", "test_conversions",
                        "control_persons", "control_conversions", "test_clicks", "test_impressions", "delivery_date",
                        "source_file")
                .collectAsList();
        if (rows.isEmpty()) {
            return Read.NONE;
        }
        // The latest delivery of each experiment (a correction replaces it); within one delivery the last file.
        Map<String, Row> latest = new HashMap<>();
        Comparator<Row> order = Comparator.<Row, java.sql.Date>comparing(r -> r.getDate(10))
                .thenComparing(r -> r.getString(11)).thenComparing(Row::toString);
        rows.forEach(r -> latest.merge(r.getString(0), r, (a, b) -> order.compare(a, b) >= 0 ? a : b));
        Map<String, double[]> touches = new HashMap<>();   // group -> {all weighted touches, those carrying stock}
        exposure.groupBy("group").agg(sum("weight"), sum(when(not(col("in_purchase_session")), col("weight"))))
                .collectAsList().forEach(r -> touches.put(r.getString(0), new double[] {
                        r.isNullAt(1) ? 0 : r.getDouble(1), r.isNullAt(2) ? 0 : r.getDouble(2)}));
        double impressionWeight = settings.viewThroughWeight();
        double trust = Math.sqrt(settings.incremental().experimentsWeight());   // w such tests: error / sqrt(w)
        List<IncrementalHazard.LiftTest> tests = new ArrayList<>();
        List<String> unfitted = new ArrayList<>();
        latest.values().stream().sorted(Comparator.comparing(r -> r.getString(0))).forEach(r -> {
            String group = r.getString(1);
            double[] t = touches.get(group);
            if (t == null || t[1] <= 0) {
                unfitted.add(r.getString(0) + " (" + group + ")");
                return;
            }
            int days = (int) ChronoUnit.DAYS.between(r.getDate(2).toLocalDate(), r.getDate(3).toLocalDate()) + 1;
            double weighted = r.getLong(8) + impressionWeight * r.getLong(9);
            IncrementalHazard.LiftTest test = IncrementalHazard.LiftTest.of(group, r.getLong(4), r.getLong(5),
                    r.getLong(6), r.getLong(7), weighted, days, t[0] / t[1]);
            tests.add(new IncrementalHazard.LiftTest(group, test.ordersPerTouch(), test.standardError() / trust, days));
        });
        return new Read(tests, unfitted);
    }
}
