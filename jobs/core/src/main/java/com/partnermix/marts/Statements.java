package com.partnermix.marts;

import com.partnermix.common.Lookups;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.fraud.ReviewDecisions;
import com.partnermix.journeys.TouchRules;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.first;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.last_day;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
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

    /** Amount columns of a statement item, in USD until converted (credited_orders is a count). */
    private static final String[] ITEM_AMOUNTS = {"credited_orders", "credited_gmv_usd", "cost_cps_usd",
            "cost_cpc_usd", "cost_cpm_usd", "cost_flat_fee_usd", "cost_uplift_usd", "withheld_usd", "released_usd",
            "reversed_usd"};

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
        Column run = lit(Date.valueOf(runDate));
        Column open = firstOpen == null ? lit(true) : col("statement_month").geq(lit(Date.valueOf(firstOpen)));
        Column upTo = col("statement_month").leq(month(run));
        Dataset<Row> changes = revenueChanges(orderVersions.where(col("delivery_date").leq(run)), fxDaily);
        Dataset<Row> dismissed = dismissals(reviews, runDate);
        Column withholding = col("proposed_action").isin("withhold", "reassign").and(col("partner_id").isNotNull())
                .and(col("detected_date").leq(run));

        // Per order and partner: the CPS per USD of the order's revenue, the revenue it was placed with (in USD at
        // the order day's rate) and the day it was first delivered. Orders without versions (none in a real
        // warehouse) earn on their credited revenue, known on their order day.
        Dataset<Row> shares = upliftRate(Costs.withPartnerVersion(payoutCredit.where(col("partner_id").isNotNull()
                        .and(col("order_date").leq(run))), "order_date", dimPartner), rules, uplift)
                .groupBy("order_id", "partner_id")
                .agg(first("order_date").as("order_date"), sum("credit").as("credit"),
                        sum(col("credited_revenue_usd").cast("double")).as("credited_revenue_usd"),
                        first(when(Costs.model("cps", "hybrid"), coalesce(col("v_cps_rate"), lit(0)).cast("double"))
                                .otherwise(0.0)).as("cps_rate"),
                        first("uplift_rate").as("uplift_rate"));
        Dataset<Row> history = changes.groupBy("order_id")
                .agg(min("event_date").as("seen_date"),
                        max(when(col("version").equalTo(1), col("owed_usd"))).as("placed_revenue_usd"),
                        // the versions in order, to look up what the order owed on a given day
                        sort_array(collect_list(struct(col("version"), col("event_date"), col("owed_usd"))))
                                .as("history"));
        Dataset<Row> perOrder = shares.join(history, ScalaSeqs.of("order_id"), "left")
                .withColumn("seen_date", coalesce(col("seen_date"), col("order_date")))
                .withColumn("cps_per_usd", col("cps_rate").multiply(col("credit")))
                .withColumn("earned_cps_usd", coalesce(col("cps_per_usd").multiply(col("placed_revenue_usd")),
                        col("cps_rate").multiply(col("credited_revenue_usd"))))
                .withColumn("earned_uplift_usd", col("uplift_rate").multiply(col("earned_cps_usd")));

        // Order withholdings: one review item per order ("order:<id>"), so a dismissal covers all its flags.
        Dataset<Row> orderFlags = flags.where(withholding.and(col("order_id").isNotNull()))
                .select(col("order_id"), col("partner_id"), col("detected_date"),
                        concat(lit("order:"), col("order_id")).as("queue_id"));
        Dataset<Row> orderPeriods = withholdPeriods(orderFlags, dismissed, "order_id", "partner_id")
                .join(perOrder, ScalaSeqs.of("order_id", "partner_id"));
        Dataset<Row> orderWithheld = orderPeriods.select(col("partner_id"), col("order_date").as("date"),
                bookedMonth(col("order_date"), col("withheld_on"), lockDays).as("statement_month"),
                owedOn("withheld_on").as("withheld_usd"));
        Dataset<Row> orderReleased = orderPeriods.where(col("released_on").isNotNull())
                .select(col("partner_id"), col("order_date").as("date"),
                        bookedMonth(col("order_date"), col("released_on"), lockDays).as("statement_month"),
                        owedOn("released_on").as("released_usd"));

        // Click withholdings: the flag's review item is its order's, or the partner's for flags without an order.
        Dataset<Row> clickFlags = flags.where(withholding.and(col("event_id").isNotNull()))
                .select(col("event_id"), col("partner_id"), col("detected_date"),
                        when(col("order_id").isNotNull(), concat(lit("order:"), col("order_id")))
                                .otherwise(concat(lit("partner:"), col("partner_id"))).as("queue_id"));
        Dataset<Row> clickPeriods = withholdPeriods(clickFlags, dismissed, "event_id", "partner_id")
                .join(touchpoints.select(col("event_id"), col("event_date").as("click_date")), "event_id");
        // The click's CPC with its uplift, priced like the click's cost on its day.
        Dataset<Row> clicks = Costs.withUsdRate(upliftRate(Costs.withPartnerVersion(clickPeriods, "click_date",
                        dimPartner), rules, uplift), "click_date", "v_rate_currency", fxDaily)
                .where(Costs.model("cpc"))
                .withColumn("click_usd", coalesce(col("v_cpc_rate"), lit(0)).cast("double").multiply(col("usd_rate"))
                        .multiply(lit(1.0).plus(col("uplift_rate"))));
        Dataset<Row> clickWithheld = clicks.select(col("partner_id"), col("click_date").as("date"),
                bookedMonth(col("click_date"), col("withheld_on"), lockDays).as("statement_month"),
                col("click_usd").as("withheld_usd"));
        Dataset<Row> clickReleased = clicks.where(col("released_on").isNotNull())
                .select(col("partner_id"), col("click_date").as("date"),
                        bookedMonth(col("click_date"), col("released_on"), lockDays).as("statement_month"),
                        col("click_usd").as("released_usd"));

        // Later order versions: a fall reverses its part, a rise earns its part; while the order is withheld a
        // fall is not reversed (already held back) and a rise is withheld too. A null fall (no FX rate) stays null.
        Dataset<Row> periods = orderPeriods.select(col("order_id").as("p_order_id"),
                col("partner_id").as("p_partner_id"), col("withheld_on"), col("released_on"));
        Dataset<Row> moves = changes.where(col("version").gt(1)
                        .and(coalesce(col("fall_usd").notEqual(0.0), lit(true))))
                .join(perOrder.select("order_id", "partner_id", "order_date", "cps_per_usd", "uplift_rate"),
                        "order_id")
                .join(periods, col("order_id").equalTo(col("p_order_id")).and(col("partner_id").equalTo(col("p_partner_id")))
                        .and(col("event_date").gt(col("withheld_on")))
                        .and(col("released_on").isNull().or(col("event_date").leq(col("released_on")))), "left")
                .withColumn("is_withheld", col("p_order_id").isNotNull())
                .withColumn("statement_month", bookedMonth(col("order_date"), col("event_date"), lockDays))
                .withColumn("date", col("order_date"))
                .withColumn("part_cps_usd", col("cps_per_usd").multiply(col("fall_usd")))
                .withColumn("rise_cps_usd", col("part_cps_usd").multiply(-1.0));
        Column isRise = col("fall_usd").lt(0);
        Column isFall = coalesce(isRise.equalTo(false), lit(true));   // a null fall stays a (null) reversal
        Dataset<Row> reversals = moves.where(isFall.and(col("is_withheld").equalTo(false)))
                .select(col("partner_id"), col("date"), col("statement_month"),
                        col("part_cps_usd").multiply(lit(1.0).plus(col("uplift_rate"))).as("reversed_usd"));
        Dataset<Row> rises = moves.where(isRise)
                .select(col("partner_id"), col("date"), col("statement_month"),
                        col("rise_cps_usd").as("cost_cps_usd"),
                        col("rise_cps_usd").multiply(col("uplift_rate")).as("cost_uplift_usd"),
                        when(col("is_withheld"), col("rise_cps_usd").multiply(lit(1.0).plus(col("uplift_rate"))))
                                .otherwise(0.0).as("withheld_usd"));

        // What the order earned when placed, with its credit, booked by its first delivery.
        Dataset<Row> earned = perOrder.select(col("partner_id"), col("order_date").as("date"),
                bookedMonth(col("order_date"), col("seen_date"), lockDays).as("statement_month"),
                col("credit").as("credited_orders"), col("credited_revenue_usd").as("credited_gmv_usd"),
                col("earned_cps_usd").as("cost_cps_usd"), col("earned_uplift_usd").as("cost_uplift_usd"));
        // CPC, CPM and flat fees, booked by the day they were delivered (seen).
        Dataset<Row> fees = upliftRate(Costs.withPartnerVersion(costs.where(col("partner_id").isNotNull()
                        .and(col("date").leq(run))), "date", dimPartner), rules, uplift)
                .select(col("partner_id"), col("date"),
                        bookedMonth(col("date"), coalesce(col("seen_date"), col("date")), lockDays).as("statement_month"),
                        col("cost_cpc_usd"), col("cost_cpm_usd"), col("cost_flat_fee_usd"),
                        col("uplift_rate").multiply(col("cost_cpc_usd").plus(col("cost_cpm_usd"))).as("cost_uplift_usd"));

        Dataset<Row> items = item(earned).unionByName(item(rises)).unionByName(item(fees))
                .unionByName(item(orderWithheld)).unionByName(item(clickWithheld))
                .unionByName(item(orderReleased)).unionByName(item(clickReleased))
                .unionByName(item(reversals))
                // Items booked in a locked month were counted when it locked; months after D do not exist yet.
                .where(open.and(upTo));
        // Each item at its own day's rate, as partner_daily converts the same amounts.
        Dataset<Row> converted = Costs.withReportingRate(items, toReporting);
        for (String amount : ITEM_AMOUNTS) {
            if (!amount.equals("credited_orders")) {
                converted = converted.withColumn(amount, col(amount).multiply(col("to_reporting")));
            }
        }
        Dataset<Row> summed = converted.groupBy("statement_month", "partner_id")
                .agg(PartnerDaily.sumKeepingNull(ITEM_AMOUNTS[0]), Arrays.stream(ITEM_AMOUNTS).skip(1)
                        .map(PartnerDaily::sumKeepingNull).toArray(Column[]::new));

        // The partner's version on the statement's last day (or D, in the running month) names type and model.
        Dataset<Row> asOf = summed.withColumn("date", least(last_day(col("statement_month")), run));
        Dataset<Row> typed = upliftRate(Costs.withPartnerVersion(asOf, "date", dimPartner), rules, uplift);
        Column gross = col("cost_cps_usd").plus(col("cost_cpc_usd")).plus(col("cost_cpm_usd"))
                .plus(col("cost_flat_fee_usd")).plus(col("cost_uplift_usd"));
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
                run.geq(locksOn(col("statement_month"), lockDays)).as("is_locked"),
                locksOn(col("statement_month"), lockDays).as("locks_on"),
                run.as("computed_on"));
    }

    /**
     * The CPS + uplift an order owes the partner on {@code day}: on the revenue of its latest version delivered by
     * then (the placed revenue's CPS when it has no version yet).
     */
    private static Column owedOn(String dayColumn) {
        Column owedUsd = expr("aggregate(history, CAST(NULL AS DOUBLE), (acc, v) -> IF(v.event_date <= "
                + dayColumn + ", v.owed_usd, acc))");
        return coalesce(col("cps_per_usd").multiply(owedUsd), col("earned_cps_usd"))
                .multiply(lit(1.0).plus(col("uplift_rate")));
    }

    /** An item in the common shape: statement_month, partner_id, date and every amount (0 where it has none). */
    private static Dataset<Row> item(Dataset<Row> rows) {
        Map<String, Column> columns = new LinkedHashMap<>();
        columns.put("statement_month", col("statement_month"));
        columns.put("partner_id", col("partner_id"));
        columns.put("date", col("date"));
        List<String> present = Arrays.asList(rows.columns());
        for (String amount : ITEM_AMOUNTS) {
            columns.put(amount, present.contains(amount) ? col(amount).cast("double") : lit(0.0));
        }
        return rows.select(columns.entrySet().stream().map(e -> e.getValue().as(e.getKey())).toArray(Column[]::new));
    }

    /** Adds funnel_stage and uplift_rate from the partner version columns of {@link Costs#withPartnerVersion}. */
    private static Dataset<Row> upliftRate(Dataset<Row> rows, TouchRules rules, Map<String, Double> uplift) {
        return rows.withColumn("funnel_stage", rules.funnelStage(col("partner_id"), col("v_partner_type"),
                        lit(Costs.AFFILIATE)))
                .withColumn("uplift_rate", coalesce(Lookups.lookup(uplift, col("funnel_stage")), lit(0.0))
                        .cast("double"));
    }
}
