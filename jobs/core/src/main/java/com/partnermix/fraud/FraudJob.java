package com.partnermix.fraud;

import com.partnermix.attribution.AttributionJob;
import com.partnermix.attribution.CreditModels;
import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.FxRates;
import com.partnermix.common.Parallel;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.common.StepTimer;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.journeys.IdentityStitching;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine.Option;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;

/**
 * {@code fraud --date D}: runs the fraud and parasitic last-click rules over the orders and clicks
 * of the last {@code fraud.window_days} (and every order whose journey changed tonight), and writes
 * <ul>
 *   <li>{@code gold.fraud_flags}: one row per finding with its evidence (the order's timeline),</li>
 *   <li>{@code gold.partner_anomalies}: every partner metric against its peers for D,</li>
 *   <li>{@code gold.fraud_review_queue}: one row per order or partner to review, reviewers' decisions kept,</li>
 *   <li>the {@code last_click_adjusted} and {@code position_based_adjusted} models in
 *       {@code gold.attribution_credit}: the touches flagged withhold or reassign are dropped.</li>
 * </ul>
 * {@code fraud --evaluate LABELS_DIR} compares the flags with the generator's labels instead.
 *
 * <p>Each flag belongs to a detection scope that a night rebuilds whole: {@code order:<id>} for
 * the order-level rules, {@code clicks:<date>} for cookie stuffing, {@code partners:<date>} for the
 * partner-level rules. Rerunning a date replaces exactly those scopes, so it gives the same table.
 */
public final class FraudJob implements Job {

    /** The adjusted models: the base model computed without the withheld and reassigned touches. */
    public static final Map<String, String> ADJUSTED_MODELS = Map.of("last_click", "last_click_adjusted",
            "position_based", "position_based_adjusted");
    static final int EVIDENCE_EVENTS = 50;

    @Override
    public String name() {
        return "fraud";
    }

    @Override
    public String summary() {
        return "fraud and last-click hijacking rules for --date -> gold.fraud_flags, partner_anomalies, "
                + "fraud_review_queue, *_adjusted credit (--evaluate LABELS_DIR [--evaluate-csv FILE]: precision/recall "
                + "with 95% intervals, flags per action and confusion between rules against labels)";
    }

    /** Without options: the nightly detection for --date. */
    public static final class Options {
        @Option(names = "--evaluate", paramLabel = "LABELS_DIR", description = "instead of detecting: score the flags in "
                + "the warehouse against these labels (the generator's fraud_labels), no --date needed")
        String evaluate;

        @Option(names = "--evaluate-csv", paramLabel = "FILE", description = "--evaluate: also write the figures to "
                + "this CSV file")
        java.nio.file.Path evaluateCsv;
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public int run(JobContext context) throws java.io.IOException {
        Options options = context.options(Options.class);
        if (options.evaluate != null) {
            FraudEvaluation.Result result = FraudEvaluation.evaluate(context.warehouse(), options.evaluate);
            System.out.println(result.format());
            if (options.evaluateCsv != null) {
                java.nio.file.Files.writeString(options.evaluateCsv, result.csv());
            }
            return 0;
        }
        System.out.println(detect(context.warehouse(), context.config(), context.date()).format());
        return 0;
    }

    /** @param flagsByAction per rule, its flags by proposed action (flag, withhold, reassign) */
    public record Report(LocalDate date, long ordersExamined, long flags, Map<String, Long> flagsByRule,
                         Map<String, Map<String, Long>> flagsByAction, double commissionAtRiskUsd, long queueItems,
                         long adjustedOrders, String timings) {
        public String format() {
            StringBuilder rules = new StringBuilder();
            flagsByRule.forEach((rule, n) -> {
                rules.append(rules.length() == 0 ? "" : ", ").append(rule).append(' ').append(String.format("%,d", n));
                StringBuilder actions = new StringBuilder();
                flagsByAction.getOrDefault(rule, Map.of()).forEach((action, k) -> actions
                        .append(actions.length() == 0 ? "" : " ").append(action).append(' ')
                        .append(String.format("%,d", k)));
                rules.append(" (").append(actions).append(')');
            });
            return String.format("fraud %s: %,d orders examined, %,d flags (%s), commission at risk %,.2f USD; "
                            + "%,d review items; %,d orders re-credited under the adjusted models [%s]", date,
                    ordersExamined, flags, rules.length() == 0 ? "none" : rules, commissionAtRiskUsd, queueItems,
                    adjustedOrders, timings);
        }
    }

    public static Report detect(Warehouse wh, PartnermixConfig config, LocalDate date) {
        StepTimer timer = new StepTimer();
        Night night = Night.of(wh, config, date);
        NightInputs inputs = night.readInputs();
        long ordersExamined = inputs.examined().count();
        timer.lap("timeline");

        FraudInputs ruleInputs = night.ruleInputs(inputs);
        Dataset<Row> flags = night.flagRows(night.findings(ruleInputs), inputs, ruleInputs);
        FraudFindings.FlagTally tally = FraudFindings.FlagTally.of(FraudFindings.countsByRuleAndAction(flags)
                .collectAsList().stream().map(FraudFindings.RuleActionCount::of).toList());
        timer.lap("rules");

        Dataset<Row> scopes = FraudFindings.scopesRebuilt(wh.spark(), inputs.examined(), inputs.changedOrders(),
                night.from(), night.settings().windowDays(), date);
        long adjustedOrders = night.recreditAdjusted(inputs, flags, scopes);
        timer.lap("adjusted_credit");

        night.write(flags, scopes, ruleInputs);
        timer.lap("write_flags");

        long queueItems = ReviewQueue.rebuild(wh, date);
        timer.lap("queue");
        return new Report(date, ordersExamined, tally.flags(), tally.flagsByRule(), tally.flagsByAction(),
                tally.commissionAtRiskUsd(), queueItems, adjustedOrders, timer.toString());
    }

    /**
     * What the night reads besides the rules' derived inputs.
     *
     * @param examined      the orders examined tonight (see {@link FraudInputs#examinedOrders})
     * @param changedOrders the orders whose journey was rebuilt tonight
     * @param partners      the current partners (see {@link FraudInputs#currentPartners})
     * @param events        clicks and page views since the earliest touch an examined order can have
     * @param timeline      {@link FraudRules#timeline} of the events with event_date
     * @param touches       the journey touches of the examined orders
     */
    private record NightInputs(Dataset<Row> examined, Dataset<Row> changedOrders, Dataset<Row> partners,
                               Dataset<Row> events, Dataset<Row> timeline, Dataset<Row> touches) {}

    /**
     * One night of detection: its reads and writes around the pure steps of {@link FraudInputs} and
     * {@link FraudFindings}.
     *
     * @param from        first day of the window (date - window_days + 1)
     * @param materialise checkpoints an intermediate result that later steps read again
     */
    private record Night(Warehouse wh, PartnermixConfig config, LocalDate date, PartnermixConfig.Fraud settings,
                         LocalDate from, UnaryOperator<Dataset<Row>> materialise) {

        static Night of(Warehouse wh, PartnermixConfig config, LocalDate date) {
            // Intermediate results are checkpointed, not cached: a cache keeps its whole plan, and the plans of
            // the later steps (which reuse several of them) grow too large to even describe.
            boolean reliable = config.identity().reliableCheckpoints();
            if (reliable) {
                wh.spark().sparkContext().setCheckpointDir(config.paths().checkpoints() + "/fraud/" + date);
            }
            UnaryOperator<Dataset<Row>> materialise = reliable
                    ? rows -> rows.checkpoint(true) : rows -> rows.localCheckpoint(true);
            return new Night(wh, config, date, config.fraud(), date.minusDays(config.fraud().windowDays() - 1L),
                    materialise);
        }

        int sessionGapSeconds() {
            return config.journeys().sessionGapMinutes() * 60;
        }

        NightInputs readInputs() {
            Dataset<Row> changedOrders = FraudInputs.changedOrders(wh.read(Tables.SILVER_JOURNEY_CHANGES), date);
            Dataset<Row> examined = materialise.apply(FraudInputs.examinedOrders(wh.read(Tables.SILVER_JOURNEYS),
                    changedOrders, FraudInputs.orderCoupons(wh.read(Tables.BRONZE_ORDERS), date), from, date));
            Dataset<Row> partners = materialise.apply(FraudInputs.currentPartners(wh.read(Tables.SILVER_DIM_PARTNER)));
            Dataset<Row> identityMap = wh.read(Tables.SILVER_IDENTITY_MAP);
            Dataset<Row> persons = IdentityStitching.personsForJoin(identityMap, identityMap.count(), config.identity());
            LocalDate eventsFrom = from.minusDays(maxLookbackDays(config.journeys().lookbackDays()));
            Dataset<Row> events = FraudInputs.clicksAndPageViews(wh.read(Tables.BRONZE_TOUCHPOINTS), persons, partners,
                    eventsFrom, date);
            Dataset<Row> timeline = materialise.apply(FraudInputs.withEventDate(FraudRules.timeline(events,
                    FraudInputs.orderKeys(examined), sessionGapSeconds(), settings.dwellSeconds(),
                    settings.visitWindowSeconds())));
            Dataset<Row> touches = materialise.apply(FraudInputs.touchesOf(wh.read(Tables.SILVER_JOURNEY_TOUCHES),
                    examined));
            return new NightInputs(examined, changedOrders, partners, events, timeline, touches);
        }

        FraudInputs ruleInputs(NightInputs inputs) {
            List<String> shopHosts = FraudRules.shopHosts(inputs.events().where(col("event_type").equalTo("page_view"))
                    .where(col("event_date").geq(Date.valueOf(from))), settings.shopHosts());
            return new FraudInputs(settings, shopHosts, sessionGapSeconds(), from, date, inputs.timeline(),
                    inputs.touches(), inputs.examined(), inputs.partners(), materialise);
        }

        /** The scored findings of every enabled rule, each in its detection scope. */
        Dataset<Row> findings(FraudInputs ruleInputs) {
            Dataset<Row> journeyTouches = wh.read(Tables.SILVER_JOURNEY_TOUCHES);
            Dataset<Row> findings = null;
            for (FraudRule rule : FraudRules.REGISTRY) {
                PartnermixConfig.RuleSettings ruleSettings = settings.rule(rule.configKey());
                if (ruleSettings.enabled()) {
                    Dataset<Row> scored = FraudRules.scored(rule.findings(ruleInputs, ruleSettings), rule, ruleSettings);
                    Dataset<Row> found = FraudFindings.inScope(rule, scored, journeyTouches, date);
                    findings = findings == null ? found : findings.unionByName(found);
                }
            }
            return findings == null ? FraudFindings.noFindings(wh.spark()) : findings;
        }

        /** The rows of gold.fraud_flags: the findings priced, with their evidence and first detection date. */
        Dataset<Row> flagRows(Dataset<Row> findings, NightInputs inputs, FraudInputs ruleInputs) {
            Dataset<Row> credited = ruleInputs.credited();
            Dataset<Row> rates = broadcast(FxRates.dailyCalendar(wh.read(Tables.BRONZE_FX_RATES), date, date));
            Dataset<Row> priced = materialise.apply(FraudFindings.priced(findings, inputs.examined(), credited,
                    inputs.partners(), rates));
            boolean fewFlags = priced.count() <= settings.broadcastMaxFlags();
            // The evidence reads the events themselves (page views included), only those of flagged persons and devices.
            Dataset<Row> withEvidence = FraudFindings.withEvidence(priced,
                    FraudRules.withOrders(inputs.events(), FraudInputs.orderKeys(inputs.examined())), fewFlags);
            Optional<Dataset<Row>> storedFlags = wh.exists(Tables.GOLD_FRAUD_FLAGS)
                    ? Optional.of(wh.read(Tables.GOLD_FRAUD_FLAGS)) : Optional.empty();
            return materialise.apply(FraudFindings.asFlagRows(withEvidence, storedFlags, date));
        }

        /**
         * The adjusted credit first, from the flags as they will be: a crash before the flags are written leaves
         * the stored ones, so a rerun finds the same differences and re-credits the same orders.
         */
        long recreditAdjusted(NightInputs inputs, Dataset<Row> flags, Dataset<Row> scopes) {
            if (wh.exists(Tables.GOLD_FRAUD_FLAGS)) {
                DeltaWrites.addMissingColumns(wh, Tables.GOLD_FRAUD_FLAGS, flags.schema());   // signals, score
            }
            Dataset<Row> storedFlags = wh.exists(Tables.GOLD_FRAUD_FLAGS) ? wh.read(Tables.GOLD_FRAUD_FLAGS)
                    : flags.limit(0);
            Dataset<Row> droppedBefore = materialise.apply(droppedTouches(storedFlags));
            Dataset<Row> droppedAfter = materialise.apply(droppedTouches(
                    FraudFindings.flagsAfterTonight(storedFlags, scopes, flags)));
            Optional<Dataset<Row>> adjustedCreditOrders = wh.exists(Tables.GOLD_ATTRIBUTION_CREDIT)
                    ? Optional.of(wh.read(Tables.GOLD_ATTRIBUTION_CREDIT)
                            .where(col("model").equalTo(ADJUSTED_MODELS.get("last_click"))).select("order_id"))
                    : Optional.empty();
            // Materialised: read from gold.attribution_credit, the orders would make Spark plan every dataset cached
            // on them again when adjustedCredit writes that table.
            return adjustedCredit(wh, config, materialise.apply(FraudFindings.ordersToRecredit(inputs.examined(),
                    inputs.changedOrders(), droppedBefore, droppedAfter, adjustedCreditOrders)), droppedAfter);
        }

        /** The flags and the partner anomalies: different tables from different inputs, written side by side. */
        void write(Dataset<Row> flags, Dataset<Row> scopes, FraudInputs ruleInputs) {
            double minRobustZ = settings.rule(new TimingOutlierRule().configKey()).threshold("min_robust_z");
            Parallel.run(List.of(
                    () -> DeltaWrites.replaceGroups(wh, Tables.GOLD_FRAUD_FLAGS, flags, scopes, "detection_scope",
                            List.of("flag_id")),
                    () -> DeltaWrites.replaceSlice(wh, Tables.GOLD_PARTNER_ANOMALIES, FraudFindings.partnerAnomalies(
                            ruleInputs.anomalies(), ruleInputs.metrics(), date, minRobustZ), "date = '" + date + "'")));
        }
    }

    /** The touches the adjusted models leave out: (order_id, event_id) of the flags to withhold or reassign. */
    static Dataset<Row> droppedTouches(Dataset<Row> flags) {
        return flags.where(col("proposed_action").isin("withhold", "reassign").and(col("order_id").isNotNull())
                        .and(col("event_id").isNotNull()))
                .select("order_id", "event_id").distinct();
    }

    /**
     * Recomputes last_click_adjusted and position_based_adjusted for {@code orders}: their journeys without
     * the {@code dropped} touches (see {@link #droppedTouches}), so the credit moves to the displaced partner or
     * the next valid touch (or the order stays unattributed when none is left).
     */
    static long adjustedCredit(Warehouse wh, PartnermixConfig config, Dataset<Row> orderIds, Dataset<Row> dropped) {
        Dataset<Row> orders = wh.read(Tables.SILVER_JOURNEYS).where(col("is_converted"))
                .join(orderIds, ScalaSeqs.of("order_id"), "left_semi")
                .select("order_id", "journey_id", "person_id", "order_date", "order_status", "revenue_usd",
                        "is_new_customer", "region")
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> keptTouches = wh.read(Tables.SILVER_JOURNEY_TOUCHES).drop("person_id", "order_id", "region")
                .join(orders, ScalaSeqs.of("journey_id"))
                .join(dropped, ScalaSeqs.of("order_id", "event_id"), "left_anti")
                .withColumnRenamed("position", "journey_position")
                .withColumn("position", row_number().over(Window.partitionBy("order_id").orderBy("journey_position")))
                .persist(StorageLevel.MEMORY_AND_DISK());   // read by both models and by the position restore
        PartnermixConfig.Attribution base = config.attribution();
        CreditModels models = new CreditModels(new PartnermixConfig.Attribution(List.copyOf(ADJUSTED_MODELS.keySet()),
                base.viewThroughWeight(), base.timeDecayHalfLifeDays(), base.positionBased(), base.funnelWeights(),
                base.markov(), base.shapley(), base.trainingWindowDays(), base.trainOnOpenPaths(), base.incremental()));
        Map<String, String> names = new TreeMap<>(ADJUSTED_MODELS);
        Column adjustedName = lit(null).cast("string");
        for (Map.Entry<String, String> baseToAdjusted : names.entrySet()) {
            adjustedName = when(col("model").equalTo(baseToAdjusted.getKey()), lit(baseToAdjusted.getValue())).otherwise(adjustedName);
        }
        Dataset<Row> rows = AttributionJob.creditTable(
                models.credits(keptTouches, List.copyOf(names.keySet()), null).withColumn("model", adjustedName), orders, keptTouches,
                List.copyOf(names.values()));
        // Back to the touch's position in its journey (the key of gold.attribution_credit); 0 stays unattributed.
        Dataset<Row> positions = keptTouches.select(col("order_id").as("k_order"), col("event_id").as("k_event"),
                col("journey_position"));
        Dataset<Row> credit = rows.join(positions, expr("order_id = k_order AND event_id = k_event"), "left")
                .withColumn("position", coalesce(col("journey_position"), lit(0)))
                .drop("k_order", "k_event", "journey_position")
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> ordered = credit.selectExpr(rows.columns());
        long orderCount = orders.count();
        // Grouped by the orders asked for, so an order whose journey vanished (a backfill) loses its credit too.
        AttributionJob.writeCredit(wh, ordered, orderIds.select("order_id").distinct(), List.copyOf(names.values()));
        credit.unpersist();
        keptTouches.unpersist();
        orders.unpersist();
        return orderCount;
    }

    /** The longest lookback of any channel or partner type: the earliest touch an order can have. */
    static int maxLookbackDays(PartnermixConfig.Lookback lookback) {
        int max = lookback.defaultDays();
        for (int days : lookback.byChannel().values()) {
            max = Math.max(max, days);
        }
        for (int days : lookback.byPartnerType().values()) {
            max = Math.max(max, days);
        }
        return max;
    }
}
