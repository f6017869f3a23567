package com.partnermix.journeys;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.sql.Timestamp;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * Customer journeys from a person's touches (impressions and clicks) and orders.
 *
 * <p>A touch belongs to the person's first order at or after it (so, after the previous order)
 * when that order comes within the touch's lookback; ties in time go to the order. An order
 * without touches still gets a journey (unattributed). Touches that reach no order form
 * non-converting journeys: a person's unassigned touches before the same next order (or after
 * the last one), split where two of them are more than the default lookback apart. Such a
 * journey is emitted once it is closed: an order came after it, or every touch's window has
 * passed by the end of the run date. Until then it may still convert and is left out.
 */
public final class JourneyBuilder {

    public static final String PATH_SEPARATOR = " > ";
    /** Money columns of the silver and gold layers. */
    public static final String MONEY = "decimal(18,4)";

    private JourneyBuilder() {}

    public record Built(Dataset<Row> journeys, Dataset<Row> touches) {}

    /**
     * @param touches        person_id, event_id, touch_ts, event_type, channel, partner_id, partner_type,
     *                       funnel_stage, region, partner_region, session_id, coupon_code, lookback_seconds
     * @param orders         current order state: order_id, person_id, order_ts, order_date, order_status, revenue,
     *                       currency, revenue_usd, is_new_customer, region
     * @param runEnd         the end of the run date: windows that close after it are still open
     */
    public static Built build(Dataset<Row> touches, Dataset<Row> orders, Timestamp runEnd, long defaultLookbackSeconds) {
        Dataset<Row> assigned = assignToOrders(touches, orders);
        Dataset<Row> converting = assigned.where(col("is_assigned"))
                .withColumn("journey_id", journeyIdOfOrder(col("order_id")));
        Dataset<Row> nonConverting = closedRuns(assigned.where(col("is_assigned").equalTo(false)), runEnd,
                defaultLookbackSeconds);
        Dataset<Row> journeyTouches = converting.unionByName(nonConverting, true)
                .withColumn("position", row_number().over(Window.partitionBy("journey_id").orderBy("touch_ts", "event_id")))
                .withColumn("is_click", col("event_type").equalTo("click"))
                .select(col("journey_id"), col("person_id"), col("order_id"), col("event_id"), col("touch_ts"),
                        col("position"), col("is_click"), col("channel"), col("partner_id"), col("partner_type"),
                        col("funnel_stage"), col("region"), col("partner_region"), col("session_id"),
                        col("coupon_code"), col("seconds_before_order"));
        return new Built(journeys(journeyTouches, orders), journeyTouches);
    }

    public static Column journeyIdOfOrder(Column orderId) {
        return concat(lit("j_"), substring(sha2(orderId, 256), 1, 24));
    }

    /** Each touch with its person's next order (at or after it) and whether it is within the touch's lookback. */
    static Dataset<Row> assignToOrders(Dataset<Row> touches, Dataset<Row> orders) {
        Dataset<Row> stream = touches.withColumn("kind", lit(0))
                .unionByName(orders.select(col("person_id"), col("order_id"), col("order_ts"),
                        col("order_ts").as("touch_ts"), lit(1).as("kind")), true);
        // Walking backwards in time, the latest order seen so far is the next order of a touch; a running
        // frame keeps this linear per person. At equal times the order comes first (the touch belongs to it).
        WindowSpec backwards = Window.partitionBy("person_id")
                .orderBy(col("touch_ts").desc(), col("kind").desc(), col("order_id").desc(), col("event_id").desc())
                .rowsBetween(Window.unboundedPreceding(), Window.currentRow());
        Column nextOrder = last(when(col("kind").equalTo(1), struct(col("order_ts").as("ts"), col("order_id").as("id"))),
                true).over(backwards);
        Column secondsToOrder = expr("(unix_micros(next_order.ts) - unix_micros(touch_ts)) / 1e6");
        return stream.withColumn("next_order", nextOrder)
                .where(col("kind").equalTo(0))
                .withColumn("seconds_to_next_order", secondsToOrder)
                .withColumn("is_assigned", coalesce(col("seconds_to_next_order").leq(col("lookback_seconds")), lit(false)))
                .withColumn("order_id", when(col("is_assigned"), col("next_order.id")))
                .withColumn("seconds_before_order", when(col("is_assigned"), col("seconds_to_next_order")))
                .drop("kind", "order_ts", "seconds_to_next_order");
    }

    /** Unassigned touches grouped into runs; only closed runs are returned, with their journey ids. */
    static Dataset<Row> closedRuns(Dataset<Row> unassigned, Timestamp runEnd, long defaultLookbackSeconds) {
        Column segment = coalesce(col("next_order.id"), lit(""));
        WindowSpec inSegment = Window.partitionBy(col("person_id"), segment).orderBy("touch_ts", "event_id");
        Column gapSeconds = expr("unix_micros(touch_ts)").minus(lag(expr("unix_micros(touch_ts)"), 1).over(inSegment))
                .divide(1e6);
        Dataset<Row> runs = unassigned
                .withColumn("starts_run", when(gapSeconds.gt(defaultLookbackSeconds), 1).otherwise(0))
                .withColumn("run_number", sum("starts_run").over(inSegment));
        WindowSpec inRun = Window.partitionBy(col("person_id"), segment, col("run_number"));
        long runEndMicros = runEnd.getTime() * 1000L;
        return runs
                .withColumn("first_touch", min(struct(col("touch_ts"), col("event_id"))).over(inRun))
                .withColumn("closes_at_micros", max(expr("unix_micros(touch_ts) + lookback_seconds * 1000000")).over(inRun))
                .where(col("next_order").isNotNull().or(col("closes_at_micros").lt(runEndMicros)))
                .withColumn("journey_id", concat(lit("n_"), substring(sha2(concat(col("person_id"), lit("|"),
                        col("first_touch.event_id")), 256), 1, 24)))
                .drop("starts_run", "run_number", "first_touch", "closes_at_micros");
    }

    /** One row per journey: converting ones from every order, non-converting ones from the closed runs. */
    static Dataset<Row> journeys(Dataset<Row> journeyTouches, Dataset<Row> orders) {
        Column step = struct(col("position"), col("channel"), coalesce(col("partner_type"), col("channel")).as("type"),
                coalesce(col("partner_id"), col("channel")).as("partner"), col("region"));
        Dataset<Row> perJourney = journeyTouches.groupBy("journey_id", "person_id", "order_id").agg(
                count("*").as("touch_count"),
                sum(when(col("is_click"), 1).otherwise(0)).as("click_count"),
                min("touch_ts").as("first_touch_ts"),
                max("touch_ts").as("last_touch_ts"),
                sort_array(collect_list(step)).as("steps"));
        Dataset<Row> withPaths = perJourney
                .withColumn("path_channel", expr("array_join(transform(steps, s -> s.channel), '" + PATH_SEPARATOR + "')"))
                .withColumn("path_partner_type", expr("array_join(transform(steps, s -> s.type), '" + PATH_SEPARATOR + "')"))
                .withColumn("path_partner", expr("array_join(transform(steps, s -> s.partner), '" + PATH_SEPARATOR + "')"))
                .withColumn("last_touch_region", expr("element_at(steps, -1).region"))
                .drop("steps");

        Dataset<Row> converting = orders.withColumn("journey_id", journeyIdOfOrder(col("order_id")))
                .join(withPaths.drop("person_id", "order_id"), com.partnermix.common.ScalaSeqs.of("journey_id"), "left")
                .withColumn("is_converted", lit(true))
                .withColumn("journey_end_ts", col("order_ts"))
                .withColumn("region", when(col("region").equalTo("UNKNOWN").and(col("last_touch_region").isNotNull()),
                        col("last_touch_region")).otherwise(col("region")));
        Dataset<Row> nonConverting = withPaths.where(col("order_id").isNull())
                .withColumn("is_converted", lit(false))
                .withColumn("journey_end_ts", col("last_touch_ts"))
                .withColumn("region", col("last_touch_region"));
        return converting.unionByName(nonConverting, true)
                .withColumn("touch_count", coalesce(col("touch_count"), lit(0L)))
                .withColumn("click_count", coalesce(col("click_count"), lit(0L)))
                .withColumn("impression_count", col("touch_count").minus(col("click_count")))
                .withColumn("revenue_usd", coalesce(col("revenue_usd"), lit(0).cast(MONEY)))
                .withColumn("journey_date", to_date(col("journey_end_ts")))
                .select(col("journey_id"), col("person_id"), col("order_id"), col("is_converted"), col("order_ts"),
                        col("order_date"), col("order_status"), col("revenue"), col("currency"), col("revenue_usd"),
                        col("is_new_customer"), col("region"), col("touch_count"), col("click_count"),
                        col("impression_count"), col("first_touch_ts"), col("last_touch_ts"), col("journey_end_ts"),
                        col("journey_date"), col("path_channel"), col("path_partner_type"), col("path_partner"));
    }
}
