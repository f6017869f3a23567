package com.partnermix.attribution;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.Set;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * markov: touch weight x the removal effect of the touch's state ({@code markov_weight}); an order none of whose
 * states has a weight gets linear credit.
 */
final class MarkovModel implements CreditModel {

    @Override
    public String name() {
        return "markov";
    }

    @Override
    public Set<Input> needs() {
        return Set.of(Input.MARKOV_WEIGHTS);
    }

    @Override
    public CreditSteps credit(Context context) {
        return CreditSteps.share(name(), CreditSteps.WEIGHT, col(TOUCH_WEIGHT).multiply(coalesce(col("markov_weight"), lit(0.0))),
                CreditSteps.linearShare());
    }
}
