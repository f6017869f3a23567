package com.partnermix.journeys;

import com.partnermix.common.PartnermixConfig;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max_by;
import static org.apache.spark.sql.functions.min;

/**
 * The purchase session: the session of an order's last touch, when that touch came at most
 * {@code attribution.incremental.purchase_session_minutes} before the order. Its touches are part of the purchase
 * (checkout coupons, cashback activations), not its cause. The incremental model (fit and credit) and the media mix
 * panel all leave them out, by this one rule.
 */
public final class PurchaseSessions {

    private PurchaseSessions() {}

    /** The session of the order's last touch, over a window of one order's (or converting journey's) touches. */
    public static Column lastSession(WindowSpec order) {
        return max_by(col("session_id"), col("position")).over(order);
    }

    /** How long before the order its last touch came, over the same window. */
    public static Column nearestSecondsBefore(WindowSpec order) {
        return min(col("seconds_before_order")).over(order);
    }

    /** Whether the row's touch is in the purchase session, given the two values above. */
    public static Column inPurchaseSession(Column lastSession, Column nearestSecondsBefore,
                                           PartnermixConfig.Incremental settings) {
        return col("session_id").equalTo(lastSession)
                .and(nearestSecondsBefore.leq(settings.purchaseSessionMinutes() * 60.0));
    }

    /**
     * Over rows of silver.journey_touches (journey_id, order_id, session_id, position, seconds_before_order): true for
     * a touch of a converting journey's purchase session, false for every other touch.
     */
    public static Column flag(PartnermixConfig.Incremental settings) {
        WindowSpec journey = Window.partitionBy("journey_id");
        return coalesce(col("order_id").isNotNull().and(inPurchaseSession(lastSession(journey),
                nearestSecondsBefore(journey), settings)), lit(false));
    }
}
