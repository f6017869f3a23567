package com.partnermix.marts;

import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.FxRates;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.StepTimer;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.fraud.ReviewDecisions;
import com.partnermix.journeys.TouchRules;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;

/**
 * {@code marts --date D}: the partner-mix marts BI analysts and partner managers open every morning, from
 * the gold credit, the silver journeys and the bronze cost feeds delivered up to D:
 * <ul>
 *   <li>{@code gold.partner_daily} (every date up to D) and {@code gold.marts_reconciliation} (its GMV and
 *       orders against gold.attribution_credit, per date and model),</li>
 *   <li>{@code gold.model_comparison} and {@code gold.path_summary} (every month up to D's),</li>
 *   <li>{@code gold.commission_statement} (the months not locked yet, up to D's),</li>
 *   <li>{@code gold.partner_mix_quarterly} (every quarter up to D's).</li>
 * </ul>
 * Rerunning a date rewrites the same slices from the same inputs, so it gives the same tables.
 */
public final class MartsJob implements Job {

    @Override
    public String name() {
        return "marts";
    }

    @Override
    public String summary() {
        return "partner-mix marts for --date -> gold.partner_daily, marts_reconciliation, model_comparison, path_summary, commission_statement, partner_mix_quarterly";
    }

    @Override
    public int run(JobContext context) {
        System.out.println(build(context.warehouse(), context.config(), context.date()).format());
        return 0;
    }

    public record Report(LocalDate date, long partnerDailyRows, long reconciledDays,
                         double maxGmvDiff, String timings) {
        public String format() {
            return String.format("marts %s: %,d partner_daily rows; GMV reconciled over %,d date x model "
                    + "(max difference %.6f; the gold gate fails above 0.01) [%s]", date, partnerDailyRows, reconciledDays, maxGmvDiff, timings);
        }
    }

    /** The first month whose stored statement is not locked (the month after the last locked one); null: none. */
    static LocalDate firstOpenMonth(Warehouse wh) {
        if (!wh.exists(Tables.GOLD_COMMISSION_STATEMENT)) {
            return null;
        }
        Row last = wh.read(Tables.GOLD_COMMISSION_STATEMENT).where(col("is_locked"))
                .agg(org.apache.spark.sql.functions.max("statement_month")).first();
        return last.isNullAt(0) ? null : last.getDate(0).toLocalDate().plusMonths(1);
    }

    public static Report build(Warehouse wh, PartnermixConfig config, LocalDate date) {
        PartnermixConfig.Marts settings = config.marts();
        TouchRules rules = new TouchRules(config.journeys());
        StepTimer timer = new StepTimer();
        Date runDate = Date.valueOf(date);
        String currency = settings.reportingCurrency();

        // Everything delivered up to D, so a rerun of D sees the same inputs whatever arrived since.
        Dataset<Row> fxDaily = FxRates.dailyCalendar(wh.read(Tables.BRONZE_FX_RATES), date, date).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> toReporting = Costs.toReporting(fxDaily, currency);
        Dataset<Row> dimPartner = wh.read(Tables.SILVER_DIM_PARTNER).persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> credit = wh.read(Tables.GOLD_ATTRIBUTION_CREDIT).where(col("order_date").leq(runDate));
        Dataset<Row> touchpoints = wh.read(Tables.BRONZE_TOUCHPOINTS).where(col("delivery_date").leq(runDate));

        // partner_daily: every date up to D (credit of old orders changes when their journeys are rebuilt).
        Dataset<Row> activity = PartnerDaily.activity(touchpoints, rules, null, date)
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> payoutCredit = credit.where(col("model").equalTo(settings.payoutModel()));
        // Daily partner cost feeds both partner_daily and the statements: computed once.
        // Costs from the first month the warehouse has data in: flat fees are not due from a contract's start years back.
        Date firstDataDay = activity.agg(org.apache.spark.sql.functions.min("date")).first().getDate(0);
        LocalDate costsFrom = firstDataDay == null ? null : firstDataDay.toLocalDate().withDayOfMonth(1);
        Dataset<Row> costs = Costs.partnerCosts(activity, payoutCredit, dimPartner, fxDaily, costsFrom, date)
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> spend = Costs.paidSpend(wh.read(Tables.BRONZE_SPEND).where(col("delivery_date").leq(runDate)),
                fxDaily, null, date);
        Dataset<Row> assists = PartnerDaily.assists(wh.read(Tables.SILVER_JOURNEY_TOUCHES), credit, null, date);
        Dataset<Row> measures = PartnerDaily.creditMeasures(credit, null, date);
        Dataset<Row> partnerDaily = PartnerDaily.assemble(measures, activity, costs, spend, assists, dimPartner, rules,
                settings.funnelStageUplift(), toReporting, currency);
        DeltaWrites.replaceSlice(wh, Tables.GOLD_PARTNER_DAILY, partnerDaily, "date <= '" + date + "'");
        timer.lap("partner_daily");

        // The reconciliation reads the table back: it checks what BI will read, not the plan that wrote it.
        Dataset<Row> reconciliation = PartnerDaily.reconcile(wh.read(Tables.GOLD_PARTNER_DAILY), credit, toReporting,
                null, date, date);
        DeltaWrites.replaceSlice(wh, Tables.GOLD_MARTS_RECONCILIATION, reconciliation,
                "run_date = '" + date + "'");
        List<Row> worst = wh.read(Tables.GOLD_MARTS_RECONCILIATION).where(col("run_date").equalTo(runDate))
                .agg(org.apache.spark.sql.functions.count("*"), org.apache.spark.sql.functions.max(abs(col("gmv_diff"))),
                        org.apache.spark.sql.functions.max(abs(col("orders_diff"))))
                .collectAsList();
        timer.lap("reconcile");
        long reconciled = worst.get(0).getLong(0);
        double maxGmvDiff = worst.get(0).isNullAt(1) ? 0.0 : worst.get(0).getDouble(1);
        double maxOrdersDiff = worst.get(0).isNullAt(2) ? 0.0 : worst.get(0).getDouble(2);

        // Model comparison and paths: every month up to D's (a month's figures grow until it ends).
        DeltaWrites.replaceSlice(wh, Tables.GOLD_MODEL_COMPARISON,
                MixReports.modelComparison(wh.read(Tables.GOLD_PARTNER_DAILY), null, date),
                "period_month <= '" + date + "'");
        DeltaWrites.replaceSliceAddingColumns(wh, Tables.GOLD_PATH_SUMMARY,
                MixReports.pathSummary(wh.read(Tables.SILVER_JOURNEYS), settings.topPaths(), null, date, toReporting,
                        currency),
                "period_month <= '" + date + "'");
        timer.lap("model_comparison+paths");

        // Commission statements: the open months up to D's; a locked month is never written again.
        LocalDate firstOpen = firstOpenMonth(wh);
        Dataset<Row> flags = wh.exists(Tables.GOLD_FRAUD_FLAGS) ? wh.read(Tables.GOLD_FRAUD_FLAGS)
                : wh.spark().emptyDataFrame().selectExpr("CAST(NULL AS STRING) order_id", "CAST(NULL AS STRING) event_id",
                        "CAST(NULL AS STRING) partner_id",
                        "CAST(NULL AS STRING) proposed_action", "CAST(NULL AS DATE) detected_date").limit(0);
        // Reviewers' dismissals release withheld commission: the decisions themselves (not the queue, which shows
        // one decision per item and may lag one rebuild), as of D (Statements.dismissals).
        Dataset<Row> reviews = ReviewDecisions.all(wh);
        Dataset<Row> statements = Statements.statements(payoutCredit, costs,
                wh.read(Tables.BRONZE_ORDERS).where(col("delivery_date").leq(runDate)), fxDaily, flags, reviews,
                touchpoints, dimPartner, rules, settings.funnelStageUplift(), settings.lockDaysAfterMonthEnd(),
                settings.payoutModel(), firstOpen, date, toReporting, currency);
        String monthOfD = date.withDayOfMonth(1).toString();
        DeltaWrites.replaceSliceAddingColumns(wh, Tables.GOLD_COMMISSION_STATEMENT, statements,
                (firstOpen == null ? "" : "statement_month >= '" + firstOpen + "' AND ")
                        + "statement_month <= '" + monthOfD + "'");
        timer.lap("commission_statement");

        // The quarterly mix: every quarter up to D's, the MMM's marginal ROI where a fit exists.
        Dataset<Row> marginal = wh.exists(Tables.GOLD_MMM_CONTRIBUTIONS)
                && !wh.read(Tables.GOLD_MMM_CONTRIBUTIONS).where(col("run_date").leq(runDate)).isEmpty()
                ? QuarterlyMix.mmmMarginalRoi(wh.read(Tables.GOLD_MMM_CONTRIBUTIONS), date)
                : wh.spark().emptyDataFrame().selectExpr("CAST(NULL AS DATE) quarter",
                        "CAST(NULL AS STRING) partner_type", "CAST(NULL AS DOUBLE) marginal_roi").limit(0);
        Dataset<Row> quarterly = QuarterlyMix.build(wh.read(Tables.GOLD_PARTNER_DAILY), credit,
                QuarterlyMix.repeats(wh.read(Tables.SILVER_JOURNEYS), settings.repeatWindowDays(), date), marginal,
                settings.targetMix(), settings.budgetShiftShare(), date);
        DeltaWrites.replaceSliceAddingColumns(wh, Tables.GOLD_PARTNER_MIX_QUARTERLY, quarterly,
                "quarter <= '" + date + "'");
        timer.lap("partner_mix_quarterly");

        long partnerDailyRows = wh.read(Tables.GOLD_PARTNER_DAILY).count();
        // Dependents first (costs is built on the others): uncaching a base makes Spark re-plan what depends on it.
        costs.unpersist();
        activity.unpersist();
        fxDaily.unpersist();
        dimPartner.unpersist();
        return new Report(date, partnerDailyRows, reconciled, maxGmvDiff, timer.toString());
    }
}
