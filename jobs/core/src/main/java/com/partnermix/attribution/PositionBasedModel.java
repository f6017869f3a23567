package com.partnermix.attribution;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

/**
 * position_based: {@code first}/{@code middle}/{@code last} (40/20/40 by default) of the order, the middle share
 * split evenly; one touch 100 %, two touches 50/50; each share times the touch weight.
 */
final class PositionBasedModel implements CreditModel {

    @Override
    public String name() {
        return "position_based";
    }

    @Override
    public CreditSteps credit(Context context) {
        String touchCount = name() + "__n";
        Column n = col(touchCount);
        PartnermixConfig.PositionWeights p = context.settings().positionBased();
        Column positionShare = when(n.equalTo(1), lit(1.0))
                .when(n.equalTo(2), lit(0.5))
                .when(col("position").equalTo(1), lit(p.first()))
                .when(col("position").equalTo(n), lit(p.last()))
                .otherwise(lit(p.middle()).divide(n.minus(2)));
        return CreditSteps.share(name(), CreditSteps.WEIGHT2, col(TOUCH_WEIGHT).multiply(positionShare), null)
                .add(CreditSteps.ORDER, touchCount, max("position").over(CreditModel.wholeOrder()));
    }
}
