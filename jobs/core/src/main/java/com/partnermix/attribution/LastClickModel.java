package com.partnermix.attribution;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

/** last_click: all credit to the order's last click; impressions are ignored (only impressions: unattributed). */
final class LastClickModel implements CreditModel {

    @Override
    public String name() {
        return "last_click";
    }

    @Override
    public CreditSteps credit(Context context) {
        return CreditModel.chosenTouch(name(), max(when(col("is_click"), col("position")))
                .over(CreditModel.wholeOrder()));
    }
}
