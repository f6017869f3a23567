package com.partnermix.attribution;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The attribution models ({@link #REGISTRY}) and the credit of each touch under the requested ones.
 *
 * <p>Input columns: order_id, position (1..n in time order, ties broken by event_id), is_click,
 * channel, funnel_stage, seconds_before_order, and for the data-driven models the touch's state
 * weight ({@code markov_weight}, {@code shapley_value}, {@code shapley_state}). Output: the same
 * rows with {@code credit}; per order the credits sum to 1, or the order has no creditable touch
 * under that model (click-only models on an impressions-only journey) and is left to the caller as
 * unattributed.
 *
 * <p>Impressions weigh {@code view_through_weight} of a click in every multi-touch model; the
 * click models (last_click, last_non_direct, first_click) ignore them. Sums over an order run in
 * position order, so the same input gives bit-identical credit.
 */
public final class CreditModels {

    /** Every model {@code attribution.models} may name. */
    public static final List<CreditModel> REGISTRY = List.of(new LastClickModel(), new LastNonDirectModel(),
            new FirstClickModel(), new LinearModel(), new TimeDecayModel(), new PositionBasedModel(),
            new FunnelWeightedModel(), new MarkovModel(), new ShapleyModel(), new IncrementalModel(),
            new MixedMediaModel());

    /** Marks the row standing for an order that has touches but none this model can credit (click models). */
    public static final String UNATTRIBUTED = "is_unattributed";

    private final PartnermixConfig.Attribution settings;

    /** Checks the configured models' settings (the names were checked when the configuration was loaded). */
    public CreditModels(PartnermixConfig.Attribution settings) {
        this.settings = settings;
        for (String name : settings.models()) {
            model(name).validate(settings);
        }
        // Checked whether position_based is configured or not: the fraud job's position_based_adjusted reads them.
        PartnermixConfig.PositionWeights p = settings.positionBased();
        if (Math.abs(p.first() + p.middle() + p.last() - 1.0) > 1e-9) {
            throw new IllegalArgumentException("attribution.position_based weights must sum to 1, got "
                    + (p.first() + p.middle() + p.last()));
        }
    }

    /** The registered names, in registry order. */
    public static List<String> names() {
        return REGISTRY.stream().map(CreditModel::name).toList();
    }

    /** The model of this name; an unknown name is refused with the known ones. */
    public static CreditModel model(String name) {
        return REGISTRY.stream().filter(m -> m.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("attribution.models: unknown model '" + name
                        + "'; known: " + String.join(", ", names())));
    }

    /** Refuses a list naming an unknown model (at configuration load). */
    public static void requireKnown(List<String> models) {
        models.forEach(CreditModels::model);
    }

    /** The shared inputs the models need. */
    public static Set<CreditModel.Input> needs(List<String> models) {
        Set<CreditModel.Input> out = EnumSet.noneOf(CreditModel.Input.class);
        models.forEach(m -> out.addAll(model(m).needs()));
        return out;
    }

    /** A touch's weight in the multi-touch models and in training: 1 for a click, view_through_weight else. */
    static Column touchWeight(PartnermixConfig.Attribution settings) {
        return when(col("is_click"), lit(1.0)).otherwise(lit(settings.viewThroughWeight()));
    }

    /** The mixed_media input: the base model it rescales and the MMM factor of each touch (null: factor 1). */
    public record Calibrated(String baseModel, Column factor) {}

    /** Rows with a {@code credit} column for one model (click models: only the chosen touch). */
    public Dataset<Row> credit(String model, Dataset<Row> touches) {
        return credits(touches, List.of(model), null).where(not(col(UNATTRIBUTED))).drop("model", UNATTRIBUTED);
    }

    /**
     * The credit of every touch under every model of {@code models}: the touch rows repeated per model with
     * {@code model}, {@code credit} and {@link #UNATTRIBUTED}. Every model adds its credit to the same rows and
     * every order window has the same partitioning, so the touches are shuffled once, however many models there
     * are. A click model on an order without a click gives one row with the flag set (the caller writes it as
     * unattributed).
     *
     * @param calibrated the mixed_media input when {@code models} holds mixed_media, else null
     */
    public Dataset<Row> credits(Dataset<Row> touches, List<String> models, Calibrated calibrated) {
        CreditModel.Context context = new CreditModel.Context(settings, calibrated);
        Set<CreditModel> computed = new LinkedHashSet<>();
        models.forEach(m -> withReads(model(m), context, computed, new LinkedHashSet<>()));
        Dataset<Row> t = touches.withColumn(CreditModel.TOUCH_WEIGHT, touchWeight(settings));
        for (CreditModel m : computed) {
            t = m.prepare(t, context);
        }
        // level by level, every model's columns of one level in one withColumns: one Window operator per
        // order-aggregate level for all models, as the old single method had
        java.util.TreeMap<Integer, Map<String, Column>> levels = new java.util.TreeMap<>();
        levels.computeIfAbsent(CreditSteps.ORDER, l -> new java.util.LinkedHashMap<>())
                .put(CreditSteps.ORDER_TOUCH_WEIGHT, sum(CreditModel.TOUCH_WEIGHT).over(CreditModel.wholeOrder()));
        for (CreditModel m : computed) {
            m.credit(context).levels().forEach((level, columns) ->
                    levels.computeIfAbsent(level, l -> new java.util.LinkedHashMap<>()).putAll(columns));
        }
        for (Map<String, Column> columns : levels.values()) {
            t = t.withColumns(columns);
        }
        List<Column> entries = new ArrayList<>();
        for (String m : models) {
            Column credit = col(CreditModel.column(m));
            entries.add(struct(lit(m).as("model"), credit.getField("credit").as("credit"),
                    credit.getField("unattributed").as(UNATTRIBUTED)));
        }
        List<Column> kept = new ArrayList<>();
        for (String c : touches.columns()) {
            kept.add(col(c));
        }
        kept.add(explode(array(entries.toArray(Column[]::new))).as("entry"));
        return t.select(kept.toArray(Column[]::new))
                .select(col("*"), col("entry.model").as("model"), col("entry.credit").as("credit"),
                        col("entry." + UNATTRIBUTED).as(UNATTRIBUTED))
                .drop("entry")
                .where(col("credit").isNotNull());
    }

    /** Adds {@code model} after the models it reads. */
    private static void withReads(CreditModel model, CreditModel.Context context, Set<CreditModel> computed,
                                  Set<String> reading) {
        if (!reading.add(model.name())) {
            throw new IllegalArgumentException("credit models read each other in a circle: " + reading);
        }
        for (String read : model.reads(context)) {
            withReads(model(read), context, computed, reading);
        }
        reading.remove(model.name());
        computed.add(model);
    }
}
