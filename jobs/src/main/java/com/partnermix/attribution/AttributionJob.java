package com.partnermix.attribution;

import com.partnermix.cli.Job;
import com.partnermix.cli.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.common.StepTimer;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.journeys.JourneyBuilder;
import com.partnermix.journeys.TouchRules;
import com.partnermix.mmm.Calibration;
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
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code attribute --date D}: credit per order and touch under every configured model
 * ({@code gold.attribution_credit}) and the data-driven models' state weights
 * ({@code gold.model_weights}).
 *
 * <p>The data-driven models are trained every night on the journeys (converting or not) that
 * ended in the training window up to D. Credit is (re)computed for the orders whose journeys the
 * journeys run of D rebuilt (new orders, late touches, order updates), with that night's weights;
 * every other order keeps its credit. The first run credits every order.
 */
public final class AttributionJob implements Job {

    static final StructType WEIGHT_SCHEMA = new StructType()
            .add("run_date", "date").add("model", "string").add("granularity", "string").add("model_order", "int")
            .add("state", "string").add("weight", "double").add("conversion_removal_effect", "double")
            .add("revenue_removal_effect", "double").add("window_start", "date").add("window_end", "date")
            .add("training_journeys", "long").add("training_conversions", "long").add("chain_states", "int")
            .add("conversion_probability", "double");

    @Override
    public String name() {
        return "attribute";
    }

    @Override
    public String summary() {
        return "credit per order and touch under every attribution model for --date -> gold.attribution_credit";
    }

    @Override
    public int run(JobContext context) {
        System.out.println(attribute(context.warehouse(), context.config(), context.date()).format());
        return 0;
    }

    /** @param mixedMedia what the mixed_media model was calibrated with (empty when it is not configured) */
    public record Report(LocalDate date, long ordersCredited, long creditRows, long trainingJourneys,
                         int markovStates, int shapleyPlayers, String mixedMedia, String timings) {
        public String format() {
            return String.format("attribute %s: %,d orders credited (%,d credit rows); trained on %,d journeys "
                            + "(markov %d chain states, shapley %d players)%s [%s]", date, ordersCredited, creditRows,
                    trainingJourneys, markovStates, shapleyPlayers, mixedMedia.isEmpty() ? "" : "; " + mixedMedia,
                    timings);
        }
    }

    public static Report attribute(Warehouse wh, PartnermixConfig config, LocalDate date) {
        PartnermixConfig.Attribution settings = config.attribution();
        CreditModels models = new CreditModels(settings);
        StepTimer timer = new StepTimer();
        Dataset<Row> journeys = wh.read(Tables.SILVER_JOURNEYS);
        Dataset<Row> touches = wh.read(Tables.SILVER_JOURNEY_TOUCHES);

        // Train the data-driven models on the window's journeys, converting or not.
        LocalDate windowStart = date.minusDays(settings.trainingWindowDays() - 1L);
        Dataset<Row> training = journeys.where(col("journey_date").between(java.sql.Date.valueOf(windowStart),
                java.sql.Date.valueOf(date)));
        Row trainingSize = training.agg(org.apache.spark.sql.functions.count("*"),
                org.apache.spark.sql.functions.sum(org.apache.spark.sql.functions.when(col("is_converted"), 1L)
                        .otherwise(0L))).first();
        long trainingJourneys = trainingSize.getLong(0);
        long trainingConversions = trainingSize.isNullAt(1) ? 0 : trainingSize.getLong(1);
        List<Row> weightRows = new ArrayList<>();
        Dataset<Row> touchWeights = touches;
        int markovStates = 0;
        int shapleyPlayers = 0;
        Object[] window = {java.sql.Date.valueOf(windowStart), java.sql.Date.valueOf(date), trainingJourneys,
                trainingConversions};
        if (settings.models().contains("markov")) {
            PartnermixConfig.Markov m = settings.markov();
            Column state = DataDrivenWeights.state(m.granularity());
            MarkovRemoval.Result result = DataDrivenWeights.markov(
                    DataDrivenWeights.paths(training, touches, state), m.order(), m.pathTransform());
            Map<String, Double> weights = m.creditBasis().equals("revenue") ? result.revenueRemovalEffect()
                    : result.conversionRemovalEffect();
            markovStates = result.chainStates();
            for (String s : weights.keySet()) {
                weightRows.add(RowFactory.create(java.sql.Date.valueOf(date), "markov", m.granularity(), m.order(), s,
                        weights.get(s), result.conversionRemovalEffect().get(s), result.revenueRemovalEffect().get(s),
                        window[0], window[1], window[2], window[3], result.chainStates(),
                        result.conversionProbability()));
            }
            touchWeights = touchWeights.withColumn("markov_state", state)
                    .join(broadcast(stateTable(wh, weights, "markov_state", "markov_weight")),
                            ScalaSeqs.of("markov_state"), "left");
            timer.lap("markov");
        }
        if (settings.models().contains("shapley")) {
            String granularity = settings.shapley().granularity();
            if (granularity.equals("partner")) {
                throw new IllegalArgumentException("attribution.shapley.granularity: players are channels or partner "
                        + "types (partner level has too many players for a meaningful game)");
            }
            Column state = DataDrivenWeights.state(granularity);
            Map<String, Double> values = DataDrivenWeights.shapley(DataDrivenWeights.paths(training, touches, state));
            shapleyPlayers = values.size();
            for (String s : values.keySet()) {
                weightRows.add(RowFactory.create(java.sql.Date.valueOf(date), "shapley", granularity, null, s,
                        values.get(s), null, null, window[0], window[1], window[2], window[3], null, null));
            }
            touchWeights = touchWeights.withColumn("shapley_state", state)
                    .join(broadcast(stateTable(wh, values, "shapley_state", "shapley_value")),
                            ScalaSeqs.of("shapley_state"), "left");
            timer.lap("shapley");
        }

        // mixed_media: the base model's credit rescaled by the latest earlier MMM fit's calibration factors.
        String mixedMediaNote = "";
        Dataset<Row> mmmFactors = null;
        Column mmmChannel = null;
        String baseModel = config.mmm().baseModel();
        if (settings.models().contains("mixed_media")) {
            if (!settings.models().contains(baseModel) || CreditModels.CALIBRATED.contains(baseModel)) {
                throw new IllegalArgumentException("mmm.base_model '" + baseModel + "' must be one of attribution.models "
                        + "(and not mixed_media itself): mixed_media rescales its credit");
            }
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
                // No fit yet: factor 1 everywhere, i.e. the base model's credit; recorded so analysts see why.
                weightRows.add(RowFactory.create(java.sql.Date.valueOf(date), "mixed_media", null, null,
                        "(no mmm fit: factor 1)", 1.0, null, null, null, null, null, null, null, null));
                mmmChannel = col("channel");
                mixedMediaNote = "mixed_media: no MMM fit before " + date + " yet, factor 1 (= " + baseModel + ")";
            }
            mmmFactors = wh.spark().createDataFrame(factorRows,
                    new StructType().add("channel", "string").add("factor", "double"));
        }

        // The orders to (re)credit tonight.
        Dataset<Row> orders = journeys.where(col("is_converted"));
        if (wh.exists(Tables.GOLD_ATTRIBUTION_CREDIT)) {
            orders = orders.join(wh.read(Tables.SILVER_JOURNEY_CHANGES)
                    .where(col("run_date").equalTo(java.sql.Date.valueOf(date)).and(col("order_id").isNotNull()))
                    .select("order_id").distinct(), ScalaSeqs.of("order_id"), "left_semi");
        }
        orders = orders.select(col("order_id"), col("journey_id"), col("person_id"), col("order_date"),
                        col("order_status"), col("revenue_usd"), col("is_new_customer"), col("region"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> orderTouches = touchWeights.drop("person_id", "order_id", "region")
                .join(orders, ScalaSeqs.of("journey_id"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            Map<String, String> outputNames = new java.util.LinkedHashMap<>();
            settings.models().forEach(m -> outputNames.put(m, m));
            Dataset<Row> factors = mmmFactors;
            Column factorChannel = mmmChannel;
            CreditTable table = creditTable(outputNames, model -> model.equals("mixed_media")
                    ? Calibration.apply(models.credit(baseModel, orderTouches), factors, factorChannel)
                    : models.credit(model, orderTouches), orders);
            Dataset<Row> ordered = table.rows().persist(StorageLevel.MEMORY_AND_DISK());
            long creditRows = ordered.count();
            long orderCount = orders.count();
            timer.lap("credit");
            writeCredit(wh, ordered, orders, settings.models());
            DeltaWrites.replaceSlice(wh, Tables.GOLD_MODEL_WEIGHTS,
                    wh.spark().createDataFrame(weightRows, WEIGHT_SCHEMA), "run_date = '" + date + "'");
            timer.lap("write");
            ordered.unpersist();
            table.release();
            return new Report(date, orderCount, creditRows, trainingJourneys, markovStates, shapleyPlayers,
                    mixedMediaNote, timer.toString());
        } finally {
            orderTouches.unpersist();
            orders.unpersist();
        }
    }

    /** Credit rows in the layout of gold.attribution_credit, and the cached intermediate to release after use. */
    public record CreditTable(Dataset<Row> rows, Dataset<Row> cached) {
        public void release() {
            cached.unpersist();
        }
    }

    /**
     * The credit of {@code orders} under each model of {@code outputNames} (model -> the name written in the
     * model column), unattributed orders included, in the column order of gold.attribution_credit.
     *
     * @param modelCredit  model -> the credited touches of the orders (positions 1..n) under that model
     * @param orders       order_id, journey_id, person_id, order_date, order_status, revenue_usd,
     *                     is_new_customer, region
     */
    public static CreditTable creditTable(Map<String, String> outputNames,
                                          java.util.function.Function<String, Dataset<Row>> modelCredit,
                                          Dataset<Row> orders) {
        Dataset<Row> credit = null;
        for (Map.Entry<String, String> model : outputNames.entrySet()) {
            Dataset<Row> rows = modelCredit.apply(model.getKey()).withColumn("model", lit(model.getValue()));
            credit = credit == null ? rows.select(creditColumns()) : credit.unionByName(rows.select(creditColumns()));
        }
        // The output and the unattributed anti-join both read the models' credit: compute it once.
        credit = credit.persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> all = credit.unionByName(unattributed(orders, credit, List.copyOf(outputNames.values())))
                .withColumn("credited_revenue_usd", col("revenue_usd").multiply(col("credit"))
                        .cast(JourneyBuilder.MONEY));
        return new CreditTable(all.select(outputColumns()), credit);
    }

    /**
     * Replaces the credit of {@code orders} under {@code modelNames} only: the fraud-adjusted models are
     * written by another job into the same table and must survive a re-credit, and vice versa.
     */
    public static void writeCredit(Warehouse wh, Dataset<Row> rows, Dataset<Row> orders, List<String> modelNames) {
        Dataset<Row> models = orders.sparkSession().createDataFrame(
                modelNames.stream().map(m -> RowFactory.create(m)).toList(), new StructType().add("model", "string"));
        DeltaWrites.replaceGroups(wh, Tables.GOLD_ATTRIBUTION_CREDIT, rows,
                orders.select("order_id").crossJoin(broadcast(models)), List.of("order_id", "model"),
                List.of("order_id", "model", "position"));
    }

    private static Dataset<Row> stateTable(Warehouse wh, Map<String, Double> weights, String stateColumn,
                                           String valueColumn) {
        List<Row> rows = new ArrayList<>();
        weights.forEach((state, weight) -> rows.add(RowFactory.create(state, weight)));
        return wh.spark().createDataFrame(rows, new StructType().add(stateColumn, "string").add(valueColumn, "double"));
    }

    /** An order without a creditable touch under a model (no touch at all, or only impressions for a click model). */
    private static Dataset<Row> unattributed(Dataset<Row> orders, Dataset<Row> credit, List<String> modelNames) {
        Dataset<Row> models = orders.sparkSession().createDataFrame(
                modelNames.stream().map(m -> RowFactory.create(m)).toList(), new StructType().add("model", "string"));
        return orders.crossJoin(broadcast(models))
                .join(credit.select("order_id", "model").distinct(), ScalaSeqs.of("order_id", "model"), "left_anti")
                .withColumn("event_id", lit(null).cast("string"))
                .withColumn("position", lit(0))
                .withColumn("touch_ts", lit(null).cast("timestamp"))
                .withColumn("is_click", lit(null).cast("boolean"))
                .withColumn("partner_id", lit(null).cast("string"))
                .withColumn("channel", lit(null).cast("string"))
                .withColumn("partner_type", lit(null).cast("string"))
                .withColumn("partner_region", lit(null).cast("string"))
                .withColumn("funnel_stage", lit(null).cast("string"))
                .withColumn("credit", lit(1.0))
                .select(creditColumns());
    }

    private static Column[] creditColumns() {
        return new Column[] {col("order_id"), col("order_date"), col("model"), col("event_id"), col("position"),
                col("touch_ts"), col("is_click"), col("partner_id"), col("channel"), col("partner_type"),
                col("partner_region"), col("funnel_stage"), col("region"), col("credit"), col("revenue_usd"),
                col("order_status"), col("is_new_customer"), col("journey_id"), col("person_id")};
    }

    private static Column[] outputColumns() {
        return new Column[] {col("order_id"), col("order_date"), col("model"), col("event_id"), col("partner_id"),
                col("channel"), col("partner_type"), col("funnel_stage"), col("region"), col("credit"),
                col("credited_revenue_usd"), col("is_new_customer"), col("position"), col("touch_ts"), col("is_click"),
                col("partner_region"), col("order_status"), col("revenue_usd"), col("journey_id"), col("person_id")};
    }
}
