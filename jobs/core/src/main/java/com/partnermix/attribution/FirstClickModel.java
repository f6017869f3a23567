package com.partnermix.attribution;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

/** first_click: all credit to the order's first click; impressions are ignored (only impressions: unattributed). */
final class FirstClickModel implements CreditModel {

    @Override
    public String name() {
        return "first_click";
    }

    @Override
    public CreditSteps credit(Context context) {
        return CreditModel.chosenTouch(name(), min(when(col("is_click"), col("position")))
                .over(CreditModel.wholeOrder()));
    }
}
