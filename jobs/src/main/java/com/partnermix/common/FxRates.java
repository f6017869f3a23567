package com.partnermix.common;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.time.LocalDate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sequence;

/**
 * Currency conversion to USD. A day without a delivered rate uses the latest earlier rate of
 * that currency (a weekend, a late feed); a corrected rate (a later delivery of the same date
 * and currency) replaces the earlier one.
 */
public final class FxRates {

    private FxRates() {}

    /**
     * One row per currency and calendar day up to {@code lastDate}: (rate_date, currency, usd_per_unit), from the
     * rates delivered up to {@code asOf} (the run date: a rerun or a backfill of D must not see a correction that
     * arrived after D). Bounded by currencies x days, so it is small whatever the order volume.
     */
    public static Dataset<Row> dailyCalendar(Dataset<Row> bronzeFx, LocalDate asOf, LocalDate lastDate) {
        Dataset<Row> latest = bronzeFx.where(col("delivery_date").leq(lit(java.sql.Date.valueOf(asOf))))
                .withColumn("rank", row_number().over(Window.partitionBy("date", "currency")
                        .orderBy(col("delivery_date").desc())))
                .where(col("rank").equalTo(1))
                .select(col("date").as("rate_date"), col("currency"), col("usd_per_unit"));
        Dataset<Row> days = latest.groupBy("currency").agg(min("rate_date").as("first_date"), max("rate_date").as("last_date"))
                .select(col("currency"), explode(sequence(col("first_date"),
                        org.apache.spark.sql.functions.greatest(col("last_date"), lit(java.sql.Date.valueOf(lastDate)))))
                        .as("rate_date"));
        return days.join(latest, ScalaSeqs.of("currency", "rate_date"), "left")
                .withColumn("usd_per_unit", last("usd_per_unit", true).over(Window.partitionBy("currency")
                        .orderBy("rate_date").rowsBetween(Window.unboundedPreceding(), Window.currentRow())))
                .select("rate_date", "currency", "usd_per_unit");
    }
}
