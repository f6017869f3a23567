package com.partnermix.marts;

import com.partnermix.common.Lookups;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.journeys.TouchRules;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static com.partnermix.marts.Statements.bookedMonth;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The items of {@link Statements}: pure transforms from the credit, costs, order versions and fraud flags to rows of
 * one shape (statement_month, partner_id, date and every amount of {@link #AMOUNTS}), each booked in the month
 * {@link Statements#bookedMonth} gives it.
 */
final class StatementItems {

    private StatementItems() {}

    /** Amount columns of a statement item, in USD until converted (credited_orders is a count). */
    static final String[] AMOUNTS = {"credited_orders", "credited_gmv_usd", "cost_cps_usd",
            "cost_cpc_usd", "cost_cpm_usd", "cost_flat_fee_usd", "cost_uplift_usd", "withheld_usd", "released_usd",
            "reversed_usd"};

    /** How a partner's activity of a day is priced: the dim_partner version of that day and its funnel uplift. */
    record PartnerPricing(Dataset<Row> dimPartner, TouchRules rules, Map<String, Double> uplift) {

        /** Adds the partner version valid on {@code dateColumn} (v_ columns), funnel_stage and uplift_rate. */
        Dataset<Row> on(Dataset<Row> rows, String dateColumn) {
            return Costs.withPartnerVersion(rows, dateColumn, dimPartner)
                    .withColumn("funnel_stage", rules.funnelStage(col("partner_id"), col("v_partner_type"),
                            lit(Costs.AFFILIATE)))
                    .withColumn("uplift_rate", coalesce(Lookups.lookup(uplift, col("funnel_stage")), lit(0.0))
                            .cast("double"));
        }
    }

    /** The run date and the days after a month's end that lock it: together they decide where an item is booked. */
    record Booking(LocalDate runDate, int lockDays) {

        Column runDay() {
            return lit(Date.valueOf(runDate));
        }

        /** The open month an item about activity of {@code activityDate}, known on {@code knownDate}, goes to. */
        Column month(Column activityDate, Column knownDate) {
            return bookedMonth(activityDate, knownDate, lockDays);
        }
    }

    /** Flags that hold commission back: withhold or reassign a partner's credit, detected by the run date. */
    static Column isWithholding(Column runDay) {
        return col("proposed_action").isin("withhold", "reassign").and(col("partner_id").isNotNull())
                .and(col("detected_date").leq(runDay));
    }

    /**
     * Per order and partner: the CPS per USD of the order's revenue ({@code cps_per_usd}), the revenue it was
     * placed with and its CPS + uplift then ({@code earned_cps_usd}, {@code earned_uplift_usd}), the day it was
     * first delivered ({@code seen_date}), and its revenue {@code history}. Orders without versions (none in a real
     * warehouse) earn on their credited revenue, known on their order day.
     */
    static Dataset<Row> orderEarnings(Dataset<Row> payoutCredit, Dataset<Row> revenueChanges, PartnerPricing pricing,
                                      Column runDay) {
        Dataset<Row> creditShares = pricing.on(payoutCredit.where(col("partner_id").isNotNull()
                        .and(col("order_date").leq(runDay))), "order_date")
                .groupBy("order_id", "partner_id")
                .agg(first("order_date").as("order_date"), sum("credit").as("credit"),
                        sum(col("credited_revenue_usd").cast("double")).as("credited_revenue_usd"),
                        first(when(Costs.model("cps", "hybrid"), coalesce(col("v_cps_rate"), lit(0)).cast("double"))
                                .otherwise(0.0)).as("cps_rate"),
                        first("uplift_rate").as("uplift_rate"));
        Dataset<Row> revenueHistory = revenueChanges.groupBy("order_id")
                .agg(min("event_date").as("seen_date"),
                        max(when(col("version").equalTo(1), col("owed_usd"))).as("placed_revenue_usd"),
                        // the versions in order, to look up what the order owed on a given day
                        sort_array(collect_list(struct(col("version"), col("event_date"), col("owed_usd"))))
                                .as("history"));
        return creditShares.join(revenueHistory, ScalaSeqs.of("order_id"), "left")
                .withColumn("seen_date", coalesce(col("seen_date"), col("order_date")))
                .withColumn("cps_per_usd", col("cps_rate").multiply(col("credit")))
                .withColumn("earned_cps_usd", coalesce(col("cps_per_usd").multiply(col("placed_revenue_usd")),
                        col("cps_rate").multiply(col("credited_revenue_usd"))))
                .withColumn("earned_uplift_usd", col("uplift_rate").multiply(col("earned_cps_usd")));
    }

    /** Order flags under their review item: one per order ("order:<id>"), so a dismissal covers all its flags. */
    static Dataset<Row> orderFlags(Dataset<Row> flags, Column runDay) {
        return flags.where(isWithholding(runDay).and(col("order_id").isNotNull()))
                .select(col("order_id"), col("partner_id"), col("detected_date"),
                        concat(lit("order:"), col("order_id")).as("queue_id"));
    }

    /** Click flags under their review item: the order's, or the partner's for flags without an order. */
    static Dataset<Row> clickFlags(Dataset<Row> flags, Column runDay) {
        return flags.where(isWithholding(runDay).and(col("event_id").isNotNull()))
                .select(col("event_id"), col("partner_id"), col("detected_date"),
                        when(col("order_id").isNotNull(), concat(lit("order:"), col("order_id")))
                                .otherwise(concat(lit("partner:"), col("partner_id"))).as("queue_id"));
    }

    /** Adds click_usd, the flagged click's CPC with its uplift, priced like the click's cost on its day. */
    static Dataset<Row> clickAmounts(Dataset<Row> clickPeriods, Dataset<Row> touchpoints, PartnerPricing pricing,
                                     Dataset<Row> fxDaily) {
        Dataset<Row> datedClicks = clickPeriods
                .join(touchpoints.select(col("event_id"), col("event_date").as("click_date")), "event_id");
        return Costs.withUsdRate(pricing.on(datedClicks, "click_date"), "click_date", "v_rate_currency", fxDaily)
                .where(Costs.model("cpc"))
                .withColumn("click_usd", coalesce(col("v_cpc_rate"), lit(0)).cast("double").multiply(col("usd_rate"))
                        .multiply(lit(1.0).plus(col("uplift_rate"))));
    }

    /**
     * What each withholding period holds back from its detection day: {@code amountOn} gives the amount for the
     * column of that day. {@code activityDate} dates the item (the order or click day).
     */
    static Dataset<Row> withheld(Dataset<Row> periods, String activityDate, Function<String, Column> amountOn,
                                 Booking booking) {
        return periods.select(col("partner_id"), col(activityDate).as("date"),
                booking.month(col(activityDate), col("withheld_on")).as("statement_month"),
                amountOn.apply("withheld_on").as("withheld_usd"));
    }

    /** What each released withholding period pays back on its release day; see {@link #withheld}. */
    static Dataset<Row> released(Dataset<Row> periods, String activityDate, Function<String, Column> amountOn,
                                 Booking booking) {
        return periods.where(col("released_on").isNotNull())
                .select(col("partner_id"), col(activityDate).as("date"),
                        booking.month(col(activityDate), col("released_on")).as("statement_month"),
                        amountOn.apply("released_on").as("released_usd"));
    }

    /**
     * The CPS + uplift an order owes the partner on the day in {@code dayColumn}: on the revenue of its latest
     * version delivered by then (the placed revenue's CPS when it has no version yet).
     */
    static Column owedOn(String dayColumn) {
        Column owedUsd = expr("aggregate(history, CAST(NULL AS DOUBLE), (acc, v) -> IF(v.event_date <= "
                + dayColumn + ", v.owed_usd, acc))");
        return coalesce(col("cps_per_usd").multiply(owedUsd), col("earned_cps_usd"))
                .multiply(lit(1.0).plus(col("uplift_rate")));
    }

    /**
     * The later versions of each order, with their CPS part ({@code part_cps_usd}: positive for a fall,
     * {@code rise_cps_usd} its negation) and whether the order was withheld when the version was delivered
     * ({@code is_withheld}). A version that changed nothing is left out; one without an FX rate is kept.
     */
    static Dataset<Row> revenueMoves(Dataset<Row> revenueChanges, Dataset<Row> orderEarnings,
                                     Dataset<Row> orderPeriods, Booking booking) {
        Dataset<Row> periods = orderPeriods.select(col("order_id").as("p_order_id"),
                col("partner_id").as("p_partner_id"), col("withheld_on"), col("released_on"));
        Column withheldThen = col("order_id").equalTo(col("p_order_id")).and(col("partner_id").equalTo(col("p_partner_id")))
                .and(col("event_date").gt(col("withheld_on")))
                .and(col("released_on").isNull().or(col("event_date").leq(col("released_on"))));
        return revenueChanges.where(col("version").gt(1)
                        .and(coalesce(col("fall_usd").notEqual(0.0), lit(true))))
                .join(orderEarnings.select("order_id", "partner_id", "order_date", "cps_per_usd", "uplift_rate"),
                        "order_id")
                .join(periods, withheldThen, "left")
                .withColumn("is_withheld", col("p_order_id").isNotNull())
                .withColumn("statement_month", booking.month(col("order_date"), col("event_date")))
                .withColumn("date", col("order_date"))
                .withColumn("part_cps_usd", col("cps_per_usd").multiply(col("fall_usd")))
                .withColumn("rise_cps_usd", col("part_cps_usd").multiply(-1.0));
    }

    private static Column isRise() {
        return col("fall_usd").lt(0);
    }

    /** A fall reverses its part with its uplift, unless the order is withheld then (already held back). */
    static Dataset<Row> reversals(Dataset<Row> revenueMoves) {
        Column isFall = coalesce(isRise().equalTo(false), lit(true));   // a null fall stays a (null) reversal
        return revenueMoves.where(isFall.and(col("is_withheld").equalTo(false)))
                .select(col("partner_id"), col("date"), col("statement_month"),
                        col("part_cps_usd").multiply(lit(1.0).plus(col("uplift_rate"))).as("reversed_usd"));
    }

    /** A rise earns its part; while the order is withheld it is withheld as it is earned. */
    static Dataset<Row> rises(Dataset<Row> revenueMoves) {
        return revenueMoves.where(isRise())
                .select(col("partner_id"), col("date"), col("statement_month"),
                        col("rise_cps_usd").as("cost_cps_usd"),
                        col("rise_cps_usd").multiply(col("uplift_rate")).as("cost_uplift_usd"),
                        when(col("is_withheld"), col("rise_cps_usd").multiply(lit(1.0).plus(col("uplift_rate"))))
                                .otherwise(0.0).as("withheld_usd"));
    }

    /** What the order earned when placed, with its credit, booked by its first delivery. */
    static Dataset<Row> earned(Dataset<Row> orderEarnings, Booking booking) {
        return orderEarnings.select(col("partner_id"), col("order_date").as("date"),
                booking.month(col("order_date"), col("seen_date")).as("statement_month"),
                col("credit").as("credited_orders"), col("credited_revenue_usd").as("credited_gmv_usd"),
                col("earned_cps_usd").as("cost_cps_usd"), col("earned_uplift_usd").as("cost_uplift_usd"));
    }

    /** CPC, CPM and flat fees with the uplift on CPC + CPM, booked by the day they were delivered (seen). */
    static Dataset<Row> fees(Dataset<Row> costs, PartnerPricing pricing, Booking booking) {
        return pricing.on(costs.where(col("partner_id").isNotNull()
                        .and(col("date").leq(booking.runDay()))), "date")
                .select(col("partner_id"), col("date"),
                        booking.month(col("date"), coalesce(col("seen_date"), col("date"))).as("statement_month"),
                        col("cost_cpc_usd"), col("cost_cpm_usd"), col("cost_flat_fee_usd"),
                        col("uplift_rate").multiply(col("cost_cpc_usd").plus(col("cost_cpm_usd"))).as("cost_uplift_usd"));
    }

    /** Items in the common shape: statement_month, partner_id, date and every amount (0 where it has none). */
    static Dataset<Row> inCommonShape(Dataset<Row> rows) {
        Map<String, Column> columns = new LinkedHashMap<>();
        columns.put("statement_month", col("statement_month"));
        columns.put("partner_id", col("partner_id"));
        columns.put("date", col("date"));
        List<String> present = Arrays.asList(rows.columns());
        for (String amount : AMOUNTS) {
            columns.put(amount, present.contains(amount) ? col(amount).cast("double") : lit(0.0));
        }
        return rows.select(columns.entrySet().stream().map(e -> e.getValue().as(e.getKey())).toArray(Column[]::new));
    }
}
