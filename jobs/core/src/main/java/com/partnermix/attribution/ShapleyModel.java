package com.partnermix.attribution;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * shapley: each player ({@code shapley_state}) of the order gets its positive Shapley value's share of the order,
 * split over its touches by touch weight; an order without a positive value gets linear credit.
 */
final class ShapleyModel implements CreditModel {

    private static final String FIRST_VALUE = "shapley__first_value";
    private static final String VALUE = "shapley__value";
    private static final String PLAYER_WEIGHT = "shapley__player_weight";

    @Override
    public String name() {
        return "shapley";
    }

    @Override
    public Set<Input> needs() {
        return Set.of(Input.SHAPLEY_VALUES);
    }

    @Override
    public void validate(PartnermixConfig.Attribution settings) {
        if (settings.shapley().granularity().equals("partner")) {
            throw new IllegalArgumentException("attribution.shapley.granularity: players are channels or partner "
                    + "types (partner level has too many players for a meaningful game)");
        }
    }

    /** Each player's value counts once per order (at its first touch), and its touches' total weight. */
    @Override
    public Dataset<Row> prepare(Dataset<Row> touches, Context context) {
        WindowSpec player = Window.partitionBy(col("order_id"), col("shapley_state")).orderBy("position")
                .rowsBetween(Window.unboundedPreceding(), Window.unboundedFollowing());
        Column value = greatest(coalesce(col("shapley_value"), lit(0.0)), lit(0.0));
        return touches.withColumns(Map.of(
                FIRST_VALUE, when(col("position").equalTo(min("position").over(player)), value).otherwise(lit(0.0)),
                VALUE, value,
                PLAYER_WEIGHT, sum(TOUCH_WEIGHT).over(player)));
    }

    @Override
    public CreditSteps credit(Context context) {
        String orderValue = name() + "__order_value";
        Column total = col(orderValue);
        Column weight = when(total.gt(0), col(VALUE).divide(total).multiply(col(TOUCH_WEIGHT))
                .divide(col(PLAYER_WEIGHT))).otherwise(lit(0.0));
        return CreditSteps.share(name(), CreditSteps.WEIGHT2, weight, CreditSteps.linearShare())
                .add(CreditSteps.ORDER, orderValue, sum(FIRST_VALUE).over(CreditModel.wholeOrder()));
    }
}
