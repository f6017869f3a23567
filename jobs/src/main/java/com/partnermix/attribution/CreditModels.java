package com.partnermix.attribution;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static com.partnermix.common.Lookups.lookup;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Credit per touch under each model, as Spark columns over the touches of converting journeys.
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

    public static final List<String> RULE_BASED = List.of("last_click", "last_non_direct", "first_click", "linear",
            "time_decay", "position_based", "funnel_weighted");
    public static final List<String> DATA_DRIVEN = List.of("markov", "shapley");
    /** Models rescaled from another model's credit by the AttributionJob (mixed_media: MMM calibration). */
    public static final List<String> CALIBRATED = List.of("mixed_media");

    private final PartnermixConfig.Attribution settings;

    public CreditModels(PartnermixConfig.Attribution settings) {
        this.settings = settings;
        for (String model : settings.models()) {
            if (!RULE_BASED.contains(model) && !DATA_DRIVEN.contains(model) && !CALIBRATED.contains(model)) {
                throw new IllegalArgumentException("attribution.models: unknown model '" + model + "'; known: "
                        + RULE_BASED + " " + DATA_DRIVEN + " " + CALIBRATED);
            }
        }
        PartnermixConfig.PositionWeights p = settings.positionBased();
        if (Math.abs(p.first() + p.middle() + p.last() - 1.0) > 1e-9) {
            throw new IllegalArgumentException("attribution.position_based weights must sum to 1, got "
                    + (p.first() + p.middle() + p.last()));
        }
    }

    private static WindowSpec wholeOrder() {
        return Window.partitionBy("order_id").orderBy("position")
                .rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
    }

    private Column touchWeight() {
        return when(col("is_click"), lit(1.0)).otherwise(lit(settings.viewThroughWeight()));
    }

    /** The mixed_media input: the base model it rescales and the MMM factor of each touch (null: factor 1). */
    public record Calibrated(String baseModel, Column factor) {}

    /** Rows with a {@code credit} column for one model (click models: only the chosen touch). */
    public Dataset<Row> credit(String model, Dataset<Row> touches) {
        return credits(touches, List.of(model), null).where(not(col(UNATTRIBUTED))).drop("model", UNATTRIBUTED);
    }

    /** Marks the row standing for an order that has touches but none this model can credit (click models). */
    public static final String UNATTRIBUTED = "is_unattributed";

    /**
     * The credit of every touch under every model of {@code models}, in one pass over each order's touches: the
     * touch rows repeated per model with {@code model}, {@code credit} and {@link #UNATTRIBUTED}. Every window has
     * the same order partitioning, so the touches are shuffled once and sorted twice (by player for Shapley,
     * then by position), however many models there are. A click model on an order without a click gives one
     * row with the flag set (the caller writes it as unattributed).
     *
     * @param calibrated the mixed_media input when {@code models} holds mixed_media, else null
     */
    public Dataset<Row> credits(Dataset<Row> touches, List<String> models, Calibrated calibrated) {
        WindowSpec order = wholeOrder();
        Dataset<Row> t = touches.withColumn("tw", touchWeight());
        boolean shapley = models.contains("shapley");
        if (shapley) {
            // Each player's value counts once per order; its share is split over its touches by touch weight.
            WindowSpec player = Window.partitionBy(col("order_id"), col("shapley_state")).orderBy("position")
                    .rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
            Column playerValue = greatest(coalesce(col("shapley_value"), lit(0.0)), lit(0.0));
            t = t.withColumns(Map.of(
                    "sv_first", when(col("position").equalTo(min("position").over(player)), playerValue)
                            .otherwise(lit(0.0)),
                    "sv", playerValue,
                    "tw_player", sum("tw").over(player)));
        }
        Map<String, Column> weights = new LinkedHashMap<>();
        weights.put("w_td", col("tw").multiply(pow(lit(2.0),
                col("seconds_before_order").divide(-settings.timeDecayHalfLifeDays() * 86_400.0))));
        weights.put("w_fw", col("tw").multiply(coalesce(lookup(settings.funnelWeights(), col("funnel_stage")), lit(1.0))));
        weights.put("w_mk", models.contains("markov") || calibrated != null
                ? col("tw").multiply(coalesce(col("markov_weight"), lit(0.0))) : lit(0.0));
        t = t.withColumns(weights);
        // Level 1: the order's aggregates (one Window operator: all share the order window).
        Map<String, Column> level1 = new LinkedHashMap<>();
        level1.put("n", max("position").over(order));
        level1.put("last_click_pos", max(when(col("is_click"), col("position"))).over(order));
        level1.put("first_click_pos", min(when(col("is_click"), col("position"))).over(order));
        level1.put("last_nd_pos", max(when(col("is_click").and(col("channel").notEqual("direct")), col("position")))
                .over(order));
        level1.put("sum_lin", sum("tw").over(order));
        level1.put("sum_td", sum("w_td").over(order));
        level1.put("sum_fw", sum("w_fw").over(order));
        level1.put("sum_mk", sum("w_mk").over(order));
        level1.put("sum_sv", shapley ? sum("sv_first").over(order) : lit(0.0));
        t = t.withColumns(level1);
        // Level 2: weights that need a level-1 aggregate, and their sums.
        Column shapleyShare = shapley ? when(col("sum_sv").gt(0), col("sv").divide(col("sum_sv"))
                .multiply(col("tw")).divide(col("tw_player"))).otherwise(lit(0.0)) : lit(0.0);
        t = t.withColumn("w_pb", col("tw").multiply(positionShare(col("n"))))
                .withColumn("w_sh", shapleyShare);
        t = t.withColumns(Map.of("sum_pb", sum("w_pb").over(order), "sum_sh", sum("w_sh").over(order)));

        Column linear = col("tw").divide(col("sum_lin"));
        Map<String, Column> credit = new LinkedHashMap<>();
        credit.put("last_click", chosen(col("last_click_pos")));
        credit.put("first_click", chosen(col("first_click_pos")));
        credit.put("last_non_direct", chosen(coalesce(col("last_nd_pos"), col("last_click_pos"))));
        credit.put("linear", linear);
        credit.put("time_decay", col("w_td").divide(col("sum_td")));
        credit.put("position_based", col("w_pb").divide(col("sum_pb")));
        credit.put("funnel_weighted", col("w_fw").divide(col("sum_fw")));
        // A data-driven model that saw none of the order's states falls back to linear: every order gets credit.
        credit.put("markov", when(col("sum_mk").gt(0), col("w_mk").divide(col("sum_mk"))).otherwise(linear));
        credit.put("shapley", when(col("sum_sh").gt(0), col("w_sh").divide(col("sum_sh"))).otherwise(linear));
        if (calibrated != null) {
            // Level 3: the base model's credit rescaled by the MMM factor, renormalised (all 0: the base credit).
            Column base = credit.get(calibrated.baseModel());
            t = t.withColumn("w_mm", base.multiply(coalesce(calibrated.factor(), lit(1.0))));
            t = t.withColumn("sum_mm", sum("w_mm").over(order));
            credit.put("mixed_media", when(col("sum_mm").gt(0), col("w_mm").divide(col("sum_mm"))).otherwise(base));
        }
        List<Column> entries = new ArrayList<>();
        for (String model : models) {
            Column c = credit.get(model);
            if (c == null) {
                throw new IllegalArgumentException("unknown model " + model);
            }
            // mixed_media inherits an order the base model cannot credit.
            Column pos = SINGLE_TOUCH.get(model.equals("mixed_media") ? calibrated.baseModel() : model);
            Column unattributed = pos == null ? lit(false) : pos.isNull().and(col("position").equalTo(1));
            entries.add(struct(lit(model).as("model"), when(unattributed, lit(1.0)).otherwise(c).as("credit"),
                    unattributed.as(UNATTRIBUTED)));
        }
        List<String> helpers = new ArrayList<>(List.of("tw", "w_td", "w_fw", "w_mk", "w_pb", "w_sh", "sum_pb",
                "sum_sh"));
        helpers.addAll(level1.keySet());
        if (shapley) {
            helpers.addAll(List.of("sv_first", "sv", "tw_player"));
        }
        if (calibrated != null) {
            helpers.addAll(List.of("w_mm", "sum_mm"));
        }
        List<Column> kept = new ArrayList<>();
        for (String c : t.columns()) {
            if (!helpers.contains(c)) {
                kept.add(col(c));
            }
        }
        kept.add(explode(array(entries.toArray(Column[]::new))).as("entry"));
        return t.select(kept.toArray(Column[]::new))
                .select(col("*"), col("entry.model").as("model"), col("entry.credit").as("credit"),
                        col("entry." + UNATTRIBUTED).as(UNATTRIBUTED))
                .drop("entry")
                .where(col("credit").isNotNull());
    }

    /** The click models' chosen position, by model. */
    private static final Map<String, Column> SINGLE_TOUCH = Map.of("last_click", col("last_click_pos"),
            "first_click", col("first_click_pos"), "last_non_direct", coalesce(col("last_nd_pos"), col("last_click_pos")));

    private static Column chosen(Column chosenPosition) {
        return when(col("position").equalTo(chosenPosition), lit(1.0));
    }

    /** 40/20/40 by default: one touch 100 %, two touches 50/50, the middle share split evenly. */
    private Column positionShare(Column n) {
        PartnermixConfig.PositionWeights p = settings.positionBased();
        return when(n.equalTo(1), lit(1.0))
                .when(n.equalTo(2), lit(0.5))
                .when(col("position").equalTo(1), lit(p.first()))
                .when(col("position").equalTo(n), lit(p.last()))
                .otherwise(lit(p.middle()).divide(n.minus(2)));
    }
}
