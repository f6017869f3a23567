package com.partnermix.mmm;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The {@code mixed_media} model: a journey-level model's credit rescaled per channel by the MMM's
 * calibration factor (its incremental revenue over the revenue the journey model credited to it
 * in the fit window), then renormalised per order so that credit still sums to 1. A touch whose
 * channel has no factor keeps factor 1; an order whose rescaled credit is 0 everywhere (every
 * channel it touched got factor 0) keeps the base model's credit.
 */
public final class Calibration {

    private Calibration() {}

    /** MMM incremental revenue / journey-credited revenue; null (treated as 1) when the journey model credited nothing. */
    public static Double factor(double mmmRevenue, double journeyRevenue) {
        return journeyRevenue > 0 ? Math.max(0, mmmRevenue) / journeyRevenue : null;
    }

    /**
     * @param baseCredit rows of the base model with order_id, position, credit and the columns {@code channelKey} reads
     * @param factors    channel, factor (one row per MMM channel)
     * @param channelKey the MMM channel of a touch ({@link PanelBuilder#channelKey})
     */
    public static Dataset<Row> apply(Dataset<Row> baseCredit, Dataset<Row> factors, Column channelKey) {
        WindowSpec order = Window.partitionBy("order_id").orderBy("position")
                .rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
        Dataset<Row> f = factors.select(col("channel").as("mmm_channel"), col("factor").as("mmm_factor"));
        Dataset<Row> scaled = baseCredit.withColumn("mmm_key", channelKey)
                .join(broadcast(f), col("mmm_key").equalTo(col("mmm_channel")), "left")
                .withColumn("w", col("credit").multiply(coalesce(col("mmm_factor"), lit(1.0))))
                .withColumn("w_total", sum("w").over(order));
        return scaled.withColumn("credit", when(col("w_total").gt(0), col("w").divide(col("w_total")))
                        .otherwise(col("credit")))
                .drop("mmm_key", "mmm_channel", "mmm_factor", "w", "w_total");
    }
}
