package com.partnermix.marts;

import com.partnermix.common.Lookups;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.time.LocalDate;
import java.util.Map;

import static com.partnermix.marts.PartnerDaily.inRange;
import static com.partnermix.marts.PartnerDaily.ratio;
import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trunc;
import static org.apache.spark.sql.functions.unix_timestamp;
import static org.apache.spark.sql.functions.when;

/**
 * {@code gold.partner_mix_quarterly}: quarter x partner type (non-partner channels by name) x funnel stage x
 * region x model. Shares of GMV, new customers and cost within the quarter and model, AOV, CAC, ROAS, repeat
 * rate, the partner type's share of partner cost against the target mix, and a budget-neutral suggested shift
 * towards the types with the higher marginal return (the MMM's marginal ROI of {@code affiliate:<type>} when a
 * fit exists, else the type's ROAS).
 */
public final class QuarterlyMix {

    private QuarterlyMix() {}

    /**
     * Per order up to {@code to}: was it followed by another order of the same person within {@code windowDays}
     * ({@code is_repeat}), and has that window fully elapsed by {@code to} ({@code is_window_closed}: its last day
     * is on or before D)? Orders after D are left out, so a rerun of D sees what D saw.
     * (journeys: is_converted, person_id, order_id, order_ts, order_date)
     */
    public static Dataset<Row> repeats(Dataset<Row> journeys, int windowDays, LocalDate to) {
        WindowSpec byPerson = Window.partitionBy("person_id").orderBy(col("order_ts"), col("order_id"));
        return journeys.where(col("is_converted").and(col("order_date").leq(java.sql.Date.valueOf(to))))
                .withColumn("next_order_ts", lead("order_ts", 1).over(byPerson))
                .select(col("order_id"), coalesce(col("next_order_ts").isNotNull().and(
                        unix_timestamp(col("next_order_ts")).minus(unix_timestamp(col("order_ts")))
                                .leq((long) windowDays * 86_400L)), lit(false)).as("is_repeat"),
                        date_add(col("order_date"), windowDays).leq(java.sql.Date.valueOf(to)).as("is_window_closed"));
    }

    /**
     * @param partnerDaily gold.partner_daily
     * @param credit       gold.attribution_credit (new customers' credit per type for the repeat rate)
     * @param repeats      {@link #repeats} (up to {@code to})
     * @param marginalRoi  partner_type, quarter, marginal_roi (the MMM's; may be empty)
     */
    public static Dataset<Row> build(Dataset<Row> partnerDaily, Dataset<Row> credit, Dataset<Row> repeats,
                                     Dataset<Row> marginalRoi, Map<String, Double> targetMix, double shiftShare,
                                     LocalDate to) {
        Dataset<Row> rows = partnerDaily.where(inRange(col("date"), null, to))
                .groupBy(trunc(col("date"), "quarter").as("quarter"),
                        coalesce(col("partner_type"), col("channel")).as("partner_type"),
                        col("partner_id").isNotNull().as("is_partner"), col("funnel_stage"), col("region"), col("model"))
                .agg(sum("gmv").as("gmv"), sum("orders").as("orders"), sum("new_customers").as("new_customers"),
                        sum("cost_total").as("cost"), org.apache.spark.sql.functions.max("currency").as("currency"));
        // The repeat rate counts only new customers whose window has elapsed by D (a recent customer may still
        // come back); the others are counted in repeat_open_new_customers. Region UNKNOWN as in the mart's keys.
        Column closed = col("is_window_closed");
        Dataset<Row> repeat = credit.where(inRange(col("order_date"), null, to).and(col("is_new_customer")))
                .join(repeats, "order_id")
                .groupBy(trunc(col("order_date"), "quarter").as("quarter"),
                        coalesce(col("partner_type"), col("channel"), lit(PartnerDaily.UNATTRIBUTED)).as("partner_type"),
                        coalesce(col("region"), lit("UNKNOWN")).as("region"), col("model"))
                .agg(ratio(sum(when(closed.and(col("is_repeat")), col("credit")).otherwise(0.0)),
                                sum(when(closed, col("credit")).otherwise(0.0))).as("repeat_rate"),
                        sum(when(closed, col("credit")).otherwise(0.0)).as("repeat_eligible_new_customers"),
                        sum(when(closed, 0.0).otherwise(col("credit"))).as("repeat_open_new_customers"));

        WindowSpec quarterModel = Window.partitionBy("quarter", "model");
        Dataset<Row> shares = rows
                .withColumn("gmv_share", ratio(col("gmv"), sum("gmv").over(quarterModel)))
                .withColumn("new_customer_share", ratio(col("new_customers"), sum("new_customers").over(quarterModel)))
                .withColumn("cost_share", ratio(col("cost"), sum("cost").over(quarterModel)));

        // The mix decision is per partner type across regions and stages: type totals, then back to the rows.
        Dataset<Row> types = rows.where(col("is_partner"))
                .groupBy("quarter", "model", "partner_type").agg(sum("cost").as("type_cost"), sum("gmv").as("type_gmv"))
                .join(marginalRoi.withColumnRenamed("marginal_roi", "mmm_marginal_roi"),
                        com.partnermix.common.ScalaSeqs.of("quarter", "partner_type"), "left");
        Column typeShare = ratio(col("type_cost"), sum("type_cost").over(quarterModel));
        Column marginal = coalesce(col("mmm_marginal_roi"), ratio(col("type_gmv"), col("type_cost")));
        Dataset<Row> typed = types.withColumn("type_cost_share", typeShare)
                .withColumn("marginal_return", marginal)
                .withColumn("marginal_source", when(col("mmm_marginal_roi").isNotNull(), lit("mmm"))
                        .when(marginal.isNotNull(), lit("roas")))
                .withColumn("target_cost_share", coalesce(Lookups.lookup(targetMix, col("partner_type")), lit(0.0))
                        .cast("double"))
                .withColumn("mix_gap", col("type_cost_share").minus(col("target_cost_share")))
                .withColumn("weighted", coalesce(col("type_cost_share").multiply(col("marginal_return")), lit(0.0)))
                .withColumn("mean_return", sum("weighted").over(quarterModel)
                        .divide(sum(when(col("marginal_return").isNotNull(), col("type_cost_share")).otherwise(0.0))
                                .over(quarterModel)))
                .withColumn("lean", coalesce(col("type_cost_share").multiply(col("marginal_return")
                        .minus(col("mean_return"))), lit(0.0)))
                // Budget-neutral: the leans sum to zero; the pool is budget_shift_share of the quarter's partner cost.
                .withColumn("suggested_type_shift", ratio(col("lean").multiply(lit(shiftShare))
                        .multiply(sum("type_cost").over(quarterModel)), sum(abs(col("lean"))).over(quarterModel).divide(2)))
                .select("quarter", "model", "partner_type", "type_cost", "type_cost_share", "target_cost_share",
                        "mix_gap", "marginal_return", "marginal_source", "suggested_type_shift");

        return shares.join(repeat, com.partnermix.common.ScalaSeqs.of("quarter", "partner_type", "region", "model"), "left")
                .join(typed, com.partnermix.common.ScalaSeqs.of("quarter", "model", "partner_type"), "left")
                .select(col("quarter"), col("partner_type"), col("is_partner"), col("funnel_stage"), col("region"),
                        col("model"), col("gmv"), col("orders"), col("new_customers"), col("cost"),
                        col("gmv_share"), col("new_customer_share"), col("cost_share"),
                        ratio(col("gmv"), col("orders")).as("aov"), ratio(col("cost"), col("new_customers")).as("cac"),
                        ratio(col("gmv"), col("cost")).as("roas"), col("repeat_rate"),
                        coalesce(col("repeat_eligible_new_customers"), lit(0.0)).as("repeat_eligible_new_customers"),
                        coalesce(col("repeat_open_new_customers"), lit(0.0)).as("repeat_open_new_customers"),
                        col("type_cost_share"), col("target_cost_share"), col("mix_gap"), col("marginal_return"),
                        col("marginal_source"),
                        // the type's shift spread over its rows by their cost, so that rows add up to the type
                        coalesce(col("suggested_type_shift").multiply(ratio(col("cost"), col("type_cost"))), lit(0.0))
                                .as("suggested_budget_shift"),
                        col("currency"));
    }

    /** The MMM's mean marginal ROI per quarter and partner type, from the latest fit up to {@code to}. */
    public static Dataset<Row> mmmMarginalRoi(Dataset<Row> contributions, LocalDate to) {
        Dataset<Row> upTo = contributions.where(col("run_date").leq(java.sql.Date.valueOf(to)));
        Dataset<Row> latest = upTo.where(col("run_date").equalTo(upTo.agg(org.apache.spark.sql.functions.max("run_date"))
                .first().get(0)));
        return latest.where(col("channel").startsWith("affiliate:"))
                .groupBy(trunc(col("date"), "quarter").as("quarter"),
                        org.apache.spark.sql.functions.substring_index(col("channel"), ":", -1).as("partner_type"))
                .agg(avg("marginal_roi").as("marginal_roi"));
    }
}
