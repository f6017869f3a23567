package com.partnermix.attribution;

import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.common.StepTimer;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.journeys.JourneyBuilder;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.time.LocalDate;
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

    /** @param notes how markov was allocated and what mixed_media was calibrated with (empty when neither ran) */
    public record Report(LocalDate date, long ordersCredited, long creditRows, long trainingJourneys,
                         int markovStates, int shapleyPlayers, String notes, String timings) {
        public String format() {
            return String.format("attribute %s: %,d orders credited (%,d credit rows); trained on %,d journeys "
                            + "(markov %d chain states, shapley %d players)%s [%s]", date, ordersCredited, creditRows,
                    trainingJourneys, markovStates, shapleyPlayers, notes.isEmpty() ? "" : "; " + notes,
                    timings);
        }
    }

    public static Report attribute(Warehouse wh, PartnermixConfig config, LocalDate date) {
        PartnermixConfig.Attribution settings = config.attribution();
        CreditModels models = new CreditModels(settings);
        StepTimer timer = new StepTimer();
        Dataset<Row> journeys = wh.read(Tables.SILVER_JOURNEYS);
        ModelInputs inputs = ModelInputs.build(wh, config, date, journeys, wh.read(Tables.SILVER_JOURNEY_TOUCHES),
                CreditModels.needs(settings.models()), timer);

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
        Dataset<Row> orderTouches = inputs.withFactors(inputs.touchWeights.drop("person_id", "journey_id", "region")
                .join(orders, ScalaSeqs.of("order_id")));
        try {
            Dataset<Row> rows = creditTable(models.credits(orderTouches, settings.models(), inputs.calibrated()),
                    orders, orderTouches, settings.models());
            long orderCount = orders.count();
            timer.lap("orders");
            long creditRows = writeCredit(wh, rows, replaced, settings.models());
            timer.lap("credit+write");
            DeltaWrites.replaceSlice(wh, Tables.GOLD_MODEL_WEIGHTS,
                    wh.spark().createDataFrame(inputs.weightRows, WEIGHT_SCHEMA), "run_date = '" + date + "'");
            timer.lap("weights");
            return new Report(date, orderCount, creditRows, inputs.trainingJourneys, inputs.markovStates,
                    inputs.shapleyPlayers, inputs.notes(), timer.toString());
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
