package com.partnermix.journeys;

import com.partnermix.common.ScalaSeqs;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.sql.Timestamp;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.posexplode;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
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

    /**
     * @param openJourneys the runs not closed yet (they may still convert): the columns of {@code journeys} as a
     *                     non-converting journey, plus {@code closes_at_ts} and the {@code touches} in time order.
     *                     The data-driven models train on them as non-converting paths, as ChannelAttribution and
     *                     fractribution do, so a warehouse younger than the lookback does not train on conversions only
     */
    public record Built(Dataset<Row> journeys, Dataset<Row> touches, Dataset<Row> openJourneys) {}

    /**
     * @param touches        person_id, event_id, touch_ts, event_type, channel, partner_id, partner_type,
     *                       funnel_stage, region, partner_region, session_id, coupon_code, lookback_seconds
     * @param orders         current order state: order_id, person_id, order_ts, order_date, order_status, revenue,
     *                       currency, revenue_usd, is_new_customer, region
     * @param runEnd         the end of the run date: windows that close after it are still open
     *
     * <p>Every step after the next-order lookup is keyed by person (a window over a person's segment, an
     * aggregate per person and journey), so touches that arrive partitioned by person (from the sessions) are
     * not shuffled again; positions and journey touches come out of the per-journey aggregate.
     */
    public static Built build(Dataset<Row> touches, Dataset<Row> orders, Timestamp runEnd, long defaultLookbackSeconds) {
        return build(touches, orders, runEnd, defaultLookbackSeconds, false, d -> d);
    }

    /**
     * @param fewOrders the persons' order lists are small enough to send to every task: the touches then find their
     *                  next order where they lie, without being shuffled and sorted to meet them
     * @param cache     caches the per-journey aggregate, which both outputs read
     */
    public static Built build(Dataset<Row> touches, Dataset<Row> orders, Timestamp runEnd, long defaultLookbackSeconds,
                              boolean fewOrders, UnaryOperator<Dataset<Row>> cache) {
        Dataset<Row> all = cache.apply(everyJourney(inJourneys(assignToOrders(touches, orders, fewOrders),
                defaultLookbackSeconds), runEnd));
        Dataset<Row> closed = all.where(not(col("is_open"))).drop("is_open", "closes_at_micros");
        return new Built(journeys(closed, orders), journeyTouches(closed), openJourneys(all.where(col("is_open"))));
    }

    public static Column journeyIdOfOrder(Column orderId) {
        return concat(lit("j_"), substring(sha2(orderId, 256), 1, 24));
    }

    /** Each touch with its person's next order (at or after it) and whether it is within the touch's lookback. */
    static Dataset<Row> assignToOrders(Dataset<Row> touches, Dataset<Row> orders, boolean fewOrders) {
        // A person's orders as one array in time order: the next order of a touch is a lookup in it, so the
        // touches need no second sort (a person has a handful of orders).
        Dataset<Row> personOrders = orders.groupBy("person_id")
                .agg(sort_array(collect_list(struct(col("order_ts").as("ts"), col("order_id").as("id"))))
                        .as("person_orders"));
        // At equal times the order comes first (the touch belongs to it); of two orders at one instant, the
        // smaller id.
        Column nextOrder = expr("element_at(filter(person_orders, o -> o.ts >= touch_ts), 1)");
        Column secondsToOrder = expr("(unix_micros(next_order.ts) - unix_micros(touch_ts)) / 1e6");
        return touches.join(fewOrders ? broadcast(personOrders) : personOrders, ScalaSeqs.of("person_id"), "left")
                .withColumn("next_order", nextOrder)
                .drop("person_orders")
                .withColumn("seconds_to_next_order", secondsToOrder)
                .withColumn("is_assigned", coalesce(col("seconds_to_next_order").leq(col("lookback_seconds")), lit(false)))
                .withColumn("order_id", when(col("is_assigned"), col("next_order.id")))
                .withColumn("seconds_before_order", when(col("is_assigned"), col("seconds_to_next_order")))
                .drop("seconds_to_next_order");
    }

    /**
     * The journey of each touch: its order's, or for an unassigned touch a run of the person's unassigned touches
     * before the same next order (or after the last one), split where two of them are more than the default
     * lookback apart; a run is named after its first touch.
     */
    static Dataset<Row> inJourneys(Dataset<Row> assigned, long defaultLookbackSeconds) {
        // The segment is a column of its own: the two windows below (the run start needs the gap) then share one
        // partition key and one sort; an expression repeated in both specs would sort every touch twice.
        WindowSpec inSegment = Window.partitionBy("person_id", "segment", "is_assigned").orderBy("touch_ts", "event_id");
        Column gapSeconds = expr("unix_micros(touch_ts)").minus(lag(expr("unix_micros(touch_ts)"), 1).over(inSegment))
                .divide(1e6);
        Column startsRun = gapSeconds.isNull().or(gapSeconds.gt(defaultLookbackSeconds));
        // The running last start is the current run's first touch: one window, one sort per person's segment.
        Column runStart = last(when(col("starts_run"), col("event_id")), true).over(inSegment);
        Column runId = concat(lit("n_"), substring(sha2(concat(col("person_id"), lit("|"), col("run_start")), 256),
                1, 24));
        return assigned.withColumn("segment", coalesce(col("next_order.id"), lit("")))
                .withColumn("starts_run", startsRun)
                .withColumn("run_start", runStart)
                .withColumn("journey_id", when(col("is_assigned"), journeyIdOfOrder(col("order_id"))).otherwise(runId))
                .drop("segment", "starts_run", "run_start");
    }

    /**
     * One row per journey with its touches in time order and {@code closes_at_micros}. A converting journey is
     * closed; a run only once an order came after it or every touch's window has passed by the end of the run date
     * ({@code is_open} false). An open run may still convert.
     */
    static Dataset<Row> everyJourney(Dataset<Row> touchesInJourneys, Timestamp runEnd) {
        Column touch = struct(col("touch_ts"), col("event_id"), col("event_type"), col("channel"), col("partner_id"),
                col("partner_type"), col("funnel_stage"), col("region"), col("partner_region"), col("session_id"),
                col("coupon_code"), col("seconds_before_order"));
        long runEndMicros = runEnd.getTime() * 1000L;
        // Grouped by person first, so the touches keep their partitioning by person.
        return touchesInJourneys.groupBy("person_id", "journey_id").agg(
                        max(col("order_id")).as("order_id"),
                        max(col("next_order").isNotNull()).as("has_next_order"),
                        max(expr("unix_micros(touch_ts) + lookback_seconds * 1000000")).as("closes_at_micros"),
                        sort_array(collect_list(touch)).as("steps"))
                .withColumn("is_open", not(col("order_id").isNotNull().or(col("has_next_order"))
                        .or(col("closes_at_micros").lt(runEndMicros))))
                .drop("has_next_order");
    }

    /** One row per touch of an emitted journey, numbered 1..n in time order (ties by event id). */
    static Dataset<Row> journeyTouches(Dataset<Row> perJourney) {
        return perJourney.select(col("journey_id"), col("person_id"), col("order_id"), posexplode(col("steps")))
                .select(col("journey_id"), col("person_id"), col("order_id"), col("col.event_id").as("event_id"),
                        col("col.touch_ts").as("touch_ts"), col("pos").plus(1).as("position"),
                        col("col.event_type").equalTo("click").as("is_click"), col("col.channel").as("channel"),
                        col("col.partner_id").as("partner_id"), col("col.partner_type").as("partner_type"),
                        col("col.funnel_stage").as("funnel_stage"), col("col.region").as("region"),
                        col("col.partner_region").as("partner_region"), col("col.session_id").as("session_id"),
                        col("col.coupon_code").as("coupon_code"),
                        col("col.seconds_before_order").as("seconds_before_order"));
    }

    /** One row per journey: converting ones from every order, non-converting ones from the closed runs. */
    static Dataset<Row> journeys(Dataset<Row> perJourney, Dataset<Row> orders) {
        Dataset<Row> withPaths = withPaths(perJourney);
        Dataset<Row> converting = orders.withColumn("journey_id", journeyIdOfOrder(col("order_id")))
                .join(withPaths.drop("person_id", "order_id"), com.partnermix.common.ScalaSeqs.of("journey_id"), "left")
                .withColumn("is_converted", lit(true))
                .withColumn("journey_end_ts", col("order_ts"))
                .withColumn("region", when(col("region").equalTo("UNKNOWN").and(col("last_touch_region").isNotNull()),
                        col("last_touch_region")).otherwise(col("region")));
        return converting.unionByName(nonConverting(withPaths.where(col("order_id").isNull())), true)
                .select(journeyColumns());
    }

    /** The open runs as {@link #journeys} writes a non-converting journey, with their closing time and touches. */
    static Dataset<Row> openJourneys(Dataset<Row> open) {
        Column touches = expr("transform(steps, (s, i) -> named_struct('position', i + 1, 'touch_ts', s.touch_ts, "
                + "'is_click', s.event_type = 'click', 'channel', s.channel, 'partner_id', s.partner_id, "
                + "'partner_type', s.partner_type))");
        List<Column> columns = new java.util.ArrayList<>(List.of(journeyColumns()));
        columns.add(col("closes_at_ts"));
        columns.add(col("touches"));
        return nonConverting(withPaths(open.withColumn("touches", touches)
                        .withColumn("closes_at_ts", expr("timestamp_micros(closes_at_micros)"))))
                .withColumn("order_ts", lit(null).cast("timestamp"))
                .withColumn("order_date", lit(null).cast("date"))
                .withColumn("order_status", lit(null).cast("string"))
                .withColumn("revenue", lit(null).cast(MONEY))
                .withColumn("revenue_usd", lit(null).cast(MONEY))
                .withColumn("currency", lit(null).cast("string"))
                .withColumn("is_new_customer", lit(null).cast("boolean"))
                .select(columns.toArray(Column[]::new));
    }

    /** Counts, times and paths of each journey's touches ({@code steps}, dropped). */
    private static Dataset<Row> withPaths(Dataset<Row> perJourney) {
        Column clicks = expr("size(filter(steps, s -> s.event_type = 'click'))");
        return perJourney
                .withColumn("touch_count", size(col("steps")).cast("long"))
                .withColumn("click_count", clicks.cast("long"))
                .withColumn("first_touch_ts", expr("steps[0].touch_ts"))
                .withColumn("last_touch_ts", expr("element_at(steps, -1).touch_ts"))
                .withColumn("path_channel", expr("array_join(transform(steps, s -> s.channel), '" + PATH_SEPARATOR + "')"))
                .withColumn("path_partner_type", expr("array_join(transform(steps, s -> coalesce(s.partner_type, "
                        + "s.channel)), '" + PATH_SEPARATOR + "')"))
                .withColumn("path_partner", expr("array_join(transform(steps, s -> coalesce(s.partner_id, s.channel)), '"
                        + PATH_SEPARATOR + "')"))
                .withColumn("last_touch_region", expr("element_at(steps, -1).region"))
                .drop("steps");
    }

    /** A run without an order: it ends at its last touch, in that touch's region. */
    private static Dataset<Row> nonConverting(Dataset<Row> withPaths) {
        return withPaths
                .withColumn("is_converted", lit(false))
                .withColumn("journey_end_ts", col("last_touch_ts"))
                .withColumn("region", col("last_touch_region"));
    }

    /** The columns of silver.journeys, in order, with the defaults of a journey without touches or revenue. */
    private static Column[] journeyColumns() {
        return new Column[] {col("journey_id"), col("person_id"), col("order_id"), col("is_converted"),
                col("order_ts"), col("order_date"), col("order_status"), col("revenue"), col("currency"),
                coalesce(col("revenue_usd"), lit(0).cast(MONEY)).as("revenue_usd"), col("is_new_customer"),
                col("region"), coalesce(col("touch_count"), lit(0L)).as("touch_count"),
                coalesce(col("click_count"), lit(0L)).as("click_count"),
                coalesce(col("touch_count"), lit(0L)).minus(coalesce(col("click_count"), lit(0L)))
                        .as("impression_count"),
                col("first_touch_ts"), col("last_touch_ts"), col("journey_end_ts"),
                to_date(col("journey_end_ts")).as("journey_date"), col("path_channel"), col("path_partner_type"),
                col("path_partner")};
    }
}
