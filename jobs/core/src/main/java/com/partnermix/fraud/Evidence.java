package com.partnermix.fraud;

import com.partnermix.common.ScalaSeqs;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.util.function.UnaryOperator;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

/**
 * The evidence a reviewer reads with a flag: the timeline of the flagged order (its journey's clicks
 * and page views up to the order, the order itself included, the last {@value FraudJob#EVIDENCE_EVENTS}
 * events), or for a stuffed click without an order the device's events around it. Partner-level
 * flags carry their figures in {@code detail} and an empty timeline.
 */
final class Evidence {

    static final String TYPE = "array<struct<event_ts:timestamp,event_type:string,page_type:string,partner_id:string,"
            + "referrer_url:string,landing_url:string,coupon_code:string,event_id:string>>";
    private static final int DEVICE_WINDOW_SECONDS = 60;

    private Evidence() {}

    /** An empty timeline of the evidence type. */
    static Column none() {
        return expr("cast(array() as " + TYPE + ")");
    }

    private static Column event() {
        return struct(col("event_ts"), col("event_type"), col("page_type"), col("partner_id"), col("referrer_url"),
                col("landing_url"), col("coupon_code"), col("event_id"));
    }

    /**
     * @param flags        flag_id, rule_code, event_id, person_id, first_touch_ts, order_ts (order columns null
     *                     when the flag has no examined order)
     * @param personEvents {@link FraudRules#withOrders} rows: every click and page view of the window, and the orders
     * @param fewFlags     the flags are few enough to send to every task: the events are then joined where they
     *                     are read instead of being shuffled twice to meet them
     * @return flag_id, evidence
     */
    static Dataset<Row> of(Dataset<Row> flags, Dataset<Row> personEvents, boolean fewFlags) {
        UnaryOperator<Dataset<Row>> small = d -> fewFlags ? broadcast(d) : d;
        Dataset<Row> events = personEvents.select(col("person_id").as("t_person"), col("anonymous_id").as("t_device"),
                col("event_ts"), col("event_type"), col("page_type"), col("partner_id"), col("referrer_url"),
                col("landing_url"), col("coupon_code"), col("event_id"));
        Dataset<Row> orderFlags = flags.where(col("person_id").isNotNull())
                .select(col("flag_id"), col("person_id"), coalesce(col("first_touch_ts"),
                        expr("order_ts - interval 1 day")).as("from_ts"), col("order_ts"));
        Dataset<Row> orderEvidence = small.apply(orderFlags)
                .join(events, orderFlags.col("person_id").equalTo(events.col("t_person"))
                        .and(events.col("event_ts").between(orderFlags.col("from_ts"), orderFlags.col("order_ts"))))
                .groupBy("flag_id").agg(sort_array(collect_list(event())).as("timeline"));

        Dataset<Row> clicked = small.apply(flags.where(col("person_id").isNull().and(col("event_id").isNotNull()))
                        .select("flag_id", "event_id"))
                .join(personEvents.select(col("event_id"), col("anonymous_id").as("device"),
                        col("event_ts").as("click_ts")), ScalaSeqs.of("event_id"))
                .drop("event_id");
        Dataset<Row> deviceEvidence = small.apply(clicked)
                .join(events, clicked.col("device").equalTo(events.col("t_device"))
                        .and(expr("abs(cast(event_ts as double) - cast(click_ts as double))")
                                .leq(DEVICE_WINDOW_SECONDS)))
                .groupBy("flag_id").agg(sort_array(collect_list(event())).as("timeline"));

        return orderEvidence.unionByName(deviceEvidence)
                .select(col("flag_id"), expr("cast(slice(timeline, greatest(size(timeline) - "
                        + (FraudJob.EVIDENCE_EVENTS - 1) + ", 1), " + FraudJob.EVIDENCE_EVENTS + ") as " + TYPE + ")")
                        .as("evidence"));
    }
}
