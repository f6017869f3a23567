package com.partnermix.marts;

import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.Parallel;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.StepTimer;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.fraud.ReviewDecisions;
import com.partnermix.journeys.TouchRules;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.max;

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
                .agg(max("statement_month")).first();
        return last.isNullAt(0) ? null : last.getDate(0).toLocalDate().plusMonths(1);
    }

    public static Report build(Warehouse wh, PartnermixConfig config, LocalDate date) {
        PartnermixConfig.Marts settings = config.marts();
        TouchRules rules = new TouchRules(config.journeys());
        StepTimer timer = new StepTimer();
        MartsInputs inputs = MartsInputs.deliveredUpTo(wh, settings, rules, date);
        writePartnerDaily(wh, settings, rules, inputs, date);
        timer.lap("partner_daily");
        // The other marts read partner_daily and the inputs, never each other: written side by side, so that Spark
        // overlaps their many small jobs and commits.
        AtomicReference<Reconciled> reconciled = new AtomicReference<>();
        Parallel.run(List.of(
                () -> reconciled.set(writeReconciliation(wh, inputs, date)),
                () -> writeModelComparisonAndPaths(wh, settings, inputs.toReporting(), date),
                () -> writeStatements(wh, settings, rules, inputs, date),
                () -> writeQuarterlyMix(wh, settings, inputs.credit(), date)));
        timer.lap("reconcile+comparison+paths+statements+quarterly");
        long partnerDailyRows = wh.read(Tables.GOLD_PARTNER_DAILY).count();
        inputs.unpersist();
        return new Report(date, partnerDailyRows, reconciled.get().dateModels(), reconciled.get().maxGmvDiff(),
                timer.toString());
    }

    /** partner_daily: every date up to D (credit of old orders changes when their journeys are rebuilt). */
    private static void writePartnerDaily(Warehouse wh, PartnermixConfig.Marts settings, TouchRules rules,
                                          MartsInputs inputs, LocalDate date) {
        Dataset<Row> spend = Costs.paidSpend(wh.read(Tables.BRONZE_SPEND)
                .where(col("delivery_date").leq(Date.valueOf(date))), inputs.fxDaily(), null, date);
        Dataset<Row> assists = PartnerDaily.assists(wh.read(Tables.SILVER_JOURNEY_TOUCHES), inputs.credit(), null, date);
        Dataset<Row> measures = PartnerDaily.creditMeasures(inputs.credit(), null, date);
        Dataset<Row> partnerDaily = PartnerDaily.assemble(measures, inputs.activity(), inputs.costs(), spend, assists,
                inputs.dimPartner(), rules, settings.funnelStageUplift(), inputs.toReporting(),
                settings.reportingCurrency());
        DeltaWrites.replaceSlice(wh, Tables.GOLD_PARTNER_DAILY, partnerDaily, "date <= '" + date + "'");
    }

    /** What the reconciliation of D found: how many date x model rows it checked, and the largest GMV difference. */
    record Reconciled(long dateModels, double maxGmvDiff) {}

    private static Reconciled writeReconciliation(Warehouse wh, MartsInputs inputs, LocalDate date) {
        // The reconciliation reads the table back: it checks what BI will read, not the plan that wrote it.
        Dataset<Row> reconciliation = PartnerDaily.reconcile(wh.read(Tables.GOLD_PARTNER_DAILY), inputs.credit(),
                inputs.toReporting(), null, date, date);
        DeltaWrites.replaceSlice(wh, Tables.GOLD_MARTS_RECONCILIATION, reconciliation,
                "run_date = '" + date + "'");
        Row worst = wh.read(Tables.GOLD_MARTS_RECONCILIATION).where(col("run_date").equalTo(Date.valueOf(date)))
                .agg(count("*"), max(abs(col("gmv_diff")))).first();
        return new Reconciled(worst.getLong(0), worst.isNullAt(1) ? 0.0 : worst.getDouble(1));
    }

    /** Model comparison and paths: every month up to D's (a month's figures grow until it ends). */
    private static void writeModelComparisonAndPaths(Warehouse wh, PartnermixConfig.Marts settings,
                                                     Dataset<Row> toReporting, LocalDate date) {
        DeltaWrites.replaceSlice(wh, Tables.GOLD_MODEL_COMPARISON,
                MixReports.modelComparison(wh.read(Tables.GOLD_PARTNER_DAILY), null, date),
                "period_month <= '" + date + "'");
        DeltaWrites.replaceSliceAddingColumns(wh, Tables.GOLD_PATH_SUMMARY,
                MixReports.pathSummary(wh.read(Tables.SILVER_JOURNEYS), settings.topPaths(), null, date, toReporting,
                        settings.reportingCurrency()),
                "period_month <= '" + date + "'");
    }

    /** Commission statements: the open months up to D's; a locked month is never written again. */
    private static void writeStatements(Warehouse wh, PartnermixConfig.Marts settings, TouchRules rules,
                                        MartsInputs inputs, LocalDate date) {
        LocalDate firstOpen = firstOpenMonth(wh);
        Dataset<Row> orderVersions = wh.read(Tables.BRONZE_ORDERS).where(col("delivery_date").leq(Date.valueOf(date)));
        // Reviewers' dismissals release withheld commission: the decisions themselves (not the queue, which shows
        // one decision per item and may lag one rebuild), as of D (Statements.dismissals).
        Dataset<Row> statements = Statements.statements(inputs.payoutCredit(), inputs.costs(), orderVersions,
                inputs.fxDaily(), fraudFlags(wh), ReviewDecisions.all(wh), inputs.touchpoints(), inputs.dimPartner(),
                rules, settings.funnelStageUplift(), settings.lockDaysAfterMonthEnd(), settings.payoutModel(),
                firstOpen, date, inputs.toReporting(), settings.reportingCurrency());
        String monthOfD = date.withDayOfMonth(1).toString();
        DeltaWrites.replaceSliceAddingColumns(wh, Tables.GOLD_COMMISSION_STATEMENT, statements,
                (firstOpen == null ? "" : "statement_month >= '" + firstOpen + "' AND ")
                        + "statement_month <= '" + monthOfD + "'");
    }

    /** gold.fraud_flags, or no flags (with its columns) before the fraud job first wrote it. */
    private static Dataset<Row> fraudFlags(Warehouse wh) {
        return wh.exists(Tables.GOLD_FRAUD_FLAGS) ? wh.read(Tables.GOLD_FRAUD_FLAGS)
                : wh.spark().emptyDataFrame().selectExpr("CAST(NULL AS STRING) order_id", "CAST(NULL AS STRING) event_id",
                        "CAST(NULL AS STRING) partner_id",
                        "CAST(NULL AS STRING) proposed_action", "CAST(NULL AS DATE) detected_date").limit(0);
    }

    /** The quarterly mix: every quarter up to D's. */
    private static void writeQuarterlyMix(Warehouse wh, PartnermixConfig.Marts settings, Dataset<Row> credit,
                                          LocalDate date) {
        Dataset<Row> quarterly = QuarterlyMix.build(wh.read(Tables.GOLD_PARTNER_DAILY), credit,
                QuarterlyMix.repeats(wh.read(Tables.SILVER_JOURNEYS), settings.repeatWindowDays(), date),
                mmmMarginalRoi(wh, date), settings.targetMix(), settings.budgetShiftShare(), date);
        DeltaWrites.replaceSliceAddingColumns(wh, Tables.GOLD_PARTNER_MIX_QUARTERLY, quarterly,
                "quarter <= '" + date + "'");
    }

    /** The MMM's marginal ROI per quarter and partner type where a fit up to D exists; no rows otherwise. */
    private static Dataset<Row> mmmMarginalRoi(Warehouse wh, LocalDate date) {
        return wh.exists(Tables.GOLD_MMM_CONTRIBUTIONS)
                && !wh.read(Tables.GOLD_MMM_CONTRIBUTIONS).where(col("run_date").leq(Date.valueOf(date))).isEmpty()
                ? QuarterlyMix.mmmMarginalRoi(wh.read(Tables.GOLD_MMM_CONTRIBUTIONS), date)
                : wh.spark().emptyDataFrame().selectExpr("CAST(NULL AS DATE) quarter",
                        "CAST(NULL AS STRING) partner_type", "CAST(NULL AS DOUBLE) marginal_roi").limit(0);
    }
}
