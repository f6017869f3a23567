package com.partnermix.attribution;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static com.partnermix.common.Lookups.lookup;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/** funnel_weighted: touch weight x the weight of its funnel stage ({@code funnel_weights}; unlisted: 1). */
final class FunnelWeightedModel implements CreditModel {

    @Override
    public String name() {
        return "funnel_weighted";
    }

    @Override
    public CreditSteps credit(Context context) {
        return CreditSteps.share(name(), CreditSteps.WEIGHT, col(TOUCH_WEIGHT).multiply(
                coalesce(lookup(context.settings().funnelWeights(), col("funnel_stage")), lit(1.0))), null);
    }
}
