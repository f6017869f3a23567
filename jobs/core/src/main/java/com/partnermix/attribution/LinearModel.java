package com.partnermix.attribution;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;

/** linear: equal shares, an impression weighing {@code view_through_weight} of a click. */
final class LinearModel implements CreditModel {

    @Override
    public String name() {
        return "linear";
    }

    @Override
    public CreditSteps credit(Context context) {
        return CreditSteps.share(name(), CreditSteps.WEIGHT, col(TOUCH_WEIGHT), null);
    }
}
