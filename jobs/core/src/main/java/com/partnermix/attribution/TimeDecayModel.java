package com.partnermix.attribution;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;

/** time_decay: touch weight x 2^(-age / time_decay_half_life_days), age = touch to order. */
final class TimeDecayModel implements CreditModel {

    @Override
    public String name() {
        return "time_decay";
    }

    @Override
    public CreditSteps credit(Context context) {
        double halfLifeSeconds = context.settings().timeDecayHalfLifeDays() * 86_400.0;
        return CreditSteps.share(name(), CreditSteps.WEIGHT, col(TOUCH_WEIGHT).multiply(pow(lit(2.0),
                col("seconds_before_order").divide(-halfLifeSeconds))), null);
    }
}
