package com.partnermix.common;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.time.LocalDate;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sequence;

/**
 * Currency conversion to USD. A day without a delivered rate uses the latest earlier rate of
 * that currency (a weekend, a late feed); a corrected rate (a later delivery of the same date
 * and currency) replaces the earlier one. The {@value #DAYS_BEFORE_FIRST_RATE} days before a currency's
 * first delivered rate use that first rate: the warehouse's first month starts before its first feed (flat
 * fees are due from the month's first day, and the first day's events east of UTC fall on the UTC day before).
 * Earlier days, and a currency never delivered, have no rate.
 */
public final class FxRates {

    static final int DAYS_BEFORE_FIRST_RATE = 31;

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
        Dataset<Row> days = latest.groupBy("currency").agg(min("rate_date").as("first_date"), max("rate_date").as("last_date"),
                        expr("min_by(usd_per_unit, rate_date)").as("first_rate"))
                .select(col("currency"), col("first_rate"), explode(sequence(
                        date_sub(col("first_date"), DAYS_BEFORE_FIRST_RATE),
                        org.apache.spark.sql.functions.greatest(col("last_date"), lit(java.sql.Date.valueOf(lastDate)))))
                        .as("rate_date"));
        return days.join(latest, ScalaSeqs.of("currency", "rate_date"), "left")
                .withColumn("usd_per_unit", coalesce(last("usd_per_unit", true).over(Window.partitionBy("currency")
                        .orderBy("rate_date").rowsBetween(Window.unboundedPreceding(), Window.currentRow())),
                        col("first_rate")))
                .select("rate_date", "currency", "usd_per_unit");
    }
}
