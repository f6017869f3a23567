package com.partnermix.attribution;

import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IncrementalPersonDaysTest extends SparkTestBase {

    /**
     * Window Nov 1-3, decay 0.5. p1 clicks email on day 0 and buys on day 2: rows (x, y) (1, 0), (0.5, 0), (0.25, 1).
     * p2 clicks email on day 0 and buys two hours later: (1, 1), (0.5, 0), (0.25, 0). p3 only buys (no touch: not a
     * person-day of the fit); p4's touch has no group. Least squares over the six rows: slope 1/7, baseline 1/4.
     */
    @Test
    void eachPersonsTouchesAndOrdersBecomeTheirDaysAndTheFitIsTheirLeastSquares() {
        var exposure = Rows.of(spark(), "person_id STRING, touch_ts TIMESTAMP, group STRING, weight DOUBLE",
                "{\"person_id\":\"p1\",\"touch_ts\":\"2026-11-01T10:00:00Z\",\"group\":\"email\",\"weight\":1.0}",
                "{\"person_id\":\"p2\",\"touch_ts\":\"2026-11-01T10:00:00Z\",\"group\":\"email\",\"weight\":1.0}",
                "{\"person_id\":\"p4\",\"touch_ts\":\"2026-11-01T10:00:00Z\",\"weight\":1.0}");
        var orders = Rows.of(spark(), "person_id STRING, order_ts TIMESTAMP",
                "{\"person_id\":\"p1\",\"order_ts\":\"2026-11-03T12:00:00Z\"}",
                "{\"person_id\":\"p2\",\"order_ts\":\"2026-11-01T12:00:00Z\"}",
                "{\"person_id\":\"p3\",\"order_ts\":\"2026-11-02T12:00:00Z\"}");
        IncrementalHazard.Fit fit = IncrementalPersonDays.fit(exposure, orders, LocalDate.parse("2026-11-01"), 3,
                List.of(0.5), List.of());
        assertEquals(6, fit.personDays());
        assertEquals(2.0, fit.orders());
        assertEquals(0.5, fit.decay());
        assertEquals(0.25, fit.intercept(), 1e-12);
        assertEquals(1.0 / 7, fit.effects().get("email"), 1e-12);
    }
}
