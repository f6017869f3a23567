package com.partnermix.common;

import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FxRatesTest extends SparkTestBase {

    private static final String FX = "date DATE, currency STRING, usd_per_unit DECIMAL(18,8), delivery_date DATE";

    private static Dataset<Row> bronze() {
        return Rows.of(spark(), FX,
                "{\"date\":\"2026-11-18\",\"currency\":\"EUR\",\"usd_per_unit\":1.10,\"delivery_date\":\"2026-11-18\"}",
                "{\"date\":\"2026-11-20\",\"currency\":\"EUR\",\"usd_per_unit\":1.20,\"delivery_date\":\"2026-11-20\"}",
                // a correction of the first day, delivered after the night of the 20th
                "{\"date\":\"2026-11-18\",\"currency\":\"EUR\",\"usd_per_unit\":1.12,\"delivery_date\":\"2026-11-21\"}");
    }

    private static List<String> calendar(LocalDate asOf) {
        return FxRates.dailyCalendar(bronze(), asOf, LocalDate.parse("2026-11-21")).orderBy("rate_date")
                .collectAsList().stream()
                .map(r -> r.getDate(0) + " " + r.getString(1) + " " + r.getDecimal(2).stripTrailingZeros().toPlainString())
                .toList();
    }

    @Test
    void gapsTakeTheLatestEarlierRateAndTheMonthBeforeTheFirstRateTakesTheFirst() {
        List<String> calendar = calendar(LocalDate.parse("2026-11-20"));
        assertEquals(35, calendar.size());
        // the 31 days before the first delivered rate take it (the first month's flat fees start before it)
        assertEquals("2026-10-18 EUR 1.1", calendar.get(0));
        assertEquals("2026-11-17 EUR 1.1", calendar.get(30));
        assertEquals(List.of("2026-11-18 EUR 1.1", "2026-11-19 EUR 1.1", "2026-11-20 EUR 1.2", "2026-11-21 EUR 1.2"),
                calendar.subList(31, 35));
    }

    @Test
    void aCorrectionCountsFromTheNightItWasDelivered() {
        List<String> later = calendar(LocalDate.parse("2026-11-21"));
        assertEquals("2026-10-18 EUR 1.12", later.get(0));
        assertEquals("2026-11-18 EUR 1.12", later.get(31));
        assertEquals("2026-11-19 EUR 1.12", later.get(32));
        assertEquals("2026-11-20 EUR 1.2", later.get(33));
    }
}
