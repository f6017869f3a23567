package com.partnermix.attribution;

import com.partnermix.journeys.PurchaseSessions;
import org.apache.spark.sql.Column;

import java.util.Set;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pow;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * incremental: a touch's share of the order day's added hazard in the person-level model ({@link IncrementalHazard}):
 * effect of its group x touch weight x decay^(days before the order), over the order's sum. Touches of the purchase
 * session (see {@code attribution.incremental.purchase_session_minutes}) add nothing. An order none of whose touches
 * adds hazard is left unattributed: the model says it would have happened anyway.
 */
final class IncrementalModel implements CreditModel {

    @Override
    public String name() {
        return "incremental";
    }

    @Override
    public Set<Input> needs() {
        return Set.of(Input.INCREMENTAL_EFFECTS);
    }

    @Override
    public CreditSteps credit(Context context) {
        String lastSession = "inc__last_session";
        String nearestSeconds = "inc__nearest";
        String w = "inc__w";
        String total = "inc__sum";
        Column inPurchaseSession = PurchaseSessions.inPurchaseSession(col(lastSession), col(nearestSeconds),
                context.settings().incremental());
        Column daysBefore = datediff(col("order_date"), to_date(col("touch_ts")));
        Column weight = when(coalesce(inPurchaseSession, lit(false)), lit(0.0)).otherwise(
                coalesce(col("incremental_effect"), lit(0.0)).multiply(col(TOUCH_WEIGHT))
                        .multiply(pow(col("incremental_decay"), daysBefore)));
        Column unattributed = col(total).leq(0).and(col("position").equalTo(1));
        return new CreditSteps()
                .add(CreditSteps.ORDER, lastSession, PurchaseSessions.lastSession(CreditModel.wholeOrder()))
                .add(CreditSteps.ORDER, nearestSeconds, PurchaseSessions.nearestSecondsBefore(CreditModel.wholeOrder()))
                .add(CreditSteps.WEIGHT2, w, weight)
                .add(CreditSteps.ORDER2, total, sum(w).over(CreditModel.wholeOrder()))
                .add(CreditSteps.CREDIT, CreditModel.column(name()), struct(
                        when(unattributed, lit(1.0)).otherwise(when(col(total).gt(0), col(w).divide(col(total))))
                                .as("credit"),
                        unattributed.as("unattributed")));
    }
}
