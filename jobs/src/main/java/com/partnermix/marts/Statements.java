package com.partnermix.marts;

import com.partnermix.common.Lookups;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.journeys.TouchRules;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Map;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.last_day;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trunc;

/**
 * {@code gold.commission_statement}: month x partner, what the programme owes each partner under the payout model.
 *
 * <p>Gross commission by component (CPS earned on the revenue the order was placed with, under the payout model's
 * credit; CPC; CPM; the flat fee's days in the month) plus the funnel-stage uplift on the performance part (CPS +
 * CPC + CPM). Deductions are events with a date: a fraud flag proposing withhold or reassign (its detection date)
 * withholds the order's performance commission (CPS + uplift), or the flagged click's CPC + uplift; a cancellation or a return (each order version
 * that lowers the revenue owed, on its delivery day) reverses the CPS of the part that fell, so a partial return
 * reverses part of it and two returns reverse each their own part. An event belongs to the month of its order
 * unless that month was already locked on the event's date, in which case it goes to the first month still open
 * then. A month locks {@code lockDays} after its last day; a locked month is final: the job never writes it
 * again, and events already counted in it are not counted again.
 *
 * <p>So an order's statement CPS is what it earned when placed, less what later changes took back: the same as
 * the CPS on its current revenue in {@code gold.partner_daily} once every change is booked.
 */
public final class Statements {

    private Statements() {}

    static Column month(Column date) {
        return trunc(date, "month");
    }

    /** The first day on which {@code monthStart}'s statement is locked. */
    static Column locksOn(Column monthStart, int lockDays) {
        return date_add(last_day(monthStart), lockDays);
    }

    /** The open month an event dated {@code eventDate} about an order of {@code orderDate} is booked in. */
    static Column bookedMonth(Column orderDate, Column eventDate, int lockDays) {
        // The months still open on day r are those whose lock day is after r: from the month of r - lockDays + 1.
        return greatest(month(orderDate), month(date_sub(eventDate, lockDays - 1)));
    }

    /**
     * The revenue changes that reverse commission: per order version after the first, how much the revenue owed
     * on (0 once cancelled) fell, in USD at the order day's rate, dated by the version's delivery. A partial
     * return is one such change; a second return after the month locked reverses only its own part.
     *
     * @param orderVersions bronze.orders (order_id, order_date, updated_ts, status, revenue, currency,
     *                      delivery_date), delivered up to the run date
     */
    static Dataset<Row> revenueChanges(Dataset<Row> orderVersions, Dataset<Row> fxDaily) {
        WindowSpec versions = Window.partitionBy("order_id").orderBy(col("updated_ts"), col("delivery_date"));
        Column owed = when(col("status").equalTo("cancelled"), lit(0.0)).otherwise(col("revenue").cast("double"));
        Dataset<Row> ranked = orderVersions.withColumn("owed", owed)
                .withColumn("version", row_number().over(versions))
                .withColumn("owed_before", lag(col("owed"), 1).over(versions));
        return Costs.withUsdRate(ranked, "order_date", "currency", fxDaily)
                .select(col("order_id"), col("version"), col("delivery_date").as("event_date"),
                        col("owed").multiply(col("usd_rate")).as("owed_usd"),
                        col("owed_before").minus(col("owed")).multiply(col("usd_rate")).as("fall_usd"));
    }

    /**
     * @param payoutCredit  gold.attribution_credit rows of the payout model (order_id, order_date, partner_id,
     *                      credit, credited_revenue_usd)
     * @param costs         daily partner cost in USD ({@link Costs#partnerCosts}): CPC, CPM and flat fees
     * @param orderVersions bronze.orders (order_id, order_date, updated_ts, status, revenue, currency,
     *                      delivery_date), delivered up to the run date
     * @param fxDaily       the daily FX calendar (rate_date, currency, usd_per_unit)
     * @param flags         gold.fraud_flags (order_id, event_id, partner_id, proposed_action, detected_date)
     * @param touchpoints   bronze.touchpoints (event_id, event_date), to date the flagged clicks
     * @param firstOpen     the first month not locked in the stored statement (null: none stored yet)
     * @param toReporting   date, to_reporting (null for USD)
     */
    public static Dataset<Row> statements(Dataset<Row> payoutCredit, Dataset<Row> costs, Dataset<Row> orderVersions,
                                          Dataset<Row> fxDaily, Dataset<Row> flags, Dataset<Row> touchpoints,
                                          Dataset<Row> dimPartner,
                                          TouchRules rules, Map<String, Double> uplift, int lockDays,
                                          String payoutModel, LocalDate firstOpen, LocalDate runDate,
                                          Dataset<Row> toReporting, String currency) {
        Column run = lit(Date.valueOf(runDate));
        Column open = firstOpen == null ? lit(true) : col("statement_month").geq(lit(Date.valueOf(firstOpen)));
        Column upTo = col("statement_month").leq(month(run));
        Dataset<Row> changes = revenueChanges(orderVersions.where(col("delivery_date").leq(run)), fxDaily);

        // Each order's CPS per partner is earned on the revenue as first placed, in the order's month; later
        // falls in revenue (cancellations, returns) are reversals. Orders without versions (none in a real
        // warehouse) earn on their credited revenue.
        Dataset<Row> shares = upliftRate(Costs.withPartnerVersion(payoutCredit.where(col("partner_id").isNotNull()
                        .and(col("order_date").leq(run))), "order_date", dimPartner), rules, uplift)
                .groupBy("order_id", "partner_id")
                .agg(first("order_date").as("order_date"), sum("credit").as("credit"),
                        sum(col("credited_revenue_usd").cast("double")).as("credited_revenue_usd"),
                        first(when(Costs.model("cps", "hybrid"), coalesce(col("v_cps_rate"), lit(0)).cast("double"))
                                .otherwise(0.0)).as("cps_rate"),
                        first("uplift_rate").as("uplift_rate"));
        Dataset<Row> placed = changes.where(col("version").equalTo(1)).select(col("order_id"),
                col("owed_usd").as("placed_revenue_usd"));
        Dataset<Row> perOrder = shares.join(placed, ScalaSeqs.of("order_id"), "left")
                .withColumn("earned_cps_usd", col("cps_rate").multiply(coalesce(
                        col("credit").multiply(col("placed_revenue_usd")), col("credited_revenue_usd"))))
                .withColumn("earned_uplift_usd", col("uplift_rate").multiply(col("earned_cps_usd")))
                .withColumn("performance_usd", col("earned_cps_usd").plus(col("earned_uplift_usd")));

        Dataset<Row> withholds = flags.where(col("proposed_action").isin("withhold", "reassign")
                        .and(col("order_id").isNotNull()).and(col("partner_id").isNotNull())
                        .and(col("detected_date").leq(run)))
                .groupBy("order_id", "partner_id").agg(min("detected_date").as("event_date"))
                .join(perOrder, ScalaSeqs.of("order_id", "partner_id"))
                .select(col("order_id"), col("partner_id"),
                        bookedMonth(col("order_date"), col("event_date"), lockDays).as("statement_month"),
                        col("performance_usd").as("withheld_usd"));
        // The CPC of a click flagged withhold or reassign (cookie stuffing, click floods, ...) is withheld too,
        // with its uplift, priced like the click's cost on its day.
        Dataset<Row> flaggedClicks = flags.where(col("proposed_action").isin("withhold", "reassign")
                        .and(col("event_id").isNotNull()).and(col("partner_id").isNotNull())
                        .and(col("detected_date").leq(run)))
                .groupBy("event_id", "partner_id").agg(min("detected_date").as("event_date_flagged"))
                .join(touchpoints.select(col("event_id"), col("event_date").as("click_date")), "event_id");
        Dataset<Row> withheldClicks = Costs.withUsdRate(upliftRate(Costs.withPartnerVersion(flaggedClicks, "click_date",
                        dimPartner), rules, uplift), "click_date", "v_rate_currency", fxDaily)
                .where(Costs.model("cpc"))
                .select(col("partner_id"),
                        bookedMonth(col("click_date"), col("event_date_flagged"), lockDays).as("statement_month"),
                        coalesce(col("v_cpc_rate"), lit(0)).cast("double").multiply(col("usd_rate"))
                                .multiply(lit(1.0).plus(col("uplift_rate"))).as("withheld_usd"));
        // A withheld order is not reversed as well: its commission is already gone.
        Dataset<Row> reversals = changes.where(col("fall_usd").notEqual(0.0))
                .join(perOrder, "order_id")
                .join(withholds.select("order_id", "partner_id"), ScalaSeqs.of("order_id", "partner_id"), "left_anti")
                .select(col("partner_id"),
                        bookedMonth(col("order_date"), col("event_date"), lockDays).as("statement_month"),
                        col("cps_rate").multiply(col("credit")).multiply(col("fall_usd"))
                                .multiply(lit(1.0).plus(col("uplift_rate"))).as("reversed_usd"));

        Dataset<Row> earned = perOrder.select(col("partner_id"), month(col("order_date")).as("statement_month"),
                col("earned_cps_usd").as("cost_cps_usd"), col("earned_uplift_usd").as("cost_uplift_usd"));
        Dataset<Row> gross = upliftRate(Costs.withPartnerVersion(costs.where(col("partner_id").isNotNull()
                        .and(col("date").leq(run))), "date", dimPartner), rules, uplift)
                .select(col("partner_id"), month(col("date")).as("statement_month"),
                        col("cost_cpc_usd"), col("cost_cpm_usd"), col("cost_flat_fee_usd"),
                        col("uplift_rate").multiply(coalesce(col("cost_cpc_usd"), lit(0.0))
                                .plus(coalesce(col("cost_cpm_usd"), lit(0.0)))).as("cost_uplift_usd"))
                .unionByName(earned, true);
        Dataset<Row> credited = perOrder.select(col("partner_id"), month(col("order_date")).as("statement_month"),
                col("credit").as("credited_orders"), col("credited_revenue_usd").as("credited_gmv_usd"));

        Dataset<Row> summed = gross.unionByName(credited, true)
                .unionByName(withholds.drop("order_id"), true).unionByName(withheldClicks, true)
                .unionByName(reversals, true)
                // Events booked in a locked month were counted when it locked; months after D do not exist yet.
                .where(open.and(upTo))
                .groupBy("statement_month", "partner_id")
                .agg(z("credited_orders"), z("credited_gmv_usd"), z("cost_cps_usd"), z("cost_cpc_usd"),
                        z("cost_cpm_usd"), z("cost_flat_fee_usd"), z("cost_uplift_usd"), z("withheld_usd"),
                        z("reversed_usd"));
        // The partner's version on the statement's last day (or D, in the running month) names type and model;
        // amounts are converted at that day's rate.
        Dataset<Row> asOf = summed.withColumn("date", least(last_day(col("statement_month")), run));
        Dataset<Row> typed = Costs.withReportingRate(upliftRate(Costs.withPartnerVersion(asOf, "date", dimPartner),
                rules, uplift), toReporting);
        Column rate = col("to_reporting");
        Column gross4 = col("cost_cps_usd").plus(col("cost_cpc_usd")).plus(col("cost_cpm_usd"))
                .plus(col("cost_flat_fee_usd")).plus(col("cost_uplift_usd"));
        return typed.select(col("statement_month"), col("partner_id"), col("v_partner_type").as("partner_type"),
                col("funnel_stage"), col("v_payment_model").as("payment_model"), lit(payoutModel).as("payout_model"),
                col("credited_orders"), col("credited_gmv_usd").multiply(rate).as("credited_gmv"),
                col("cost_cps_usd").multiply(rate).as("commission_cps"),
                col("cost_cpc_usd").multiply(rate).as("commission_cpc"),
                col("cost_cpm_usd").multiply(rate).as("commission_cpm"),
                col("cost_flat_fee_usd").multiply(rate).as("commission_flat_fee"),
                col("uplift_rate"), col("cost_uplift_usd").multiply(rate).as("commission_uplift"),
                gross4.multiply(rate).as("commission_gross"),
                col("withheld_usd").multiply(rate).as("withheld_fraud"),
                col("reversed_usd").multiply(rate).as("reversals"),
                gross4.minus(col("withheld_usd")).minus(col("reversed_usd")).multiply(rate).as("net_payable"),
                lit(currency).as("currency"),
                run.geq(locksOn(col("statement_month"), lockDays)).as("is_locked"),
                locksOn(col("statement_month"), lockDays).as("locks_on"),
                run.as("computed_on"));
    }

    private static Column z(String column) {
        return coalesce(sum(column), lit(0.0)).cast("double").as(column);
    }

    /** Adds funnel_stage and uplift_rate from the partner version columns of {@link Costs#withPartnerVersion}. */
    private static Dataset<Row> upliftRate(Dataset<Row> rows, TouchRules rules, Map<String, Double> uplift) {
        return rows.withColumn("funnel_stage", rules.funnelStage(col("partner_id"), col("v_partner_type"),
                        lit(Costs.AFFILIATE)))
                .withColumn("uplift_rate", coalesce(Lookups.lookup(uplift, col("funnel_stage")), lit(0.0))
                        .cast("double"));
    }
}
