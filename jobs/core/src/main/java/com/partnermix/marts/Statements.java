package com.partnermix.marts;

import com.partnermix.common.ScalaSeqs;
import com.partnermix.fraud.ReviewDecisions;
import com.partnermix.journeys.TouchRules;
import com.partnermix.marts.StatementItems.Booking;
import com.partnermix.marts.StatementItems.PartnerPricing;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static com.partnermix.marts.StatementItems.AMOUNTS;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.last_day;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trunc;
import static org.apache.spark.sql.functions.when;

/**
 * {@code gold.commission_statement}: month x partner, what the programme owes each partner under the payout model.
 *
 * <p>Everything on a statement is an item with two dates: the day of the activity it pays for (the order day, the
 * click or impression day, the flat fee's day), whose FX rate converts it, and the day the item became known
 * (the order's first delivery, the touches' delivery, a revenue change's delivery, a fraud flag's detection, a
 * reviewer's dismissal), which decides where it is booked: in the activity's month while that month is still open
 * on that day, else in the first month open then. A month locks {@code lockDays} after its last day; a locked
 * month is final: the job never writes it again, and items already counted in it are not counted again.
 *
 * <ul>
 *   <li>Earned: CPS on the revenue the order was placed with (under the payout model's credit), plus the CPS of
 *       every later upward correction; CPC, CPM, the flat fee's days; the funnel-stage uplift on CPS + CPC + CPM.</li>
 *   <li>Reversed: the CPS + uplift of every later fall of the revenue owed (a cancellation owes 0, a return its
 *       lower revenue), each fall its own part.</li>
 *   <li>Withheld: from the detection of a flag proposing withhold or reassign, what the order still owes the
 *       partner then (CPS + uplift on the revenue after the changes delivered up to that day), or the flagged
 *       click's CPC + uplift. While withheld, a fall is not reversed (the commission is already held back) and a
 *       rise is withheld as it is earned.</li>
 *   <li>Released: when a reviewer dismisses the flag's review item, what the order owes on the review day (or the
 *       click's amount) is paid back; a flag detected after the dismissal withholds again.</li>
 * </ul>
 *
 * <p>So an order's CPS over all statements is the CPS on its current revenue, the same as in
 * {@code gold.partner_daily}, and a withheld order nets to zero until its release.
 */
public final class Statements {

    private Statements() {}

    /** The status a reviewer sets when a flag was a false alarm (fraud.ReviewDecisions). */
    static final String DISMISSED = ReviewDecisions.DISMISSED;

    static Column month(Column date) {
        return trunc(date, "month");
    }

    /** The first day on which {@code monthStart}'s statement is locked. */
    static Column locksOn(Column monthStart, int lockDays) {
        return date_add(last_day(monthStart), lockDays);
    }

    /** The open month an item about activity of {@code activityDate}, known on {@code knownDate}, is booked in. */
    static Column bookedMonth(Column activityDate, Column knownDate, int lockDays) {
        // The months still open on day r are those whose lock day is after r: from the month of r - lockDays + 1.
        return greatest(month(activityDate), month(date_sub(knownDate, lockDays - 1)));
    }

    /**
     * The revenue changes of each order: per order version, the revenue owed (0 once cancelled) in USD at the
     * order day's rate, and how much it fell from the previous version ({@code fall_usd}; negative: a rise),
     * dated by the version's delivery.
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
     * The dismissals that count on the run date: review items whose latest decision reviewed on or before the run
     * date is dismissed, with its review day (queue_id, review_date). A decision reviewed after the run date is not
     * seen, and a later decision (reopened, confirmed) does not undo what D saw, so a rerun of D gives what D gave.
     *
     * @param reviews gold.fraud_review_decisions (queue_id, status, reviewed_at; recorded_at and decision_id break
     *                ties), every decision of an item: {@link ReviewDecisions#latestAsOf} picks the one that counts
     */
    static Dataset<Row> dismissals(Dataset<Row> reviews, LocalDate runDate) {
        return ReviewDecisions.latestAsOf(reviews, runDate).where(col("status").equalTo(DISMISSED))
                .select(col("queue_id"), to_date(col("reviewed_at")).as("review_date"));
    }

    /**
     * The withholding periods of each target (an order and partner, or a click and partner): from the first
     * detection ({@code withheld_on}) to the release ({@code released_on}, null while withheld). A target is
     * released on the latest dismissal of its flags' review items once every flag detected up to that day is
     * covered by a dismissal (detected on or before its item's review day); a flag detected after the release
     * opens a second period that stays withheld. Periods of a target never overlap, so nothing is withheld twice.
     *
     * @param targetFlags the withholding flags: target columns, detected_date, queue_id (their review item)
     */
    static Dataset<Row> withholdPeriods(Dataset<Row> targetFlags, Dataset<Row> dismissals, String... target) {
        Column[] keys = Arrays.stream(target).map(org.apache.spark.sql.functions::col).toArray(Column[]::new);
        Dataset<Row> marked = targetFlags.join(dismissals, ScalaSeqs.of("queue_id"), "left")
                .withColumn("covered", coalesce(col("detected_date").leq(col("review_date")), lit(false)))
                .withColumn("release_date", max(when(col("covered"), col("review_date")))
                        .over(Window.partitionBy(keys)));
        Dataset<Row> perTarget = marked.groupBy(keys)
                .agg(min("detected_date").as("first_detected"), max("release_date").as("release_date"),
                        max(when(col("covered").equalTo(false).and(col("detected_date").leq(col("release_date"))),
                                lit(true))).as("blocked"),
                        min(when(col("detected_date").gt(col("release_date")), col("detected_date"))).as("next_detected"));
        Column released = col("release_date").isNotNull().and(col("blocked").isNull());
        List<Column> firstPeriod = new ArrayList<>(Arrays.asList(keys));
        firstPeriod.add(col("first_detected").as("withheld_on"));
        firstPeriod.add(when(released, col("release_date")).as("released_on"));
        List<Column> secondPeriod = new ArrayList<>(Arrays.asList(keys));
        secondPeriod.add(col("next_detected").as("withheld_on"));
        secondPeriod.add(lit(null).cast("date").as("released_on"));
        return perTarget.select(firstPeriod.toArray(Column[]::new))
                .unionByName(perTarget.where(released.and(col("next_detected").isNotNull()))
                        .select(secondPeriod.toArray(Column[]::new)));
    }

    /**
     * @param payoutCredit  gold.attribution_credit rows of the payout model (order_id, order_date, partner_id,
     *                      credit, credited_revenue_usd)
     * @param costs         daily partner cost in USD with its seen_date ({@link Costs#partnerCosts}): CPC, CPM
     *                      and flat fees
     * @param orderVersions bronze.orders (order_id, order_date, updated_ts, status, revenue, currency,
     *                      delivery_date), delivered up to the run date
     * @param fxDaily       the daily FX calendar (rate_date, currency, usd_per_unit)
     * @param flags         gold.fraud_flags (order_id, event_id, partner_id, proposed_action, detected_date)
     * @param reviews       the reviewers' decisions, gold.fraud_review_decisions (queue_id, status, reviewed_at, ...);
     *                      may be empty
     * @param touchpoints   bronze.touchpoints (event_id, event_date), to date the flagged clicks
     * @param firstOpen     the first month not locked in the stored statement (null: none stored yet)
     * @param toReporting   date, to_reporting (null for USD)
     */
    public static Dataset<Row> statements(Dataset<Row> payoutCredit, Dataset<Row> costs, Dataset<Row> orderVersions,
                                          Dataset<Row> fxDaily, Dataset<Row> flags, Dataset<Row> reviews,
                                          Dataset<Row> touchpoints, Dataset<Row> dimPartner,
                                          TouchRules rules, Map<String, Double> uplift, int lockDays,
                                          String payoutModel, LocalDate firstOpen, LocalDate runDate,
                                          Dataset<Row> toReporting, String currency) {
        PartnerPricing pricing = new PartnerPricing(dimPartner, rules, uplift);
        Booking booking = new Booking(runDate, lockDays);
        Column runDay = booking.runDay();
        Dataset<Row> changes = revenueChanges(orderVersions.where(col("delivery_date").leq(runDay)), fxDaily);
        Dataset<Row> dismissed = dismissals(reviews, runDate);
        Dataset<Row> orders = StatementItems.orderEarnings(payoutCredit, changes, pricing, runDay);
        Dataset<Row> orderPeriods = withholdPeriods(StatementItems.orderFlags(flags, runDay), dismissed,
                "order_id", "partner_id").join(orders, ScalaSeqs.of("order_id", "partner_id"));
        Dataset<Row> clicks = StatementItems.clickAmounts(withholdPeriods(StatementItems.clickFlags(flags, runDay),
                dismissed, "event_id", "partner_id"), touchpoints, pricing, fxDaily);
        Dataset<Row> moves = StatementItems.revenueMoves(changes, orders, orderPeriods, booking);
        // An order owes what its revenue is on the day; a click's CPC is the same whatever the day.
        Function<String, Column> clickAmount = day -> col("click_usd");
        Dataset<Row> items = allItems(List.of(StatementItems.earned(orders, booking), StatementItems.rises(moves),
                StatementItems.fees(costs, pricing, booking),
                StatementItems.withheld(orderPeriods, "order_date", StatementItems::owedOn, booking),
                StatementItems.withheld(clicks, "click_date", clickAmount, booking),
                StatementItems.released(orderPeriods, "order_date", StatementItems::owedOn, booking),
                StatementItems.released(clicks, "click_date", clickAmount, booking),
                StatementItems.reversals(moves)));
        return statementRows(monthlyTotals(inOpenMonths(items, firstOpen, runDay), toReporting), pricing, booking,
                payoutModel, currency);
    }

    /** Items booked in a locked month were counted when it locked; months after D do not exist yet. */
    static Dataset<Row> inOpenMonths(Dataset<Row> items, LocalDate firstOpen, Column runDay) {
        Column open = firstOpen == null ? lit(true) : col("statement_month").geq(lit(Date.valueOf(firstOpen)));
        return items.where(open.and(col("statement_month").leq(month(runDay))));
    }

    /** All items in the common shape ({@link StatementItems#inCommonShape}), one after the other. */
    private static Dataset<Row> allItems(List<Dataset<Row>> itemSets) {
        Dataset<Row> all = StatementItems.inCommonShape(itemSets.get(0));
        for (Dataset<Row> itemSet : itemSets.subList(1, itemSets.size())) {
            all = all.unionByName(StatementItems.inCommonShape(itemSet));
        }
        return all;
    }

    /** The items' amounts per statement_month and partner_id, each item at its own day's rate (as partner_daily). */
    static Dataset<Row> monthlyTotals(Dataset<Row> items, Dataset<Row> toReporting) {
        Dataset<Row> converted = Costs.withReportingRate(items, toReporting);
        for (String amount : AMOUNTS) {
            if (!amount.equals("credited_orders")) {
                converted = converted.withColumn(amount, col(amount).multiply(col("to_reporting")));
            }
        }
        return converted.groupBy("statement_month", "partner_id")
                .agg(PartnerDaily.sumKeepingNull(AMOUNTS[0]), Arrays.stream(AMOUNTS).skip(1)
                        .map(PartnerDaily::sumKeepingNull).toArray(Column[]::new));
    }

    /** The statement rows from the monthly totals: gross, net payable, lock state, named by the partner's version. */
    static Dataset<Row> statementRows(Dataset<Row> monthlyTotals, PartnerPricing pricing, Booking booking,
                                      String payoutModel, String currency) {
        Column runDay = booking.runDay();
        // The partner's version on the statement's last day (or D, in the running month) names type and model.
        Dataset<Row> asOf = monthlyTotals.withColumn("date", least(last_day(col("statement_month")), runDay));
        Dataset<Row> typed = pricing.on(asOf, "date");
        Column gross = col("cost_cps_usd").plus(col("cost_cpc_usd")).plus(col("cost_cpm_usd"))
                .plus(col("cost_flat_fee_usd")).plus(col("cost_uplift_usd"));
        Column locksOn = locksOn(col("statement_month"), booking.lockDays());
        return typed.select(col("statement_month"), col("partner_id"), col("v_partner_type").as("partner_type"),
                col("funnel_stage"), col("v_payment_model").as("payment_model"), lit(payoutModel).as("payout_model"),
                col("credited_orders"), col("credited_gmv_usd").as("credited_gmv"),
                col("cost_cps_usd").as("commission_cps"), col("cost_cpc_usd").as("commission_cpc"),
                col("cost_cpm_usd").as("commission_cpm"), col("cost_flat_fee_usd").as("commission_flat_fee"),
                col("uplift_rate"), col("cost_uplift_usd").as("commission_uplift"),
                gross.as("commission_gross"),
                col("withheld_usd").as("withheld_fraud"),
                col("released_usd").as("released_fraud"),
                col("reversed_usd").as("reversals"),
                gross.minus(col("withheld_usd")).plus(col("released_usd")).minus(col("reversed_usd")).as("net_payable"),
                lit(currency).as("currency"),
                runDay.geq(locksOn).as("is_locked"),
                locksOn.as("locks_on"),
                runDay.as("computed_on"));
    }
}
