package com.partnermix.generate;

import java.io.Serializable;
import java.time.LocalDate;
import java.util.List;

/**
 * The resolved settings of one generator run (configuration defaults plus command-line flags).
 *
 * @param lastDate       the last delivery day; events happen on the {@code days} days ending here
 * @param onTime         deliver every record on its event (or update) date: same records, other dt folders
 * @param knockouts      channels or partner types whose true effect is zero (activity unchanged)
 * @param filesPerDay    Spark tasks of the simulation, hence part files per feed and day
 * @param holdout        draw the fraud patterns' and look-alikes' rates and delays from the holdout ranges
 *                       ({@link BehaviourProfile}), which the fraud rules' defaults were never tuned on
 * @param liftTests      channels or partner types with a lift test over the last {@link #LIFT_TEST_DAYS} days
 *                       (written to the experiments feed); empty: no experiments feed
 */
public record GeneratorOptions(LocalDate lastDate, int days, long persons, long seed, int partners,
                               String out, String truth, boolean gzip, boolean onTime, List<String> knockouts,
                               double malformedShare, double duplicateShare, double lateShare,
                               int filesPerDay, boolean holdout, List<String> liftTests) implements Serializable {

    /** A lift test's length: the last four weeks of the run (all of it when shorter). */
    public static final int LIFT_TEST_DAYS = 28;

    /** No lift tests. */
    public GeneratorOptions(LocalDate lastDate, int days, long persons, long seed, int partners, String out,
                            String truth, boolean gzip, boolean onTime, List<String> knockouts, double malformedShare,
                            double duplicateShare, double lateShare, int filesPerDay, boolean holdout) {
        this(lastDate, days, persons, seed, partners, out, truth, gzip, onTime, knockouts, malformedShare,
                duplicateShare, lateShare, filesPerDay, holdout, List.of());
    }

    /** The default behaviour profile. */
    public GeneratorOptions(LocalDate lastDate, int days, long persons, long seed, int partners, String out,
                            String truth, boolean gzip, boolean onTime, List<String> knockouts, double malformedShare,
                            double duplicateShare, double lateShare, int filesPerDay) {
        this(lastDate, days, persons, seed, partners, out, truth, gzip, onTime, knockouts, malformedShare,
                duplicateShare, lateShare, filesPerDay, false);
    }

    public GeneratorOptions {
        knockouts = List.copyOf(knockouts);
        liftTests = liftTests == null ? List.of() : List.copyOf(liftTests);
        if (days < 1) {
            throw new IllegalArgumentException("--days must be at least 1");
        }
        if (persons < 1) {
            throw new IllegalArgumentException("--persons must be at least 1");
        }
        if (filesPerDay < 1) {
            throw new IllegalArgumentException("generator.files_per_day must be at least 1");
        }
    }

    public LocalDate firstDate() {
        return lastDate.minusDays(days - 1L);
    }

    /** The first day index of the lift tests. */
    public int liftTestStart() {
        return Math.max(0, days - LIFT_TEST_DAYS);
    }

    public LocalDate date(int dayIndex) {
        return firstDate().plusDays(dayIndex);
    }
}
