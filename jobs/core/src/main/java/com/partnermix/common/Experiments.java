package com.partnermix.common;

import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * The lift tests of {@code bronze.experiments} (an optional feed): per test and control arm the persons and their
 * conversions over the test's days, and the test arm's touches of the tested group. A few rows per group at most
 * (experiments are run by hand), collected to the driver. The incremental model and the media mix model both
 * calibrate on them.
 */
public final class Experiments {

    private Experiments() {}

    /** One lift test as last delivered. */
    public record Test(String id, String group, LocalDate start, LocalDate end, long testPersons,
                       long testConversions, long controlPersons, long controlConversions, long testClicks,
                       long testImpressions) {

        public int days() {
            return (int) ChronoUnit.DAYS.between(start, end) + 1;
        }

        /** The test arm's touches of the group, an impression weighing {@code impressionWeight} of a click. */
        public double weightedTouches(double impressionWeight) {
            return testClicks + impressionWeight * testImpressions;
        }

        /** The test arm's conversions the tested exposure added: {@code C_t - N_t C_c / N_c}. */
        public double incrementalConversions() {
            return testConversions - (double) testPersons / controlPersons * controlConversions;
        }

        /** Its Poisson standard error, {@code sqrt(C_t + (N_t / N_c)^2 C_c)}, a count of 0 taken as 1. */
        public double standardError() {
            double ratio = (double) testPersons / controlPersons;
            return Math.sqrt(Math.max(1, testConversions) + ratio * ratio * Math.max(1, controlConversions));
        }
    }

    /**
     * The tests delivered by {@code date} that ended between {@code endFrom} and {@code date}, each experiment's latest
     * delivery (a correction replaces it; within one delivery the last file), in experiment id order. Empty without
     * the feed.
     */
    public static List<Test> latest(Warehouse wh, LocalDate date, LocalDate endFrom) {
        if (!wh.exists(Tables.BRONZE_EXPERIMENTS)) {
            return List.of();
        }
        List<Row> rows = wh.read(Tables.BRONZE_EXPERIMENTS)
                .where(col("delivery_date").leq(java.sql.Date.valueOf(date))
                        .and(col("end_date").between(java.sql.Date.valueOf(endFrom), java.sql.Date.valueOf(date))))
                .select("experiment_id", "group", "start_date", "end_date", "test_persons", "test_conversions",
                        "control_persons", "control_conversions", "test_clicks", "test_impressions", "delivery_date",
                        "source_file")
                .collectAsList();
        Map<String, Row> latest = new HashMap<>();
        Comparator<Row> order = Comparator.<Row, java.sql.Date>comparing(r -> r.getDate(10))
                .thenComparing(r -> r.getString(11)).thenComparing(Row::toString);
        rows.forEach(r -> latest.merge(r.getString(0), r, (a, b) -> order.compare(a, b) >= 0 ? a : b));
        return latest.values().stream().sorted(Comparator.comparing(r -> r.getString(0)))
                .map(r -> new Test(r.getString(0), r.getString(1), r.getDate(2).toLocalDate(),
                        r.getDate(3).toLocalDate(), r.getLong(4), r.getLong(5), r.getLong(6), r.getLong(7),
                        r.getLong(8), r.getLong(9)))
                .toList();
    }
}
