package com.partnermix.marts;

import com.partnermix.common.Lookups;
import com.partnermix.journeys.TouchRules;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.Map;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.last_day;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trunc;
import static org.apache.spark.sql.functions.when;

/**
 * {@code gold.commission_statement}: month x partner, what the programme owes each partner under the payout model.
 *
 * <p>Gross commission by component (CPS on the payout model's credit, CPC, CPM, the flat fee's days in the month)
 * plus the funnel-stage uplift on the performance part (CPS + CPC + CPM). Deductions are events with a date: a
 * fraud flag proposing withhold or reassign (its detection date) withholds the order's performance commission
 * (CPS + uplift); a cancellation or return (the delivery day of the first such order version) reverses it. An
 * event belongs to the month of its order unless that month was already locked on the event's date, in which
 * case it goes to the first month still open then. A month locks {@code lockDays} after its last day; a locked
 * month is final: the job never writes it again, and events already counted in it are not counted again.
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
     * @param payoutCredit  gold.attribution_credit rows of the payout model (order_id, order_date, partner_id,
     *                      credit, credited_revenue_usd)
     * @param costs         daily partner cost in USD ({@link Costs#partnerCosts})
     * @param orderVersions bronze.orders (order_id, order_date, updated_ts, status, revenue, currency, delivery_date)
     * @param fxDaily       daily FX calendar ({@link com.partnermix.common.FxRates#dailyCalendar})
     * @param flags         gold.fraud_flags (order_id, partner_id, proposed_action, detected_date)
     * @param firstOpen     the first month not locked in the stored statement (null: none stored yet)
     * @param toReporting   date, to_reporting (null for USD)
     */
    public static Dataset<Row> statements(Dataset<Row> payoutCredit, Dataset<Row> costs, Dataset<Row> orderVersions,
                                          Dataset<Row> fxDaily, Dataset<Row> flags, Dataset<Row> dimPartner, TouchRules rules,
                                          Map<String, Double> uplift, int lockDays, String payoutModel,
                                          LocalDate firstOpen, LocalDate runDate, Dataset<Row> toReporting,
                                          String currency) {
        Column run = lit(Date.valueOf(runDate));
        Column open = firstOpen == null ? lit(true) : col("statement_month").geq(lit(Date.valueOf(firstOpen)));
        Column upTo = col("statement_month").leq(month(run));

        // Each order's performance commission per partner (CPS on the payout credit, with the stage uplift).
        Dataset<Row> perOrder = upliftRate(Costs.withPartnerVersion(payoutCredit.where(col("partner_id").isNotNull()
                        .and(col("order_date").leq(run))), "order_date", dimPartner), rules, uplift)
                .groupBy("order_id", "partner_id")
                .agg(first("order_date").as("order_date"), sum("credit").as("credit"),
                        sum(col("credited_revenue_usd").cast("double")).as("credited_revenue_usd"),
                        sum(when(Costs.model("cps", "hybrid"), coalesce(col("v_cps_rate"), lit(0)).cast("double")
                                .multiply(col("credited_revenue_usd").cast("double"))
                                .multiply(lit(1.0).plus(col("uplift_rate")))).otherwise(0.0)).as("performance_usd"),
                        // the same per USD of order revenue: what a change of the order's revenue changes
                        sum(when(Costs.model("cps", "hybrid"), coalesce(col("v_cps_rate"), lit(0)).cast("double")
                                .multiply(col("credit")).multiply(lit(1.0).plus(col("uplift_rate")))).otherwise(0.0))
                                .as("performance_per_usd"));

        Dataset<Row> withholds = flags.where(col("proposed_action").isin("withhold", "reassign")
                        .and(col("order_id").isNotNull()).and(col("partner_id").isNotNull())
                        .and(col("detected_date").leq(run)))
                .groupBy("order_id", "partner_id").agg(min("detected_date").as("event_date"))
                .join(perOrder, com.partnermix.common.ScalaSeqs.of("order_id", "partner_id"))
                .select(col("order_id"), col("partner_id"),
                        bookedMonth(col("order_date"), col("event_date"), lockDays).as("statement_month"),
                        col("performance_usd").as("withheld_usd"));
        // The credit carries the order's current revenue (a return lowers it, a cancellation makes it 0), so an
        // order whose month is still open is already paid on what it kept. A month that locked before the
        // cancellation or return arrived paid on the revenue the order had then: the next open month claws back
        // the commission on the difference. A withheld order is not reversed as well: its commission is gone.
        Dataset<Row> versions = Costs.withUsdRate(orderVersions.where(col("delivery_date").leq(run)), "order_date",
                        "currency", fxDaily)
                .withColumn("version_usd", col("revenue").cast("double").multiply(col("usd_rate")));
        Dataset<Row> events = versions.where(col("status").isin("cancelled", "returned"))
                .groupBy("order_id").agg(min("delivery_date").as("event_date"));
        Column before = col("delivery_date").lt(col("event_date"));
        Dataset<Row> revenueChange = versions.join(events, "order_id")
                .groupBy("order_id").agg(first("event_date").as("event_date"),
                        max_by(col("version_usd"), col("updated_ts")).as("now_usd"),
                        max_by(when(before, col("version_usd")), when(before, col("updated_ts"))).as("paid_usd"));
        Dataset<Row> reversals = revenueChange.join(perOrder, "order_id")
                .join(withholds.select("order_id", "partner_id"), com.partnermix.common.ScalaSeqs.of("order_id",
                        "partner_id"), "left_anti")
                .withColumn("statement_month", bookedMonth(col("order_date"), col("event_date"), lockDays))
                .where(col("statement_month").gt(month(col("order_date"))))
                .select(col("partner_id"), col("statement_month"), col("performance_per_usd")
                        .multiply(greatest(coalesce(col("paid_usd"), col("now_usd")).minus(col("now_usd")), lit(0.0)))
                        .as("reversed_usd"));

        Dataset<Row> gross = upliftRate(Costs.withPartnerVersion(costs.where(col("partner_id").isNotNull()
                        .and(col("date").leq(run))), "date", dimPartner), rules, uplift)
                .select(col("partner_id"), month(col("date")).as("statement_month"),
                        col("cost_cps_usd"), col("cost_cpc_usd"), col("cost_cpm_usd"), col("cost_flat_fee_usd"),
                        col("uplift_rate").multiply(coalesce(col("cost_cps_usd"), lit(0.0))
                                .plus(coalesce(col("cost_cpc_usd"), lit(0.0)))
                                .plus(coalesce(col("cost_cpm_usd"), lit(0.0)))).as("cost_uplift_usd"));
        Dataset<Row> credited = perOrder.select(col("partner_id"), month(col("order_date")).as("statement_month"),
                col("credit").as("credited_orders"), col("credited_revenue_usd").as("credited_gmv_usd"));

        Dataset<Row> summed = gross.unionByName(credited, true)
                .unionByName(withholds.drop("order_id"), true).unionByName(reversals, true)
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
