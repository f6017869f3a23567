package com.partnermix.marts;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.time.LocalDate;

import static com.partnermix.marts.PartnerDaily.inRange;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.dayofmonth;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.last_day;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rank;
import static org.apache.spark.sql.functions.sequence;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trunc;
import static org.apache.spark.sql.functions.when;

/**
 * What partners and paid media cost, per day, in USD, under each partner's payment model (the version of
 * silver.dim_partner valid that day): CPS = cps_rate x revenue credited by the payout model, CPC = cpc_rate per
 * click, CPM = cpm_rate per thousand impressions, flat fee = flat_fee_monthly spread evenly over the days of its
 * month, hybrid = flat fee + CPS. Rates in {@code rate_currency} are converted at the day's FX rate; a day without
 * a rate leaves the amount null (never 1 USD per unit).
 */
public final class Costs {

    private Costs() {}

    public static final String AFFILIATE = "affiliate";

    /** Adds the partner version valid on {@code dateColumn} (left join: non-partner rows keep nulls). */
    static Dataset<Row> withPartnerVersion(Dataset<Row> rows, String dateColumn, Dataset<Row> dimPartner) {
        Dataset<Row> versions = dimPartner.select(col("partner_id").as("v_partner_id"),
                col("partner_type").as("v_partner_type"), col("region").as("v_partner_region"),
                col("payment_model").as("v_payment_model"), col("cps_rate").as("v_cps_rate"),
                col("cpc_rate").as("v_cpc_rate"), col("cpm_rate").as("v_cpm_rate"),
                col("flat_fee_monthly").as("v_flat_fee_monthly"), col("rate_currency").as("v_rate_currency"),
                col("valid_from").as("v_valid_from"), col("valid_to").as("v_valid_to"));
        return rows.join(broadcast(versions), col("partner_id").equalTo(col("v_partner_id"))
                .and(col(dateColumn).geq(col("v_valid_from")))
                .and(col("v_valid_to").isNull().or(col(dateColumn).lt(col("v_valid_to")))), "left");
    }

    /**
     * Adds usd_rate (USD per unit of {@code currencyColumn} on {@code dateColumn}); USD (or no currency) is 1. A
     * currency without a rate that day stays null, so every amount converted with it is null: a missing rate must
     * show (the marts' data-quality checks stop the night on a null cost), not pass silently as 1 USD per unit.
     */
    static Dataset<Row> withUsdRate(Dataset<Row> rows, String dateColumn, String currencyColumn, Dataset<Row> fxDaily) {
        Dataset<Row> fx = fxDaily.select(col("rate_date").as("fx_date"), col("currency").as("fx_currency"),
                col("usd_per_unit").cast("double").as("fx_usd_per_unit"));
        return rows.join(broadcast(fx), col("fx_date").equalTo(col(dateColumn))
                        .and(col("fx_currency").equalTo(col(currencyColumn))), "left")
                .withColumn("usd_rate", when(col(currencyColumn).isNull().or(col(currencyColumn).equalTo("USD")), 1.0)
                        .otherwise(col("fx_usd_per_unit")))
                .drop("fx_date", "fx_currency", "fx_usd_per_unit");
    }

    static Column model(String... models) {
        return col("v_payment_model").isin((Object[]) models);
    }

    /** The cost components in USD, in the order partner_daily and the statements show them. */
    static final String[] COMPONENTS = {"cost_cps_usd", "cost_cpc_usd", "cost_cpm_usd", "cost_flat_fee_usd"};

    /**
     * Partner cost per (date, channel, partner_id, region, seen_date) in USD by component. CPC and CPM fall on the
     * touch's day and region, CPS on the order's, the flat fee on the regions of the partner's month-to-date
     * activity ({@link #splitFlatFees}). {@code seen_date} is the first day the warehouse could know the cost (the
     * touches' delivery day, the flat fee's day or its partner version's first snapshot): the statements book late
     * costs by it. A component whose rate has no FX rate that day is null, and stays null through the sums.
     *
     * @param activity     date, channel, partner_id, region, seen_date, clicks, impressions
     *                     ({@link PartnerDaily#activity}; from the first day of from's month for the flat-fee split)
     * @param payoutCredit gold.attribution_credit rows of the payout model
     * @param from         first day (null: from each partner's start)
     */
    public static Dataset<Row> partnerCosts(Dataset<Row> activity, Dataset<Row> payoutCredit, Dataset<Row> dimPartner,
                                            Dataset<Row> fxDaily, LocalDate from, LocalDate to) {
        Dataset<Row> partnerActivity = activity.where(col("partner_id").isNotNull());
        Dataset<Row> perTouch = withUsdRate(withPartnerVersion(partnerActivity, "date", dimPartner), "date",
                "v_rate_currency", fxDaily)
                .select(col("date"), col("channel"), col("partner_id"), col("region"), col("seen_date"),
                        when(model("cpc"), col("clicks").multiply(coalesce(col("v_cpc_rate"), lit(0)).cast("double"))
                                .multiply(col("usd_rate"))).otherwise(0.0).as("cost_cpc_usd"),
                        when(model("cpm"), col("impressions").divide(1000.0)
                                .multiply(coalesce(col("v_cpm_rate"), lit(0)).cast("double"))
                                .multiply(col("usd_rate"))).otherwise(0.0).as("cost_cpm_usd"));
        // CPS rows carry the order day as seen_date: the statements date CPS by the order's own delivery instead.
        Dataset<Row> cps = withPartnerVersion(payoutCredit.where(col("partner_id").isNotNull()
                .and(inRange(col("order_date"), from, to))), "order_date", dimPartner)
                .groupBy(col("order_date").as("date"), col("channel"), col("partner_id"), col("region"),
                        col("order_date").as("seen_date"))
                .agg(sum(when(model("cps", "hybrid"), coalesce(col("v_cps_rate"), lit(0)).cast("double")
                        .multiply(col("credited_revenue_usd").cast("double"))).otherwise(0.0)).as("cost_cps_usd"));
        Dataset<Row> fees = splitFlatFees(flatFees(dimPartner, fxDaily, from, to), partnerActivity);
        // Every source states all components (0 where it has none), so a null left after the sum is a missing rate.
        return PartnerDaily.withZeros(perTouch, COMPONENTS)
                .unionByName(PartnerDaily.withZeros(cps, COMPONENTS))
                .unionByName(PartnerDaily.withZeros(fees, COMPONENTS))
                .groupBy(PartnerDaily.KEYS[0], PartnerDaily.KEYS[1], PartnerDaily.KEYS[2], PartnerDaily.KEYS[3],
                        "seen_date")
                .agg(PartnerDaily.sumKeepingNull("cost_cps_usd"), PartnerDaily.sumKeepingNull("cost_cpc_usd"),
                        PartnerDaily.sumKeepingNull("cost_cpm_usd"), PartnerDaily.sumKeepingNull("cost_flat_fee_usd"));
    }

    /**
     * The flat monthly fee of flat_fee and hybrid partners spread evenly over the days of its month: a 300 USD fee
     * in a 30-day month is 10 USD a day, for the days the version was valid, up to {@code to}, on the partner's own
     * region. {@code seen_date}: the day itself, or the version's first snapshot when that came later (a partner
     * whose catalog row arrived after its join date).
     */
    public static Dataset<Row> flatFees(Dataset<Row> dimPartner, Dataset<Row> fxDaily, LocalDate from, LocalDate to) {
        Column start = from == null ? col("valid_from") : greatest(col("valid_from"), lit(java.sql.Date.valueOf(from)));
        Column end = least(coalesce(date_sub(col("valid_to"), 1), lit(java.sql.Date.valueOf(to))),
                lit(java.sql.Date.valueOf(to)));
        Column firstSeen = java.util.Arrays.asList(dimPartner.columns()).contains("first_seen")
                ? col("first_seen") : lit(null).cast("date");
        Dataset<Row> days = dimPartner.where(col("payment_model").isin("flat_fee", "hybrid")
                        .and(col("flat_fee_monthly").isNotNull()))
                .withColumn("first_day", start).withColumn("last_day_valid", end)
                .where(col("first_day").leq(col("last_day_valid")))
                .select(col("partner_id"), col("region"), col("flat_fee_monthly"), col("rate_currency"),
                        firstSeen.as("version_first_seen"),
                        explode(sequence(col("first_day"), col("last_day_valid"))).as("date"));
        return withUsdRate(days, "date", "rate_currency", fxDaily)
                .select(col("date"), lit(AFFILIATE).as("channel"), col("partner_id"), col("region"),
                        // greatest skips a null first snapshot: the day itself
                        greatest(col("date"), col("version_first_seen")).as("seen_date"),
                        col("flat_fee_monthly").cast("double").multiply(col("usd_rate"))
                                .divide(dayofmonth(last_day(col("date")))).as("cost_flat_fee_usd"));
    }

    /**
     * Puts each day's flat fee on the regions where the partner was active in its month up to that day, in
     * proportion to its clicks + impressions there, so that regional ROAS and CAC see the fee where the partner
     * brings its GMV (a GLOBAL fee row has cost but never GMV). A partner without activity yet in the month keeps
     * the fee on its own region. The shares of a day sum to 1: the partner's total fee is unchanged.
     *
     * @param fees     {@link #flatFees}
     * @param activity partner activity (date, partner_id, region, clicks, impressions) from the months' first days
     */
    static Dataset<Row> splitFlatFees(Dataset<Row> fees, Dataset<Row> activity) {
        Dataset<Row> perDay = activity.groupBy(col("partner_id").as("a_partner_id"), col("region").as("a_region"),
                        col("date").as("a_date"))
                .agg(sum(col("clicks").plus(col("impressions"))).as("a_touches"));
        Dataset<Row> feeDays = fees.select(col("date").as("f_date"), col("partner_id").as("f_partner_id")).distinct();
        // Month to date: the activity days of the fee day's month up to the fee day.
        Dataset<Row> shares = feeDays.join(perDay, col("a_partner_id").equalTo(col("f_partner_id"))
                        .and(trunc(col("a_date"), "month").equalTo(trunc(col("f_date"), "month")))
                        .and(col("a_date").leq(col("f_date"))))
                .groupBy("f_date", "f_partner_id", "a_region").agg(sum("a_touches").as("region_touches"))
                .withColumn("share", col("region_touches").divide(
                        sum("region_touches").over(Window.partitionBy("f_date", "f_partner_id"))))
                .select("f_date", "f_partner_id", "a_region", "share");
        return fees.join(shares, col("date").equalTo(col("f_date")).and(col("partner_id").equalTo(col("f_partner_id"))),
                        "left")
                .select(col("date"), col("channel"), col("partner_id"),
                        coalesce(col("a_region"), col("region")).as("region"), col("seen_date"),
                        col("cost_flat_fee_usd").multiply(coalesce(col("share"), lit(1.0))).as("cost_flat_fee_usd"));
    }

    /**
     * Paid-media spend in USD per (date, channel, region): per date, channel, region and currency the latest
     * delivery, all its rows summed (a delivery may split a day's spend over rows; an earlier delivery of the same
     * key is a superseded version), each at the day's rate. Affiliate rows in the spend feed, if any, are left out:
     * partner cost comes from the commission rules. A currency without a rate that day makes the spend null.
     */
    public static Dataset<Row> paidSpend(Dataset<Row> spend, Dataset<Row> fxDaily, LocalDate from, LocalDate to) {
        Dataset<Row> latest = spend.where(inRange(col("date"), from, to).and(col("channel").notEqual(AFFILIATE)))
                .withColumn("rank", rank().over(Window.partitionBy("date", "channel", "region", "currency")
                        .orderBy(col("delivery_date").desc())))
                .where(col("rank").equalTo(1));
        return withUsdRate(latest, "date", "currency", fxDaily)
                .withColumn("cost_usd", col("spend").cast("double").multiply(col("usd_rate")))
                .groupBy("date", "channel", "region")
                .agg(PartnerDaily.sumKeepingNull("cost_usd"));
    }

    /**
     * Units of the reporting currency per USD per day (date, to_reporting); null for USD (no conversion).
     */
    public static Dataset<Row> toReporting(Dataset<Row> fxDaily, String currency) {
        if ("USD".equals(currency)) {
            return null;
        }
        return fxDaily.where(col("currency").equalTo(currency))
                .select(col("rate_date").as("date"), lit(1.0).divide(col("usd_per_unit").cast("double")).as("to_reporting"));
    }

    /** Adds to_reporting to rows with a {@code date} column (1 when the reporting currency is USD). */
    static Dataset<Row> withReportingRate(Dataset<Row> rows, Dataset<Row> toReporting) {
        return toReporting == null ? rows.withColumn("to_reporting", lit(1.0))
                : rows.join(broadcast(toReporting), "date", "left");
    }
}
