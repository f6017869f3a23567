package com.partnermix.attribution;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

/** last_non_direct: all credit to the last click that is not a type-in ({@code direct}), else to the last click. */
final class LastNonDirectModel implements CreditModel {

    @Override
    public String name() {
        return "last_non_direct";
    }

    @Override
    public CreditSteps credit(Context context) {
        Column click = col("is_click");
        Column lastNonDirect = max(when(click.and(col("channel").notEqual("direct")), col("position")))
                .over(CreditModel.wholeOrder());
        Column lastClick = max(when(click, col("position"))).over(CreditModel.wholeOrder());
        return CreditModel.chosenTouch(name(), coalesce(lastNonDirect, lastClick));
    }
}
