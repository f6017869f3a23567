package com.partnermix.fraud;

import com.partnermix.attribution.AttributionJob;
import com.partnermix.attribution.CreditModels;
import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.FxRates;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
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
        PartnermixConfig.Fraud settings = config.fraud();
        FraudRules.validate(settings);
        StepTimer timer = new StepTimer();
        // Intermediate results are checkpointed, not cached: a cache keeps its whole plan, and the plans of
        // the later steps (which reuse several of them) grow too large to even describe.
        if (config.identity().reliableCheckpoints()) {
            wh.spark().sparkContext().setCheckpointDir(config.paths().checkpoints() + "/fraud/" + date);
        }
        java.util.function.UnaryOperator<Dataset<Row>> cut = config.identity().reliableCheckpoints()
                ? d -> d.checkpoint(true) : d -> d.localCheckpoint(true);
        int gapSeconds = config.journeys().sessionGapMinutes() * 60;
        LocalDate from = date.minusDays(settings.windowDays() - 1L);
        int maxLookbackDays = maxLookbackDays(config.journeys().lookbackDays());

        // The orders examined tonight: the window's, and older ones whose journey changed (a late return).
        Dataset<Row> journeys = wh.read(Tables.SILVER_JOURNEYS).where(col("is_converted"));
        Dataset<Row> changed = wh.read(Tables.SILVER_JOURNEY_CHANGES)
                .where(col("run_date").equalTo(Date.valueOf(date)).and(col("order_id").isNotNull()))
                .select("order_id").distinct().withColumn("changed_tonight", lit(true));
        Dataset<Row> examined = journeys.join(changed, ScalaSeqs.of("order_id"), "left")
                .where(col("order_date").between(Date.valueOf(from), Date.valueOf(date))
                        .or(col("changed_tonight").isNotNull()))
                .join(orderCoupons(wh, date), ScalaSeqs.of("order_id"), "left")
                .select("order_id", "journey_id", "person_id", "order_ts", "order_date", "order_status", "revenue_usd",
                        "is_new_customer", "region", "first_touch_ts", "coupon_code");
        examined = cut.apply(examined);
        Dataset<Row> partners = cut.apply(currentPartners(wh));

        // Clicks and page views of everyone since the earliest touch an examined order can have.
        LocalDate eventsFrom = from.minusDays(maxLookbackDays);
        Dataset<Row> identityMap = wh.read(Tables.SILVER_IDENTITY_MAP);
        Dataset<Row> events = wh.read(Tables.BRONZE_TOUCHPOINTS)
                .where(col("event_date").between(Date.valueOf(eventsFrom), Date.valueOf(date))
                        .and(col("delivery_date").leq(Date.valueOf(date)))
                        .and(col("event_type").isin("click", "page_view")))
                .join(IdentityStitching.personsForJoin(identityMap, identityMap.count(), config.identity()),
                        ScalaSeqs.of("anonymous_id"))
                .join(broadcast(partners.select("partner_id", "stand_down_required")), ScalaSeqs.of("partner_id"),
                        "left");
        Dataset<Row> examinedOrders = examined.select("person_id", "order_id", "order_ts");
        Dataset<Row> timeline = cut.apply(FraudInputs.withEventDate(FraudRules.timeline(events, examinedOrders,
                gapSeconds, settings.dwellSeconds(), settings.visitWindowSeconds())));
        Dataset<Row> touches = cut.apply(wh.read(Tables.SILVER_JOURNEY_TOUCHES)
                .join(examined.select("order_id"), ScalaSeqs.of("order_id"), "left_semi"));
        long ordersExamined = examined.count();
        timer.lap("timeline");

        List<String> shopHosts = FraudRules.shopHosts(events.where(col("event_type").equalTo("page_view"))
                .where(col("event_date").geq(Date.valueOf(from))), settings.shopHosts());
        FraudInputs in = new FraudInputs(settings, shopHosts, gapSeconds, from, date, timeline, touches, examined,
                partners, cut);
        Dataset<Row> flags = null;
        for (FraudRule rule : FraudRules.REGISTRY) {
            PartnermixConfig.RuleSettings ruleSettings = settings.rule(rule.configKey());
            if (!ruleSettings.enabled()) {
                continue;
            }
            Dataset<Row> found = inScope(wh, rule, FraudRules.scored(rule.findings(in, ruleSettings), rule,
                    ruleSettings), date);
            flags = flags == null ? found : flags.unionByName(found);
        }
        if (flags == null) {
            flags = wh.spark().emptyDataFrame().selectExpr(FLAG_SCHEMA);
        }
        // The evidence reads the events themselves (page views included), only those of flagged persons and devices.
        Dataset<Row> enriched = cut.apply(enrich(wh, flags, examined, in.credited(), partners,
                FraudRules.withOrders(events, examinedOrders), settings, date, cut));
        Map<String, Long> byRule = new TreeMap<>();
        Map<String, Map<String, Long>> byAction = new TreeMap<>();
        double atRisk = 0;
        for (Row r : enriched.groupBy("rule_code", "proposed_action").agg(count("*"), sum("commission_at_risk_usd"))
                .collectAsList()) {
            byRule.merge(r.getString(0), r.getLong(2), Long::sum);
            byAction.computeIfAbsent(r.getString(0), k -> new TreeMap<>()).put(r.getString(1), r.getLong(2));
            atRisk += r.isNullAt(3) ? 0 : ((java.math.BigDecimal) r.get(3)).doubleValue();
        }
        long flagCount = byRule.values().stream().mapToLong(Long::longValue).sum();
        timer.lap("rules");

        // Scopes rebuilt tonight: the examined orders, the window's click dates, tonight's partner checks.
        // Changed orders are examined unless their journey vanished (a backfill to before they arrived): their
        // scope is rebuilt empty then.
        Dataset<Row> scopes = examined.select(concat(lit("order:"), col("order_id")).as("detection_scope"))
                .union(changed.select(concat(lit("order:"), col("order_id")).as("detection_scope")))
                .union(wh.spark().range(settings.windowDays()).select(concat(lit("clicks:"),
                        expr("cast(date_add(to_date('" + from + "'), cast(id as int)) as string)"))
                        .as("detection_scope")))
                .union(wh.spark().range(1).select(lit("partners:" + date).as("detection_scope")));

        // The adjusted credit first, from the flags as they will be: a crash before the flags are written leaves
        // the stored ones, so a rerun finds the same differences and re-credits the same orders.
        if (wh.exists(Tables.GOLD_FRAUD_FLAGS)) {
            DeltaWrites.addMissingColumns(wh, Tables.GOLD_FRAUD_FLAGS, enriched.schema());   // signals, score
        }
        Dataset<Row> stored = wh.exists(Tables.GOLD_FRAUD_FLAGS) ? wh.read(Tables.GOLD_FRAUD_FLAGS)
                : enriched.limit(0);
        Dataset<Row> droppedBefore = cut.apply(droppedTouches(stored));
        Dataset<Row> droppedAfter = cut.apply(droppedTouches(stored
                .join(scopes, ScalaSeqs.of("detection_scope"), "left_anti").selectExpr(enriched.columns())
                .unionByName(enriched)));
        long adjusted = adjustedCredit(wh, config, ordersToRecredit(wh, examined, changed, droppedBefore,
                droppedAfter), droppedAfter);
        timer.lap("adjusted_credit");

        DeltaWrites.replaceGroups(wh, Tables.GOLD_FRAUD_FLAGS, enriched, scopes, "detection_scope",
                List.of("flag_id"));
        DeltaWrites.replaceSlice(wh, Tables.GOLD_PARTNER_ANOMALIES, in.anomalies()
                .join(in.metrics().select("partner_id", "clicks", "credited_orders"), ScalaSeqs.of("partner_id"))
                .withColumn("date", lit(Date.valueOf(date)))
                .withColumn("is_outlier", org.apache.spark.sql.functions.abs(col("robust_z"))
                        .geq(settings.rule(new TimingOutlierRule().configKey()).threshold("min_robust_z")))
                .select("date", "partner_id", "partner_type", "region", "metric", "value", "peer_group",
                        "peer_count", "peer_median", "mad", "robust_z", "is_outlier", "clicks", "credited_orders"),
                "date = '" + date + "'");
        timer.lap("write_flags");

        long queueItems = ReviewQueue.rebuild(wh, date);
        timer.lap("queue");
        return new Report(date, ordersExamined, flagCount, byRule, byAction, atRisk, queueItems, adjusted,
                timer.toString());
    }

    /** The columns of every finding before it is priced (see {@link #inScope}). */
    private static final String[] FLAG_SCHEMA = {"CAST(NULL AS STRING) rule_code", "CAST(NULL AS STRING) order_id",
            "CAST(NULL AS STRING) event_id", "CAST(NULL AS STRING) partner_id",
            "CAST(NULL AS STRING) displaced_partner_id", "CAST(NULL AS DOUBLE) measured_value",
            "CAST(NULL AS DOUBLE) threshold", "CAST(NULL AS STRING) detail",
            "CAST(NULL AS " + FraudJob.SIGNALS_TYPE + ") signals", "CAST(NULL AS DOUBLE) score",
            "CAST(NULL AS STRING) severity", "CAST(NULL AS STRING) proposed_action", "CAST(NULL AS STRING) metric",
            "CAST(NULL AS STRING) detection_scope"};

    /** gold.fraud_flags.signals: each signal a finding rests on, its measured value, whether it held, its weight. */
    static final String SIGNALS_TYPE = "array<struct<name:string,value:double,holds:boolean,weight:double>>";

    /**
     * A rule's scored findings with the detection scope a night rebuilds whole: {@code order:<id>} for the
     * order-level rules, {@code clicks:<date>} for click-level ones (each click linked to the order it would be
     * credited for, if any), {@code partners:<date>} for the partner-level ones.
     */
    private static Dataset<Row> inScope(Warehouse wh, FraudRule rule, Dataset<Row> scored, LocalDate date) {
        Dataset<Row> out = switch (rule.level()) {
            case ORDER -> scored.withColumn("detection_scope", concat(lit("order:"), col("order_id")));
            case CLICK -> scored.drop("order_id")
                    .join(wh.read(Tables.SILVER_JOURNEY_TOUCHES).select("event_id", "order_id")
                            .where(col("order_id").isNotNull()).dropDuplicates("event_id"),
                            ScalaSeqs.of("event_id"), "left")
                    .withColumn("detection_scope", concat(lit("clicks:"), col("click_date").cast("string")));
            case PARTNER -> scored.withColumn("detection_scope", lit("partners:" + date));
        };
        if (!java.util.Arrays.asList(out.columns()).contains("metric")) {
            out = out.withColumn("metric", lit(null).cast("string"));
        }
        List<String> columns = new java.util.ArrayList<>(FraudRules.SCORED_COLUMNS);
        columns.addAll(List.of("metric", "detection_scope"));
        return out.selectExpr(columns.toArray(String[]::new))
                .withColumn("signals", col("signals").cast(SIGNALS_TYPE));
    }

    /**
     * Adds flag_id, commission_at_risk_usd, evidence and detected_date (kept from the first detection when a flag
     * is found again) to the scored findings.
     */
    private static Dataset<Row> enrich(Warehouse wh, Dataset<Row> flags, Dataset<Row> examined, Dataset<Row> credited,
                                       Dataset<Row> partners, Dataset<Row> events, PartnermixConfig.Fraud settings,
                                       LocalDate date, java.util.function.UnaryOperator<Dataset<Row>> cut) {
        Column flagId = concat(lit("f_"), substring(sha2(concat_ws("|", col("rule_code"), coalesce(col("order_id"),
                lit("")), coalesce(col("event_id"), lit("")), coalesce(col("partner_id"), lit("")),
                coalesce(col("metric"), lit("")), when(col("detection_scope").startsWith("partners:"),
                        col("detection_scope")).otherwise(lit(""))), 256), 1, 24));

        // Commission the flagged partner would earn: its CPS share of the order when it holds the last click,
        // plus the click's CPC price, in USD at the order's (or click's) date.
        Dataset<Row> rates = broadcast(FxRates.dailyCalendar(wh.read(Tables.BRONZE_FX_RATES), date, date));
        Dataset<Row> withOrder = flags
                .join(examined.select(col("order_id"), col("order_date"), col("revenue_usd"), col("person_id"),
                        col("first_touch_ts"), col("order_ts")), ScalaSeqs.of("order_id"), "left")
                .join(credited.select("order_id", "credited_partner_id"), ScalaSeqs.of("order_id"), "left")
                .join(broadcast(partners.select("partner_id", "payment_model", "cps_rate", "cpc_rate",
                        "rate_currency")), ScalaSeqs.of("partner_id"), "left")
                .join(rates.withColumnRenamed("currency", "rate_currency")
                        .withColumnRenamed("rate_date", "order_date"), ScalaSeqs.of("rate_currency", "order_date"), "left");
        Column cps = when(col("payment_model").isin("cps", "hybrid").and(col("partner_id")
                        .equalTo(col("credited_partner_id"))),
                coalesce(col("cps_rate"), lit(0)).multiply(coalesce(col("revenue_usd"), lit(0)))).otherwise(lit(0));
        Column cpc = when(col("payment_model").equalTo("cpc").and(col("event_id").isNotNull()),
                coalesce(col("cpc_rate"), lit(0)).multiply(coalesce(col("usd_per_unit"), lit(1.0)))).otherwise(lit(0));
        Dataset<Row> priced = cut.apply(withOrder
                .withColumn("commission_at_risk_usd", cps.plus(cpc).cast("decimal(18,4)"))
                .withColumn("flag_id", flagId));
        boolean fewFlags = priced.count() <= settings.broadcastMaxFlags();

        Dataset<Row> out = priced.join(Evidence.of(priced, events, fewFlags), ScalaSeqs.of("flag_id"), "left")
                .withColumn("evidence", coalesce(col("evidence"), Evidence.none()));
        Column detected = lit(Date.valueOf(date));
        if (wh.exists(Tables.GOLD_FRAUD_FLAGS)) {
            out = out.join(wh.read(Tables.GOLD_FRAUD_FLAGS).select(col("flag_id"), col("detected_date").as("first_detected")),
                    ScalaSeqs.of("flag_id"), "left");
            detected = coalesce(least(col("first_detected"), detected), detected);
        } else {
            out = out.withColumn("first_detected", lit(null).cast("date"));
        }
        return out.withColumn("detected_date", detected)
                .select("flag_id", "rule_code", "severity", "measured_value", "threshold", "order_id", "event_id",
                        "partner_id", "displaced_partner_id", "commission_at_risk_usd", "proposed_action", "evidence",
                        "detail", "metric", "order_date", "detection_scope", "detected_date", "signals", "score")
                .dropDuplicates("flag_id");
    }

    /** The touches the adjusted models leave out: (order_id, event_id) of the flags to withhold or reassign. */
    static Dataset<Row> droppedTouches(Dataset<Row> flags) {
        return flags.where(col("proposed_action").isin("withhold", "reassign").and(col("order_id").isNotNull())
                        .and(col("event_id").isNotNull()))
                .select("order_id", "event_id").distinct();
    }

    /**
     * The orders whose adjusted credit may change tonight, not every examined order: those whose journey was
     * rebuilt, those that gain or lose a dropped touch, and examined orders that have no adjusted credit yet
     * (the first night, or one whose adjusted credit was never written).
     */
    private static Dataset<Row> ordersToRecredit(Warehouse wh, Dataset<Row> examined, Dataset<Row> changed,
                                                 Dataset<Row> droppedBefore, Dataset<Row> droppedAfter) {
        Dataset<Row> flagsChanged = droppedBefore.unionByName(droppedAfter).groupBy("order_id", "event_id").count()
                .where(col("count").equalTo(1)).select("order_id");   // in one of the two sets only
        Dataset<Row> withoutAdjusted = examined.select("order_id");
        if (wh.exists(Tables.GOLD_ATTRIBUTION_CREDIT)) {
            withoutAdjusted = withoutAdjusted.join(wh.read(Tables.GOLD_ATTRIBUTION_CREDIT)
                    .where(col("model").equalTo(ADJUSTED_MODELS.get("last_click"))).select("order_id"),
                    ScalaSeqs.of("order_id"), "left_anti");
        }
        return changed.select("order_id").union(flagsChanged).union(withoutAdjusted).distinct();
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
        Dataset<Row> kept = wh.read(Tables.SILVER_JOURNEY_TOUCHES).drop("person_id", "order_id", "region")
                .join(orders, ScalaSeqs.of("journey_id"))
                .join(dropped, ScalaSeqs.of("order_id", "event_id"), "left_anti")
                .withColumnRenamed("position", "journey_position")
                .withColumn("position", row_number().over(Window.partitionBy("order_id").orderBy("journey_position")))
                .persist(StorageLevel.MEMORY_AND_DISK());   // read by both models and by the position restore
        PartnermixConfig.Attribution base = config.attribution();
        CreditModels models = new CreditModels(new PartnermixConfig.Attribution(List.copyOf(ADJUSTED_MODELS.keySet()),
                base.viewThroughWeight(), base.timeDecayHalfLifeDays(), base.positionBased(), base.funnelWeights(),
                base.markov(), base.shapley(), base.trainingWindowDays()));
        Map<String, String> names = new TreeMap<>(ADJUSTED_MODELS);
        Column adjustedName = lit(null).cast("string");
        for (Map.Entry<String, String> e : names.entrySet()) {
            adjustedName = when(col("model").equalTo(e.getKey()), lit(e.getValue())).otherwise(adjustedName);
        }
        Dataset<Row> rows = AttributionJob.creditTable(
                models.credits(kept, List.copyOf(names.keySet()), null).withColumn("model", adjustedName), orders, kept,
                List.copyOf(names.values()));
        // Back to the touch's position in its journey (the key of gold.attribution_credit); 0 stays unattributed.
        Dataset<Row> positions = kept.select(col("order_id").as("k_order"), col("event_id").as("k_event"),
                col("journey_position"));
        Dataset<Row> credit = rows.join(positions, expr("order_id = k_order AND event_id = k_event"), "left")
                .withColumn("position", coalesce(col("journey_position"), lit(0)))
                .drop("k_order", "k_event", "journey_position")
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> ordered = credit.selectExpr(rows.columns());
        long n = orders.count();
        // Grouped by the orders asked for, so an order whose journey vanished (a backfill) loses its credit too.
        AttributionJob.writeCredit(wh, ordered, orderIds.select("order_id").distinct(), List.copyOf(names.values()));
        credit.unpersist();
        kept.unpersist();
        orders.unpersist();
        return n;
    }

    /** The longest lookback of any channel or partner type: the earliest touch an order can have. */
    static int maxLookbackDays(PartnermixConfig.Lookback lookback) {
        int max = lookback.defaultDays();
        for (int d : lookback.byChannel().values()) {
            max = Math.max(max, d);
        }
        for (int d : lookback.byPartnerType().values()) {
            max = Math.max(max, d);
        }
        return max;
    }

    /** The coupon code of each order's latest version delivered by D. */
    private static Dataset<Row> orderCoupons(Warehouse wh, LocalDate date) {
        return wh.read(Tables.BRONZE_ORDERS).where(col("delivery_date").leq(Date.valueOf(date)))
                .groupBy("order_id")
                .agg(max(struct(col("updated_ts"), col("coupon_code"))).getField("coupon_code").as("coupon_code"));
    }

    /** The current version of each partner with its owned codes as an array. */
    private static Dataset<Row> currentPartners(Warehouse wh) {
        Dataset<Row> dim = wh.read(Tables.SILVER_DIM_PARTNER).where(col("is_current"));
        Column codes = dim.schema().apply("owned_coupon_codes").dataType() instanceof org.apache.spark.sql.types.ArrayType
                ? col("owned_coupon_codes")
                : expr("filter(split(coalesce(owned_coupon_codes, ''), ';'), c -> c <> '')");
        return dim.select(col("partner_id"), col("partner_type"), col("region"), col("payment_model"), col("cps_rate"),
                col("cpc_rate"), col("rate_currency"), coalesce(col("stand_down_required"), lit(false))
                        .as("stand_down_required"), codes.as("owned_coupon_codes"));
    }
}
