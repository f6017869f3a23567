package com.partnermix.attribution;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.common.StepTimer;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.journeys.PurchaseSessions;
import com.partnermix.journeys.TouchRules;
import com.partnermix.mmm.MixedMedia;
import com.partnermix.mmm.PanelBuilder;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * The shared inputs of the credit models ({@link CreditModel.Input}) for one night, built only when a configured
 * model needs them: the data-driven models' state weights, trained on the window's journeys (converting or not),
 * and the mixed_media calibration factors of the latest earlier MMM fit. Their rows of {@code gold.model_weights}
 * record what each night used.
 */
final class ModelInputs {

    /** The touches with the weight columns of the needed inputs. */
    Dataset<Row> touchWeights;
    final List<Row> weightRows = new ArrayList<>();
    long trainingJourneys;
    int markovStates;
    int shapleyPlayers;
    /** What the incremental model was fitted on (empty when it is not configured). */
    String incrementalNote = "";
    /** How markov's weights were allocated (empty: per order). */
    String markovAllocation = "";
    /** What mixed_media was calibrated with (empty when it is not configured). */
    String mixedMediaNote = "";
    private Dataset<Row> mmmFactors;
    private Column mmmChannel;
    private String baseModel;

    /** The most frequent converting patterns the global allocation fits (a bounded collect). */
    static final int MAX_ALLOCATION_PATTERNS = 200_000;

    private ModelInputs(Dataset<Row> touches) {
        this.touchWeights = touches;
    }

    /**
     * Trains what {@code needs} asks for on the journeys that ended in the training window up to {@code date}
     * and reads the MMM factors.
     */
    static ModelInputs build(Warehouse wh, PartnermixConfig config, LocalDate date, Dataset<Row> journeys,
                             Dataset<Row> touches, Set<CreditModel.Input> needs, StepTimer timer) {
        PartnermixConfig.Attribution settings = config.attribution();
        ModelInputs in = new ModelInputs(touches);
        LocalDate windowStart = date.minusDays(settings.trainingWindowDays() - 1L);
        Column inWindow = col("journey_date").between(java.sql.Date.valueOf(windowStart), java.sql.Date.valueOf(date));
        Dataset<Row> training = journeys.where(inWindow).select("journey_id", "is_converted", "revenue_usd");
        Dataset<Row> trainingTouches = touches;
        if (settings.trainOnOpenPaths() && wh.exists(Tables.SILVER_OPEN_JOURNEYS)) {
            // Paths that may still convert count as non-converting tonight; the night they close or convert they
            // are in silver.journeys instead.
            Dataset<Row> open = wh.read(Tables.SILVER_OPEN_JOURNEYS).where(inWindow);
            training = training.unionByName(open.select("journey_id", "is_converted", "revenue_usd"));
            String[] touchColumns = {"journey_id", "position", "is_click", "channel", "partner_id", "partner_type"};
            trainingTouches = touches.select(touchColumns[0], java.util.Arrays.copyOfRange(touchColumns, 1, 6))
                    .unionByName(open.select(col("journey_id"), explode(col("touches")).as("t"))
                            .select(col("journey_id"), col("t.position"), col("t.is_click"), col("t.channel"),
                                    col("t.partner_id"), col("t.partner_type")));
        }
        Row trainingSize = training.agg(count("*"), sum(when(col("is_converted"), 1L).otherwise(0L))).first();
        in.trainingJourneys = trainingSize.getLong(0);
        long trainingConversions = trainingSize.isNullAt(1) ? 0 : trainingSize.getLong(1);
        Object[] window = {java.sql.Date.valueOf(windowStart), java.sql.Date.valueOf(date), in.trainingJourneys,
                trainingConversions};
        // Both data-driven models learn from the window's paths: one group-by over the touches builds the state
        // sequences of both granularities.
        boolean markov = needs.contains(CreditModel.Input.MARKOV_WEIGHTS);
        boolean shapley = needs.contains(CreditModel.Input.SHAPLEY_VALUES);
        Map<String, Column> sequences = new LinkedHashMap<>();
        if (markov) {
            sequences.put("markov_states", DataDrivenWeights.state(settings.markov().granularity()));
            if (settings.markov().globalAllocation()) {
                sequences.put("markov_touch_weights", CreditModels.touchWeight(settings));
            }
        }
        if (shapley) {
            sequences.put("shapley_states", DataDrivenWeights.state(settings.shapley().granularity()));
        }
        Dataset<Row> trainingPaths = sequences.isEmpty() ? null
                : DataDrivenWeights.paths(training, trainingTouches, sequences).persist(StorageLevel.MEMORY_AND_DISK());
        if (markov) {
            in.markov(wh, settings.markov(), trainingPaths, sequences.get("markov_states"), date, window);
            timer.lap("markov");
        }
        if (shapley) {
            in.shapley(wh, settings.shapley().granularity(), trainingPaths, sequences.get("shapley_states"), date,
                    window);
            timer.lap("shapley");
        }
        if (trainingPaths != null) {
            trainingPaths.unpersist();
        }
        if (needs.contains(CreditModel.Input.INCREMENTAL_EFFECTS)) {
            in.incremental(wh, settings, date);
            timer.lap("incremental");
        }
        if (needs.contains(CreditModel.Input.MMM_FACTORS)) {
            in.mixedMedia(wh, config, date);
        }
        return in;
    }

    /**
     * Fits {@link IncrementalHazard} on the person-days of the window up to {@code date}: every touch of the
     * persons (closed and open journeys) but those of a purchase session, and their orders. Spark reduces them per
     * person to the sufficient statistics; the driver solves.
     */
    private void incremental(Warehouse wh, PartnermixConfig.Attribution settings, LocalDate date) {
        PartnermixConfig.Incremental inc = settings.incremental();
        LocalDate windowStart = date.minusDays(inc.windowDays() - 1L);
        // Touches up to this long before the window still carry stock into it (the slowest candidate decay).
        double slowest = inc.decays().stream().mapToDouble(Double::doubleValue).max().orElse(0.0);
        int carryDays = slowest <= 0 ? 0 : (int) Math.min(365, Math.ceil(Math.log(IncrementalHazard.NEGLIGIBLE)
                / Math.log(slowest)));
        java.sql.Date from = java.sql.Date.valueOf(windowStart.minusDays(carryDays));
        java.sql.Date to = java.sql.Date.valueOf(date);
        Column group = DataDrivenWeights.state(inc.granularity());
        Column weight = CreditModels.touchWeight(settings);
        // Touches of a purchase session neither fit nor earn credit: the same rule as the model's.
        Dataset<Row> closedTouches = wh.read(Tables.SILVER_JOURNEY_TOUCHES)
                .where(to_date(col("touch_ts")).between(from, to))
                .withColumn("in_purchase_session", PurchaseSessions.flag(inc))
                .select(col("person_id"), col("touch_ts"), group.as("group"), weight.as("weight"),
                        col("in_purchase_session"));
        Dataset<Row> touches = closedTouches;
        if (wh.exists(Tables.SILVER_OPEN_JOURNEYS)) {
            touches = touches.unionByName(wh.read(Tables.SILVER_OPEN_JOURNEYS)
                    .select(col("person_id"), explode(col("touches")).as("t"))
                    .select(col("person_id"), col("t.touch_ts"), col("t.channel"), col("t.partner_type"),
                            col("t.partner_id"), col("t.is_click"))
                    .where(to_date(col("touch_ts")).between(from, to))
                    .select(col("person_id"), col("touch_ts"), group.as("group"), weight.as("weight"),
                            lit(false).as("in_purchase_session")));
        }
        // Lift tests measure every touch of the test arm; the share outside purchase sessions is taken over the
        // window's touches.
        LiftTests.Read liftTests = LiftTests.read(wh, settings, date,
                touches.where(to_date(col("touch_ts")).geq(java.sql.Date.valueOf(windowStart))));
        Dataset<Row> exposure = touches.where(not(col("in_purchase_session"))).drop("in_purchase_session");
        Dataset<Row> orders = wh.read(Tables.SILVER_JOURNEYS).where(col("is_converted")
                        .and(to_date(col("order_ts")).between(java.sql.Date.valueOf(windowStart), to)))
                .select("person_id", "order_ts");
        IncrementalHazard.Fit fit = IncrementalPersonDays.fit(exposure, orders, windowStart, inc.windowDays(),
                inc.decays(), liftTests.tests());
        java.util.function.BiConsumer<String, Double> row = (state, value) -> weightRows.add(RowFactory.create(
                java.sql.Date.valueOf(date), "incremental", inc.granularity(), null, state, value, null, null,
                java.sql.Date.valueOf(windowStart), to, fit.personDays(), (long) fit.orders(), null, null));
        fit.effects().forEach(row);
        fit.priors().forEach((g, prior) -> row.accept("(lift test) " + g, prior));
        row.accept("(baseline per person-day)", fit.intercept());
        row.accept("(decay per day)", fit.decay());
        incrementalNote = String.format(java.util.Locale.ROOT, "incremental fitted on %,d person-days (%,.0f orders, "
                        + "%d groups, %d with an effect, decay %.2f)", fit.personDays(), fit.orders(),
                fit.effects().size(), fit.effects().values().stream().filter(e -> e > 0).count(), fit.decay())
                + liftTestNote(liftTests, fit);
        touchWeights = touchWeights.withColumn("incremental_group", group)
                .join(broadcast(stateTable(wh, fit.effects(), "incremental_group", "incremental_effect")),
                        ScalaSeqs.of("incremental_group"), "left")
                .withColumn("incremental_decay", lit(fit.decay()));
    }

    /** Which lift tests calibrated the fit, and which could not (their group had no touch in the window). */
    private static String liftTestNote(LiftTests.Read read, IncrementalHazard.Fit fit) {
        StringBuilder note = new StringBuilder();
        if (!fit.priors().isEmpty()) {
            note.append(String.format(java.util.Locale.ROOT, ", calibrated by %d lift test(s): ", read.tests().size()));
            note.append(String.join(", ", fit.priors().entrySet().stream().map(e -> String.format(java.util.Locale.ROOT,
                    "%s effect %.3g (test %.3g)", e.getKey(), fit.effects().get(e.getKey()), e.getValue())).toList()));
        }
        if (!read.unfitted().isEmpty()) {
            note.append(", lift tests of groups without touches in the window left out: ")
                    .append(String.join(", ", read.unfitted()));
        }
        return note.toString();
    }

    private void markov(Warehouse wh, PartnermixConfig.Markov m, Dataset<Row> trainingPaths, Column state,
                        LocalDate date, Object[] window) {
        MarkovRemoval.Result result = DataDrivenWeights.markov(
                trainingPaths.withColumnRenamed("markov_states", "states"), m.order(), m.pathTransform());
        Map<String, Double> weights = m.creditBasis().equals("revenue") ? result.revenueRemovalEffect()
                : result.conversionRemovalEffect();
        markovStates = result.chainStates();
        if (m.globalAllocation()) {
            List<GlobalAllocation.Pattern> patterns = DataDrivenWeights.allocationPatterns(trainingPaths
                    .withColumnRenamed("markov_states", "states")
                    .withColumnRenamed("markov_touch_weights", "touch_weights"), MAX_ALLOCATION_PATTERNS);
            GlobalAllocation.Fit fit = GlobalAllocation.fit(patterns, weights);
            weights = fit.weights();
            markovAllocation = String.format(java.util.Locale.ROOT, "markov allocated globally over %,d journey "
                            + "patterns (%d sweeps, %.4f from the chain's shares)", patterns.size(), fit.iterations(),
                    fit.residual());
        }
        for (String s : weights.keySet()) {
            weightRows.add(RowFactory.create(java.sql.Date.valueOf(date), "markov", m.granularity(), m.order(), s,
                    weights.get(s), result.conversionRemovalEffect().get(s), result.revenueRemovalEffect().get(s),
                    window[0], window[1], window[2], window[3], result.chainStates(),
                    result.conversionProbability()));
        }
        touchWeights = touchWeights.withColumn("markov_state", state)
                .join(broadcast(stateTable(wh, weights, "markov_state", "markov_weight")),
                        ScalaSeqs.of("markov_state"), "left");
    }

    private void shapley(Warehouse wh, String granularity, Dataset<Row> trainingPaths, Column state, LocalDate date,
                         Object[] window) {
        Map<String, Double> values = DataDrivenWeights.shapley(
                trainingPaths.withColumnRenamed("shapley_states", "states"));
        shapleyPlayers = values.size();
        for (String s : values.keySet()) {
            weightRows.add(RowFactory.create(java.sql.Date.valueOf(date), "shapley", granularity, null, s,
                    values.get(s), null, null, window[0], window[1], window[2], window[3], null, null));
        }
        touchWeights = touchWeights.withColumn("shapley_state", state)
                .join(broadcast(stateTable(wh, values, "shapley_state", "shapley_value")),
                        ScalaSeqs.of("shapley_state"), "left");
    }

    /** mixed_media: the base model's credit rescaled by the latest earlier MMM fit's calibration factors. */
    private void mixedMedia(Warehouse wh, PartnermixConfig config, LocalDate date) {
        baseModel = requireJourneyModel(config, "mmm.base_model", config.mmm().baseModel());
        String fallback = config.mmm().fallbackModel() == null || config.mmm().fallbackModel().isBlank() ? baseModel
                : requireJourneyModel(config, "mmm.fallback_model", config.mmm().fallbackModel());
        var factors = MixedMedia.latestBefore(wh, date);
        List<Row> factorRows = new ArrayList<>();
        if (factors.isPresent()) {
            MixedMedia.Factors f = factors.get();
            f.byChannel().forEach((channel, factor) -> {
                double w = factor == null ? 1.0 : factor;
                factorRows.add(RowFactory.create(channel, w));
                weightRows.add(RowFactory.create(java.sql.Date.valueOf(date), "mixed_media", f.granularity(), null,
                        channel, w, null, null, java.sql.Date.valueOf(f.windowStart()),
                        java.sql.Date.valueOf(f.windowEnd()), null, null, null, null));
            });
            mmmChannel = PanelBuilder.channelKey(f.granularity(), new TouchRules(config.journeys()), col("channel"),
                    col("partner_id"), col("partner_type"));
            mixedMediaNote = "mixed_media = " + baseModel + " calibrated by the MMM fit of " + f.fitDate() + " ("
                    + f.byChannel().size() + " channels)";
        } else {
            // No fit yet (a young warehouse: the MMM needs months of panel): the fallback model's credit
            // (mmm.fallback_model, the person-level incrementality model by default); recorded so analysts see why.
            baseModel = fallback;
            weightRows.add(RowFactory.create(java.sql.Date.valueOf(date), "mixed_media", null, null,
                    "(no mmm fit: factor 1 on " + baseModel + ")", 1.0, null, null, null, null, null, null, null,
                    null));
            mmmChannel = col("channel");
            mixedMediaNote = "mixed_media: no MMM fit before " + date + " yet, factor 1 (= " + baseModel + ")";
        }
        mmmFactors = wh.spark().createDataFrame(factorRows,
                new StructType().add("channel", "string").add("factor", "double"));
    }

    /** A model mixed_media can stand on: one of attribution.models, and not mixed_media itself. */
    private static String requireJourneyModel(PartnermixConfig config, String setting, String model) {
        if (!config.attribution().models().contains(model)
                || CreditModels.model(model).needs().contains(CreditModel.Input.MMM_FACTORS)) {
            throw new IllegalArgumentException(setting + " '" + model + "' must be one of attribution.models "
                    + "(and not mixed_media itself): mixed_media takes its credit");
        }
        return model;
    }

    /** How markov was allocated, what incremental was fitted on and what mixed_media was calibrated with. */
    String notes() {
        return String.join("; ", java.util.stream.Stream.of(markovAllocation, incrementalNote, mixedMediaNote)
                .filter(n -> !n.isEmpty()).toList());
    }

    /** The orders' touches with the MMM factor of their channel ({@code mmm_factor}) when mixed_media needs it. */
    Dataset<Row> withFactors(Dataset<Row> orderTouches) {
        if (mmmFactors == null) {
            return orderTouches;
        }
        return orderTouches.withColumn("mmm_key", mmmChannel)
                .join(broadcast(mmmFactors.select(col("channel").as("mmm_channel"), col("factor").as("mmm_factor"))),
                        col("mmm_key").equalTo(col("mmm_channel")), "left")
                .drop("mmm_key", "mmm_channel");
    }

    /** The mixed_media input of {@link CreditModels#credits}, null when it is not configured. */
    CreditModels.Calibrated calibrated() {
        return mmmFactors == null ? null : new CreditModels.Calibrated(baseModel, col("mmm_factor"));
    }

    private static Dataset<Row> stateTable(Warehouse wh, Map<String, Double> weights, String stateColumn,
                                           String valueColumn) {
        List<Row> rows = new ArrayList<>();
        weights.forEach((state, weight) -> rows.add(RowFactory.create(state, weight)));
        return wh.spark().createDataFrame(rows, new StructType().add(stateColumn, "string").add(valueColumn, "double"));
    }
}
