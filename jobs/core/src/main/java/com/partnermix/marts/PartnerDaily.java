package com.partnermix.marts;

import com.partnermix.journeys.TouchRules;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Map;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * {@code gold.partner_daily}: date x channel/partner x region x model, the analysis view partner managers
 * open every morning. Pure transforms: every input is a DataFrame, every output one too.
 *
 * <p>Measures that depend on the model (credited orders, GMV, new customers) come from the model's credit;
 * the others (impressions, clicks, assists, cost) are the same on every model's row, so that ROAS and CAC
 * differ between models only by what each model credits. Cost is what is really paid: CPS on the payout
 * model's credit, whatever model the row shows.
 */
public final class PartnerDaily {

    private PartnerDaily() {}

    /** The channel of credit rows without a creditable touch (orders that no model can give to anyone). */
    public static final String UNATTRIBUTED = "unattributed";
    public static final String LAST_CLICK = "last_click";

    static final String[] KEYS = {"date", "channel", "partner_id", "region"};

    /**
     * Clicks and impressions per (date, channel, partner_id, region, seen_date) from bronze.touchpoints (page
     * views are not media). {@code seen_date} is the touches' delivery day: a click delivered after its month's
     * statement locked is paid in the next open month.
     */
    public static Dataset<Row> activity(Dataset<Row> touchpoints, TouchRules rules, LocalDate from, LocalDate to) {
        Column isClick = col("event_type").equalTo("click");
        return touchpoints.where(inRange(col("event_date"), from, to).and(col("event_type").isin("click", "impression")))
                .groupBy(col("event_date").as("date"), col("channel"), col("partner_id"),
                        rules.region(col("country")).as("region"), col("delivery_date").as("seen_date"))
                .agg(sum(when(isClick, 1L).otherwise(0L)).as("clicks"),
                        sum(when(isClick, 0L).otherwise(1L)).as("impressions"));
    }

    /**
     * Model-dependent measures per (date, model, channel, partner_id, region): credited orders (credit sums to
     * one per order and model), GMV in USD and credited new customers.
     */
    public static Dataset<Row> creditMeasures(Dataset<Row> credit, LocalDate from, LocalDate to) {
        return credit.where(inRange(col("order_date"), from, to))
                .groupBy(col("order_date").as("date"), col("model"),
                        coalesce(col("channel"), lit(UNATTRIBUTED)).as("channel"), col("partner_id"),
                        coalesce(col("region"), lit("UNKNOWN")).as("region"))
                .agg(sum(col("credit")).as("orders"),
                        sum(col("credited_revenue_usd").cast("double")).as("gmv_usd"),
                        sum(when(col("is_new_customer"), col("credit")).otherwise(0.0)).as("new_customers"));
    }

    /**
     * Assists per (date, channel, partner_id, region): orders a channel or partner touched without holding
     * their last click. Counted once per order, on the order's date and region.
     *
     * @param touches     silver.journey_touches (order_id, channel, partner_id)
     * @param credit      gold.attribution_credit (the last_click rows are read)
     */
    public static Dataset<Row> assists(Dataset<Row> touches, Dataset<Row> credit, LocalDate from, LocalDate to) {
        Dataset<Row> lastClick = credit.where(col("model").equalTo(LAST_CLICK).and(inRange(col("order_date"), from, to)))
                .groupBy("order_id")
                .agg(first("order_date").as("date"), coalesce(first("region"), lit("UNKNOWN")).as("region"),
                        max(when(col("credit").gt(0), col("channel"))).as("lc_channel"),
                        max(when(col("credit").gt(0), col("partner_id"))).as("lc_partner_id"));
        Dataset<Row> touched = touches.where(col("order_id").isNotNull())
                .select("order_id", "channel", "partner_id").distinct();
        return touched.join(lastClick, "order_id")
                .where(not(col("channel").eqNullSafe(col("lc_channel"))
                        .and(col("partner_id").eqNullSafe(col("lc_partner_id")))))
                .groupBy(KEYS[0], KEYS[1], KEYS[2], KEYS[3])
                .agg(countDistinct("order_id").as("assists"));
    }

    /**
     * Assembles the mart from its parts, all in USD: the model-independent rows (activity, cost, paid spend,
     * assists) appear under every model that has credit in the period, so a channel with spend and no order is
     * a row too. Amounts are then converted to the reporting currency ({@code toReporting}: date,
     * to_reporting = units of the reporting currency per USD).
     *
     * @param costs        date, channel, partner_id, region, cost_cps_usd, cost_cpc_usd, cost_cpm_usd,
     *                     cost_flat_fee_usd ({@link Costs#partnerCosts})
     * @param paidSpend    date, channel, region, cost_usd (non-partner channels)
     * @param dimPartner   silver.dim_partner (the version valid on the date gives the partner type)
     * @param uplift       extra commission per funnel stage (fraction of CPS + CPC + CPM)
     */
    public static Dataset<Row> assemble(Dataset<Row> creditMeasures, Dataset<Row> activity, Dataset<Row> costs,
                                        Dataset<Row> paidSpend, Dataset<Row> assists, Dataset<Row> dimPartner,
                                        TouchRules rules, Map<String, Double> uplift, Dataset<Row> toReporting,
                                        String currency) {
        Dataset<Row> spend = paidSpend.select(col("date"), col("channel"), lit(null).cast("string").as("partner_id"),
                col("region"), col("cost_usd").as("paid_spend_usd"));
        // One row per key for the model-independent measures: union, then sum (no chain of outer joins). Every
        // source states every amount (0 where it has none), so an amount still null after the sum is a missing FX
        // rate and stays null instead of vanishing from the total.
        Dataset<Row> independent = withZeros(activity.drop("seen_date"), AMOUNTS)
                .unionByName(withZeros(costs.drop("seen_date"), AMOUNTS), true)
                .unionByName(withZeros(spend, AMOUNTS), true)
                .unionByName(withZeros(assists, AMOUNTS), true)
                .groupBy(KEYS[0], KEYS[1], KEYS[2], KEYS[3])
                .agg(sum("impressions").as("impressions"), sum("clicks").as("clicks"), sum("assists").as("assists"),
                        sumKeepingNull("cost_cps_usd"), sumKeepingNull("cost_cpc_usd"), sumKeepingNull("cost_cpm_usd"),
                        sumKeepingNull("cost_flat_fee_usd"), sumKeepingNull("paid_spend_usd"));
        Dataset<Row> models = creditMeasures.select("model").distinct();
        Dataset<Row> rows = independent.crossJoin(broadcast(models))
                .unionByName(withZeros(creditMeasures, AMOUNTS), true)
                .groupBy(col("date"), col("model"), col("channel"), col("partner_id"), col("region"))
                .agg(zeroIfNull(sum("impressions")).as("impressions"), zeroIfNull(sum("clicks")).as("clicks"),
                        zeroIfNull(sum("orders")).as("orders"), zeroIfNull(sum("gmv_usd")).as("gmv_usd"),
                        zeroIfNull(sum("new_customers")).as("new_customers"), zeroIfNull(sum("assists")).as("assists"),
                        sumKeepingNull("cost_cps_usd"), sumKeepingNull("cost_cpc_usd"), sumKeepingNull("cost_cpm_usd"),
                        sumKeepingNull("cost_flat_fee_usd"), sumKeepingNull("paid_spend_usd"));
        // The partner type of the version valid that day, the stage from the journeys' funnel-stage map.
        Dataset<Row> versions = dimPartner.select(col("partner_id").as("v_partner_id"), col("partner_type"),
                col("valid_from"), col("valid_to"));
        Dataset<Row> typed = rows.join(broadcast(versions), col("partner_id").equalTo(col("v_partner_id"))
                        .and(col("date").geq(col("valid_from")))
                        .and(col("valid_to").isNull().or(col("date").lt(col("valid_to")))), "left")
                .withColumn("funnel_stage", rules.funnelStage(col("partner_id"), col("partner_type"), col("channel")));
        Column upliftRate = coalesce(com.partnermix.common.Lookups.lookup(uplift, col("funnel_stage")), lit(0.0));
        Column rate = col("to_reporting");
        Dataset<Row> converted = Costs.withReportingRate(typed, toReporting)
                .withColumn("gmv", col("gmv_usd").multiply(rate))
                .withColumn("cost_cps", col("cost_cps_usd").multiply(rate))
                .withColumn("cost_cpc", col("cost_cpc_usd").multiply(rate))
                .withColumn("cost_cpm", col("cost_cpm_usd").multiply(rate))
                .withColumn("cost_flat_fee", col("cost_flat_fee_usd").multiply(rate))
                // Only partners earn the stage uplift; it applies to the performance commission, not the flat fee.
                .withColumn("cost_uplift", when(col("partner_id").isNotNull(), upliftRate
                        .multiply(col("cost_cps").plus(col("cost_cpc")).plus(col("cost_cpm")))).otherwise(0.0))
                .withColumn("paid_spend", col("paid_spend_usd").multiply(rate))
                .withColumn("cost_total", col("cost_cps").plus(col("cost_cpc")).plus(col("cost_cpm"))
                        .plus(col("cost_flat_fee")).plus(col("cost_uplift")).plus(col("paid_spend")));
        return converted.select(col("date"), col("model"), col("channel"), col("partner_id"), col("partner_type"),
                col("funnel_stage"), col("region"), col("impressions"), col("clicks"), col("orders"), col("gmv"),
                col("new_customers"),
                // Ratios are null, not infinite, when their denominator is zero (a day without orders or cost).
                ratio(col("gmv"), col("orders")).as("aov"), col("assists"),
                col("cost_cps"), col("cost_cpc"), col("cost_cpm"), col("cost_flat_fee"), col("cost_uplift"),
                col("paid_spend"), col("cost_total"),
                ratio(col("cost_total"), col("new_customers")).as("cac"),
                ratio(col("gmv"), col("cost_total")).as("roas"),
                lit(currency).as("currency"));
    }

    /**
     * The GMV reconciliation: per date and model, orders and GMV as gold.attribution_credit holds them against
     * their sums over gold.partner_daily. Every row should show zero differences.
     */
    public static Dataset<Row> reconcile(Dataset<Row> partnerDaily, Dataset<Row> credit, Dataset<Row> toReporting,
                                         LocalDate from, LocalDate to, LocalDate runDate) {
        Dataset<Row> fromCredit = Costs.withReportingRate(credit.where(inRange(col("order_date"), from, to))
                .groupBy(col("order_date").as("date"), col("model"))
                .agg(countDistinct("order_id").cast("double").as("credit_orders"),
                        exactSum(col("credited_revenue_usd")).as("credit_gmv_usd")), toReporting)
                .withColumn("credit_gmv", col("credit_gmv_usd").multiply(col("to_reporting")));
        Dataset<Row> fromMart = partnerDaily.where(inRange(col("date"), from, to))
                .groupBy(col("date").as("m_date"), col("model").as("m_model"))
                .agg(exactSum(col("orders")).as("mart_orders"), exactSum(col("gmv")).as("mart_gmv"));
        return fromCredit.join(fromMart, col("date").equalTo(col("m_date")).and(col("model").equalTo(col("m_model"))),
                        "full_outer")
                .select(lit(Date.valueOf(runDate)).as("run_date"), coalesce(col("date"), col("m_date")).as("date"),
                        coalesce(col("model"), col("m_model")).as("model"),
                        zeroIfNull(col("credit_orders")).as("credit_orders"),
                        zeroIfNull(col("mart_orders")).as("mart_orders"),
                        zeroIfNull(col("credit_gmv")).as("credit_gmv"), zeroIfNull(col("mart_gmv")).as("mart_gmv"))
                .withColumn("orders_diff", col("mart_orders").minus(col("credit_orders")))
                .withColumn("gmv_diff", col("mart_gmv").minus(col("credit_gmv")));
    }

    /**
     * A sum of doubles that does not depend on the order rows arrive in: decimal addition is exact, so a rerun or a
     * backfill that lays the files out differently gives the same reconciliation to the last bit (9 decimals).
     */
    static Column exactSum(Column amount) {
        return sum(amount.cast("decimal(38,9)")).cast("double");
    }

    /** The amounts summed with {@link #sumKeepingNull}: null in a source row means a missing FX rate. */
    static final String[] AMOUNTS = {"cost_cps_usd", "cost_cpc_usd", "cost_cpm_usd", "cost_flat_fee_usd",
            "paid_spend_usd"};

    /**
     * Adds each of {@code amounts} the rows lack as 0.0, so that after a union a null amount can only be one that
     * could not be converted (a missing FX rate), never a source that has no such amount.
     */
    static Dataset<Row> withZeros(Dataset<Row> rows, String... amounts) {
        java.util.Set<String> present = new java.util.HashSet<>(java.util.Arrays.asList(rows.columns()));
        Dataset<Row> out = rows;
        for (String amount : amounts) {
            if (!present.contains(amount)) {
                out = out.withColumn(amount, lit(0.0));
            }
        }
        return out;
    }

    /** Sum of {@code column}, but null when any summed row is null: a cost with a missing rate stays visible. */
    static Column sumKeepingNull(String column) {
        return when(sum(when(col(column).isNull(), 1).otherwise(0)).gt(0), lit(null).cast("double"))
                .otherwise(coalesce(sum(col(column).cast("double")), lit(0.0))).as(column);
    }

    static Column ratio(Column numerator, Column denominator) {
        return when(denominator.notEqual(0), numerator.divide(denominator));
    }

    static Column zeroIfNull(Column c) {
        return coalesce(c, lit(0).cast("double")).cast("double");
    }

    static Column inRange(Column date, LocalDate from, LocalDate to) {
        Column upper = date.leq(Date.valueOf(to));
        return from == null ? upper : upper.and(date.geq(Date.valueOf(from)));
    }
}
