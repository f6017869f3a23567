package com.partnermix.attribution;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.List;

import static com.partnermix.common.Lookups.lookup;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.pow;
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

    /** Rows with a {@code credit} column for one model. */
    public Dataset<Row> credit(String model, Dataset<Row> touches) {
        return switch (model) {
            case "last_click" -> single(touches, col("is_click"), true);
            case "first_click" -> single(touches, col("is_click"), false);
            case "last_non_direct" -> lastNonDirect(touches);
            case "linear" -> normalised(touches, touchWeight(), null);
            case "time_decay" -> normalised(touches, touchWeight().multiply(pow(lit(2.0),
                    col("seconds_before_order").divide(-settings.timeDecayHalfLifeDays() * 86_400.0))), null);
            case "position_based" -> normalised(touches, touchWeight().multiply(positionShare()), null);
            case "funnel_weighted" -> normalised(touches, touchWeight().multiply(
                    coalesce(lookup(settings.funnelWeights(), col("funnel_stage")), lit(1.0))), null);
            case "markov" -> normalised(touches, touchWeight().multiply(coalesce(col("markov_weight"), lit(0.0))),
                    touchWeight());
            case "shapley" -> shapley(touches);
            default -> throw new IllegalArgumentException("unknown model " + model);
        };
    }

    /** All credit to the last (or first) touch that qualifies; orders without one get no rows. */
    private static Dataset<Row> single(Dataset<Row> touches, Column qualifies, boolean last) {
        Column chosen = last ? max(when(qualifies, col("position"))).over(wholeOrder())
                : min(when(qualifies, col("position"))).over(wholeOrder());
        return touches.withColumn("chosen", chosen)
                .where(col("position").equalTo(col("chosen")))
                .withColumn("credit", lit(1.0))
                .drop("chosen");
    }

    /** The last click that is not a type-in (direct); when every click is direct, the last click. */
    private static Dataset<Row> lastNonDirect(Dataset<Row> touches) {
        Column lastNonDirect = max(when(col("is_click").and(col("channel").notEqual("direct")), col("position")))
                .over(wholeOrder());
        Column lastClick = max(when(col("is_click"), col("position"))).over(wholeOrder());
        return touches.withColumn("chosen", coalesce(lastNonDirect, lastClick))
                .where(col("position").equalTo(col("chosen")))
                .withColumn("credit", lit(1.0))
                .drop("chosen");
    }

    /**
     * credit = weight / sum of the order's weights. When every weight of an order is 0 (a data-driven
     * model that saw none of its states), {@code fallback} weights are used instead, so every order
     * still gets credit.
     */
    private static Dataset<Row> normalised(Dataset<Row> touches, Column weight, Column fallback) {
        Dataset<Row> weighted = touches.withColumn("w", weight)
                .withColumn("w_total", sum("w").over(wholeOrder()));
        if (fallback != null) {
            weighted = weighted.withColumn("w", when(col("w_total").gt(0), col("w")).otherwise(fallback))
                    .withColumn("w_total", sum("w").over(wholeOrder()));
        }
        return weighted.withColumn("credit", col("w").divide(col("w_total"))).drop("w", "w_total");
    }

    /** 40/20/40 by default: one touch 100 %, two touches 50/50, the middle share split evenly. */
    private Column positionShare() {
        PartnermixConfig.PositionWeights p = settings.positionBased();
        Column n = max("position").over(wholeOrder());
        return when(n.equalTo(1), lit(1.0))
                .when(n.equalTo(2), lit(0.5))
                .when(col("position").equalTo(1), lit(p.first()))
                .when(col("position").equalTo(n), lit(p.last()))
                .otherwise(lit(p.middle()).divide(n.minus(2)));
    }

    /**
     * Shapley values belong to the set of players in the journey: each player present gets its
     * (positive) value's share of the order, split over its touches by touch weight.
     */
    private Dataset<Row> shapley(Dataset<Row> touches) {
        WindowSpec player = Window.partitionBy(col("order_id"), col("shapley_state")).orderBy("position")
                .rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
        Column firstOfPlayer = col("position").equalTo(min("position").over(player));
        Dataset<Row> withShares = touches
                .withColumn("player_value", when(firstOfPlayer,
                        org.apache.spark.sql.functions.greatest(coalesce(col("shapley_value"), lit(0.0)), lit(0.0)))
                        .otherwise(lit(0.0)))
                .withColumn("player_total", sum("player_value").over(player))
                .withColumn("order_total", sum("player_value").over(wholeOrder()))
                .withColumn("tw", touchWeight())
                .withColumn("tw_player", sum("tw").over(player));
        Column share = col("player_total").divide(col("order_total")).multiply(col("tw")).divide(col("tw_player"));
        Dataset<Row> credited = withShares.withColumn("credit", when(col("order_total").gt(0), share));
        // No player with a positive value: fall back to linear so that the order still gets credit.
        return normalised(credited.drop("player_value", "player_total", "tw", "tw_player"),
                coalesce(col("credit"), lit(0.0)), touchWeight()).drop("order_total");
    }
}
