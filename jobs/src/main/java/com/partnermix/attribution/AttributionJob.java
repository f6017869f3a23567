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

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

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
        // Both data-driven models learn from the window's paths: one group-by over the touches builds the state
        // sequences of both granularities.
        boolean markov = settings.models().contains("markov");
        boolean shapley = settings.models().contains("shapley");
        if (shapley && settings.shapley().granularity().equals("partner")) {
            throw new IllegalArgumentException("attribution.shapley.granularity: players are channels or partner "
                    + "types (partner level has too many players for a meaningful game)");
        }
        Map<String, Column> sequences = new LinkedHashMap<>();
        if (markov) {
            sequences.put("markov_states", DataDrivenWeights.state(settings.markov().granularity()));
        }
        if (shapley) {
            sequences.put("shapley_states", DataDrivenWeights.state(settings.shapley().granularity()));
        }
        Dataset<Row> trainingPaths = sequences.isEmpty() ? null
                : DataDrivenWeights.paths(training, touches, sequences).persist(StorageLevel.MEMORY_AND_DISK());
        if (markov) {
            PartnermixConfig.Markov m = settings.markov();
            MarkovRemoval.Result result = DataDrivenWeights.markov(
                    trainingPaths.withColumnRenamed("markov_states", "states"), m.order(), m.pathTransform());
            Map<String, Double> weights = m.creditBasis().equals("revenue") ? result.revenueRemovalEffect()
                    : result.conversionRemovalEffect();
            markovStates = result.chainStates();
            for (String s : weights.keySet()) {
                weightRows.add(RowFactory.create(java.sql.Date.valueOf(date), "markov", m.granularity(), m.order(), s,
                        weights.get(s), result.conversionRemovalEffect().get(s), result.revenueRemovalEffect().get(s),
                        window[0], window[1], window[2], window[3], result.chainStates(),
                        result.conversionProbability()));
            }
            touchWeights = touchWeights.withColumn("markov_state", sequences.get("markov_states"))
                    .join(broadcast(stateTable(wh, weights, "markov_state", "markov_weight")),
                            ScalaSeqs.of("markov_state"), "left");
            timer.lap("markov");
        }
        if (shapley) {
            String granularity = settings.shapley().granularity();
            Map<String, Double> values = DataDrivenWeights.shapley(
                    trainingPaths.withColumnRenamed("shapley_states", "states"));
            shapleyPlayers = values.size();
            for (String s : values.keySet()) {
                weightRows.add(RowFactory.create(java.sql.Date.valueOf(date), "shapley", granularity, null, s,
                        values.get(s), null, null, window[0], window[1], window[2], window[3], null, null));
            }
            touchWeights = touchWeights.withColumn("shapley_state", sequences.get("shapley_states"))
                    .join(broadcast(stateTable(wh, values, "shapley_state", "shapley_value")),
                            ScalaSeqs.of("shapley_state"), "left");
            timer.lap("shapley");
        }
        if (trainingPaths != null) {
            trainingPaths.unpersist();
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

        // The orders to (re)credit tonight; an order whose journey vanished (a backfill back to before it arrived)
        // is among the changed ones and loses its credit.
        Dataset<Row> orders = journeys.where(col("is_converted"));
        Dataset<Row> replaced = orders.select("order_id");
        if (wh.exists(Tables.GOLD_ATTRIBUTION_CREDIT)) {
            replaced = wh.read(Tables.SILVER_JOURNEY_CHANGES)
                    .where(col("run_date").equalTo(java.sql.Date.valueOf(date)).and(col("order_id").isNotNull()))
                    .select("order_id").distinct();
            orders = orders.join(replaced, ScalaSeqs.of("order_id"), "left_semi");
        }
        orders = orders.select(col("order_id"), col("journey_id"), col("person_id"), col("order_date"),
                        col("order_status"), col("revenue_usd"), col("is_new_customer"), col("region"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        // Joined on the order id, the key every credit window partitions by: the touches are shuffled once.
        Dataset<Row> orderTouches = touchWeights.drop("person_id", "journey_id", "region")
                .join(orders, ScalaSeqs.of("order_id"));
        CreditModels.Calibrated calibrated = null;
        if (mmmFactors != null) {
            orderTouches = orderTouches.withColumn("mmm_key", mmmChannel)
                    .join(broadcast(mmmFactors.select(col("channel").as("mmm_channel"), col("factor").as("mmm_factor"))),
                            col("mmm_key").equalTo(col("mmm_channel")), "left")
                    .drop("mmm_key", "mmm_channel");
            calibrated = new CreditModels.Calibrated(baseModel, col("mmm_factor"));
        }
        try {
            Dataset<Row> rows = creditTable(models.credits(orderTouches, settings.models(), calibrated), orders,
                    orderTouches, settings.models());
            long orderCount = orders.count();
            timer.lap("orders");
            long creditRows = writeCredit(wh, rows, replaced, settings.models());
            timer.lap("credit+write");
            DeltaWrites.replaceSlice(wh, Tables.GOLD_MODEL_WEIGHTS,
                    wh.spark().createDataFrame(weightRows, WEIGHT_SCHEMA), "run_date = '" + date + "'");
            timer.lap("weights");
            return new Report(date, orderCount, creditRows, trainingJourneys, markovStates, shapleyPlayers,
                    mixedMediaNote, timer.toString());
        } finally {
            orders.unpersist();
        }
    }

    /**
     * The rows of gold.attribution_credit, in its column order, from the models' credit of the orders' touches
     * ({@link CreditModels#credits}, long: one row per touch and model): a row flagged unattributed becomes the
     * order's one row without a touch, and orders without any touch get that row under every model.
     *
     * @param orders   order_id, journey_id, person_id, order_date, order_status, revenue_usd, is_new_customer, region
     * @param touched  rows with the order_id of every order that has touches
     */
    public static Dataset<Row> creditTable(Dataset<Row> credit, Dataset<Row> orders, Dataset<Row> touched,
                                           List<String> modelNames) {
        Dataset<Row> credited = credit.select(creditColumns(col(CreditModels.UNATTRIBUTED), true));
        Dataset<Row> models = orders.sparkSession().createDataFrame(
                modelNames.stream().map(m -> RowFactory.create(m)).toList(), new StructType().add("model", "string"));
        Dataset<Row> untouched = orders.join(touched.select("order_id"), ScalaSeqs.of("order_id"), "left_anti")
                .crossJoin(broadcast(models))
                .withColumn(CreditModels.UNATTRIBUTED, lit(true))
                .withColumn("credit", lit(1.0));
        Dataset<Row> all = credited.unionByName(untouched.select(creditColumns(lit(true), false)))
                .withColumn("credited_revenue_usd", col("revenue_usd").multiply(col("credit"))
                        .cast(JourneyBuilder.MONEY));
        return all.select(outputColumns());
    }

    /**
     * Replaces the credit of {@code orders} (an order_id column) under {@code modelNames} only: the fraud-adjusted
     * models are written by another job into the same table and must survive a re-credit, and vice versa.
     */
    public static long writeCredit(Warehouse wh, Dataset<Row> rows, Dataset<Row> orders, List<String> modelNames) {
        Dataset<Row> models = orders.sparkSession().createDataFrame(
                modelNames.stream().map(m -> RowFactory.create(m)).toList(), new StructType().add("model", "string"));
        return DeltaWrites.replaceGroups(wh, Tables.GOLD_ATTRIBUTION_CREDIT, rows,
                orders.select("order_id").crossJoin(broadcast(models)), List.of("order_id", "model"),
                List.of("order_id", "model", "position"));
    }

    private static Dataset<Row> stateTable(Warehouse wh, Map<String, Double> weights, String stateColumn,
                                           String valueColumn) {
        List<Row> rows = new ArrayList<>();
        weights.forEach((state, weight) -> rows.add(RowFactory.create(state, weight)));
        return wh.spark().createDataFrame(rows, new StructType().add(stateColumn, "string").add(valueColumn, "double"));
    }

    /** The credit columns; on an unattributed row every touch column is null and the position 0. */
    private static Column[] creditColumns(Column unattributed, boolean hasTouches) {
        Map<String, String> types = Map.of("event_id", "string", "touch_ts", "timestamp", "is_click", "boolean",
                "partner_id", "string", "channel", "string", "partner_type", "string", "partner_region", "string",
                "funnel_stage", "string", "position", "int");
        java.util.function.Function<String, Column> touch = c -> hasTouches
                ? when(unattributed, lit(null)).otherwise(col(c)).as(c) : lit(null).cast(types.get(c)).as(c);
        return new Column[] {col("order_id"), col("order_date"), col("model"), touch.apply("event_id"),
                hasTouches ? when(unattributed, lit(0)).otherwise(col("position")).as("position") : lit(0).as("position"),
                touch.apply("touch_ts"), touch.apply("is_click"), touch.apply("partner_id"), touch.apply("channel"),
                touch.apply("partner_type"), touch.apply("partner_region"), touch.apply("funnel_stage"), col("region"),
                col("credit"), col("revenue_usd"), col("order_status"), col("is_new_customer"), col("journey_id"),
                col("person_id")};
    }

    private static Column[] outputColumns() {
        return new Column[] {col("order_id"), col("order_date"), col("model"), col("event_id"), col("partner_id"),
                col("channel"), col("partner_type"), col("funnel_stage"), col("region"), col("credit"),
                col("credited_revenue_usd"), col("is_new_customer"), col("position"), col("touch_ts"), col("is_click"),
                col("partner_region"), col("order_status"), col("revenue_usd"), col("journey_id"), col("person_id")};
    }
}
