package com.partnermix.attribution;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * One attribution model: the touches of converting journeys in, the credit of each touch out. The touches carry
 * the columns {@link CreditModels} describes plus {@link #TOUCH_WEIGHT}; a model adds its credit as
 * {@link #column(String)} and drops whatever else it added. {@link CreditModels} runs every requested model over
 * the same rows, so all of them share one shuffle of the touches by order. Adding a model: one class, a line in
 * {@link CreditModels#REGISTRY} and its name in {@code attribution.models} of {@code conf/business.yaml}.
 */
public interface CreditModel {

    /** A shared input besides the touches: the job prepares only the ones a configured model needs. */
    enum Input {
        /** {@code markov_weight}: the removal effect of the touch's state in the night's Markov chain */
        MARKOV_WEIGHTS,
        /** {@code shapley_state}, {@code shapley_value}: the touch's player and its Shapley value */
        SHAPLEY_VALUES,
        /** the MMM calibration factor of the touch's channel ({@link Context#calibrated()}) */
        MMM_FACTORS,
        /**
         * {@code incremental_effect}: added orders per person-day and unit of exposure of the touch's group;
         * {@code incremental_decay}: the fitted day-over-day carry-over
         */
        INCREMENTAL_EFFECTS
    }

    /** What every model may read besides the touches. */
    record Context(PartnermixConfig.Attribution settings, CreditModels.Calibrated calibrated) {}

    /** The weight of a touch in the multi-touch models: 1 for a click, {@code view_through_weight} else. */
    String TOUCH_WEIGHT = "tw";

    /** The name in {@code attribution.models} and {@code gold.attribution_credit.model}. */
    String name();

    /** The shared inputs the model reads. */
    default Set<Input> needs() {
        return Set.of();
    }

    /** Other models whose credit column this one reads: they are computed first. */
    default List<String> reads(Context context) {
        return List.of();
    }

    /** Refuses settings the model cannot work with (a clear message naming the setting). */
    default void validate(PartnermixConfig.Attribution settings) {}

    /**
     * Columns a model needs from windows sorted otherwise than by position: they are added before any model's
     * credit, so the touches are sorted that way once and then once by position for all models.
     */
    default Dataset<Row> prepare(Dataset<Row> touches, Context context) {
        return touches;
    }

    /**
     * The touches with the column {@link #column(String)} of this model: a struct of {@code credit} (null: the
     * touch gets no row) and {@code unattributed} (this row stands for an order the model cannot credit). Per
     * order the credits sum to 1.
     */
    CreditSteps credit(Context context);

    /** The column holding a model's credit while the models run. */
    static String column(String model) {
        return "credit__" + model;
    }

    /** The whole order's touches in position order: sums run in that order, so credit is bit-identical. */
    static WindowSpec wholeOrder() {
        return Window.partitionBy("order_id").orderBy("position")
                .rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
    }

    /** A credit that never leaves an order unattributed. */
    static Column credit(Column credit) {
        return struct(credit.as("credit"), lit(false).as("unattributed"));
    }

    /**
     * All credit to the touch at {@code chosenPosition} (an order window aggregate); an order without one is left
     * unattributed: its first touch stands for it with credit 1 and the flag set.
     */
    static CreditSteps chosenTouch(String model, Column chosenPosition) {
        String chosen = model + "__pos";
        Column unattributed = col(chosen).isNull().and(col("position").equalTo(1));
        return new CreditSteps().add(CreditSteps.ORDER, chosen, chosenPosition)
                .add(CreditSteps.CREDIT, column(model), struct(when(unattributed, lit(1.0))
                        .otherwise(when(col("position").equalTo(col(chosen)), lit(1.0))).as("credit"),
                        unattributed.as("unattributed")));
    }
}
