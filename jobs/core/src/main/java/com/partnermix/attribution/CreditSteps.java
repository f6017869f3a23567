package com.partnermix.attribution;

import org.apache.spark.sql.Column;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * The columns a credit model adds, by level. {@link CreditModels} adds level i of every model in one
 * {@code withColumns}, so the order-window aggregates of all models at one level share one Window operator instead
 * of one per model. Levels: {@link #WEIGHT} per-touch expressions, {@link #ORDER} order aggregates (already over
 * the order window), {@link #WEIGHT2} and {@link #ORDER2} the same again for models whose weight needs an order
 * aggregate, {@link #CREDIT} the credit; a model reading another's credit starts at {@link #AFTER_CREDIT}.
 */
final class CreditSteps {

    static final int WEIGHT = 0;
    static final int ORDER = 1;
    static final int WEIGHT2 = 2;
    static final int ORDER2 = 3;
    static final int CREDIT = 4;
    static final int AFTER_CREDIT = 5;

    /** The order's total touch weight (level {@link #ORDER}), for the linear fallback of the data-driven models. */
    static final String ORDER_TOUCH_WEIGHT = "tw__order";

    private final TreeMap<Integer, Map<String, Column>> byLevel = new TreeMap<>();

    CreditSteps add(int level, String column, Column value) {
        byLevel.computeIfAbsent(level, l -> new LinkedHashMap<>()).put(column, value);
        return this;
    }

    Map<Integer, Map<String, Column>> levels() {
        return byLevel;
    }

    /**
     * {@code weight} (added at {@code weightLevel}) normalised over the order's touches as model {@code model}'s
     * credit; where the weights sum to 0 or less the order gets {@code fallback} instead (null: the plain share).
     */
    static CreditSteps share(String model, int weightLevel, Column weight, Column fallback) {
        String w = model + "__w";
        String total = model + "__sum";
        Column share = col(w).divide(col(total));
        return new CreditSteps().add(weightLevel, w, weight)
                .add(weightLevel + 1, total, sum(w).over(CreditModel.wholeOrder()))
                .add(Math.max(CREDIT, weightLevel + 2), CreditModel.column(model), CreditModel.credit(
                        fallback == null ? share : when(col(total).gt(0), share).otherwise(fallback)));
    }

    /** The linear share of a touch: its touch weight over the order's (the data-driven models' fallback). */
    static Column linearShare() {
        return col(CreditModel.TOUCH_WEIGHT).divide(col(ORDER_TOUCH_WEIGHT));
    }
}
