package com.partnermix.marts;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.time.LocalDate;

import static com.partnermix.marts.PartnerDaily.inRange;
import static com.partnermix.marts.PartnerDaily.ratio;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trunc;
import static org.apache.spark.sql.functions.when;

/** The comparison reports: credited GMV by model side by side ({@code gold.model_comparison}) and paths. */
public final class MixReports {

    private MixReports() {}

    /**
     * {@code gold.model_comparison}: per month and partner (level {@code partner}) and per month and partner type
     * (level {@code partner_type}, non-partner channels by their channel name), the GMV and orders every model
     * credits, with last click's beside it and the ratio: above 1 the model values the partner more than last
     * click does (last click under-values it), below 1 less.
     *
     * @param partnerDaily gold.partner_daily (in the reporting currency)
     */
    public static Dataset<Row> modelComparison(Dataset<Row> partnerDaily, LocalDate from, LocalDate to) {
        Dataset<Row> rows = partnerDaily.where(inRange(col("date"), from, to))
                .withColumn("period_month", trunc(col("date"), "month"))
                .withColumn("type_key", coalesce(col("partner_type"), col("channel")));
        Dataset<Row> byPartner = rows.where(col("partner_id").isNotNull())
                .groupBy(col("period_month"), col("partner_id"), col("model"))
                .agg(max("partner_type").as("partner_type"), sum("gmv").as("gmv"), sum("orders").as("orders"),
                        max("currency").as("currency"))
                .withColumn("level", lit("partner"));
        Dataset<Row> byType = rows.groupBy(col("period_month"), col("type_key").as("partner_type"), col("model"))
                .agg(sum("gmv").as("gmv"), sum("orders").as("orders"), max("currency").as("currency"))
                .withColumn("partner_id", lit(null).cast("string"))
                .withColumn("level", lit("partner_type"));
        Dataset<Row> all = byPartner.unionByName(byType);
        Dataset<Row> lastClick = all.where(col("model").equalTo(PartnerDaily.LAST_CLICK))
                .select(col("period_month").as("lc_month"), col("level").as("lc_level"),
                        col("partner_type").as("lc_type"), coalesce(col("partner_id"), lit("")).as("lc_entity"),
                        col("gmv").as("last_click_gmv"));
        return all.join(lastClick, col("period_month").equalTo(col("lc_month")).and(col("level").equalTo(col("lc_level")))
                        .and(coalesce(col("partner_id"), lit("")).equalTo(col("lc_entity")))
                        .and(col("level").equalTo("partner").or(col("partner_type").equalTo(col("lc_type")))), "left")
                .select(col("period_month"), col("level"), col("partner_type"), col("partner_id"), col("model"),
                        col("orders"), col("gmv"), coalesce(col("last_click_gmv"), lit(0.0)).as("last_click_gmv"),
                        // null when last click credits nothing (no ratio to a zero), not infinity
                        ratio(col("gmv"), coalesce(col("last_click_gmv"), lit(0.0))).as("ratio_to_last_click"),
                        col("gmv").minus(coalesce(col("last_click_gmv"), lit(0.0))).as("gmv_vs_last_click"),
                        col("currency"));
    }

    /**
     * {@code gold.path_summary}: per month the {@code topPaths} most common partner-type paths (by journeys,
     * converting or not; ties by path), with conversions, non-conversions, conversion rate and revenue: in USD
     * ({@code revenue_usd}, as silver holds it) and in the reporting currency ({@code revenue}, each order at its
     * day's rate, like every other mart amount). A converting journey without touches has the path {@code (none)}.
     *
     * @param journeys    silver.journeys (is_converted, order_date, journey_date, path_partner_type, revenue_usd)
     * @param toReporting date, to_reporting ({@link Costs#toReporting}; null for USD)
     */
    public static Dataset<Row> pathSummary(Dataset<Row> journeys, int topPaths, LocalDate from, LocalDate to,
                                           Dataset<Row> toReporting, String currency) {
        Column day = coalesce(col("order_date"), col("journey_date"));
        Column revenueUsd = when(col("is_converted"), col("revenue_usd").cast("double")).otherwise(0.0);
        Dataset<Row> dated = journeys.where(inRange(day, from, to))
                .withColumn("period_month", trunc(day, "month"))
                .withColumn("path", when(coalesce(col("path_partner_type"), lit("")).equalTo(""), lit("(none)"))
                        .otherwise(col("path_partner_type")))
                .withColumn("journey_revenue_usd", revenueUsd)
                .withColumn("date", day);
        Dataset<Row> counted = Costs.withReportingRate(dated, toReporting)
                .withColumn("journey_revenue", when(col("is_converted"),
                        col("journey_revenue_usd").multiply(col("to_reporting"))).otherwise(0.0))
                .groupBy("period_month", "path")
                .agg(count(lit(1)).as("journeys"), sum(when(col("is_converted"), 1L).otherwise(0L)).as("conversions"),
                        sum("journey_revenue_usd").as("revenue_usd"),
                        // null when a converting journey's day has no rate: a missing rate must show
                        PartnerDaily.sumKeepingNull("journey_revenue"));
        return counted.withColumn("path_rank", row_number().over(Window.partitionBy("period_month")
                        .orderBy(col("journeys").desc(), col("path"))))
                .where(col("path_rank").leq(topPaths))
                .select(col("period_month"), col("path_rank"), col("path"), col("journeys"), col("conversions"),
                        col("journeys").minus(col("conversions")).as("non_conversions"),
                        col("conversions").divide(col("journeys")).as("conversion_rate"), col("revenue_usd"),
                        col("journey_revenue").as("revenue"), lit(currency).as("currency"));
    }
}
