package com.partnermix.attribution;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.List;
import java.util.Set;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

/**
 * mixed_media: the base model's ({@code mmm.base_model}) credit rescaled by the MMM factor of the touch's channel
 * (none: 1) and renormalised per order; an order whose factors are all 0 keeps the base credit, and an order the
 * base model leaves unattributed stays so.
 */
final class MixedMediaModel implements CreditModel {

    @Override
    public String name() {
        return "mixed_media";
    }

    @Override
    public Set<Input> needs() {
        return Set.of(Input.MMM_FACTORS);
    }

    @Override
    public List<String> reads(Context context) {
        return List.of(calibrated(context).baseModel());
    }

    @Override
    public CreditSteps credit(Context context) {
        CreditModels.Calibrated calibrated = calibrated(context);
        Column base = col(CreditModel.column(calibrated.baseModel()));
        Column baseCredit = base.getField("credit");
        Column unattributed = base.getField("unattributed");
        Column credit = col(CreditModel.column(name())).getField("credit");
        // after the base model's credit: weight, order total, share; then the base model's unattributed orders
        return CreditSteps.share(name(), CreditSteps.AFTER_CREDIT,
                        baseCredit.multiply(coalesce(calibrated.factor(), lit(1.0))), baseCredit)
                .add(CreditSteps.AFTER_CREDIT + 3, CreditModel.column(name()),
                        struct(when(unattributed, baseCredit).otherwise(credit).as("credit"),
                                unattributed.as("unattributed")));
    }

    private CreditModels.Calibrated calibrated(Context context) {
        if (context.calibrated() == null) {
            throw new IllegalArgumentException("mixed_media needs the MMM factors and its base model");
        }
        return context.calibrated();
    }
}
