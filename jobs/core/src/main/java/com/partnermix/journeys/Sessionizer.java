package com.partnermix.journeys;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;
import org.apache.spark.sql.functions;

import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * Sessions: a person's events with no silence longer than the gap. A gap of exactly the limit
 * stays in the session; one microsecond more starts a new one. Computed with window functions
 * per person, so it scales with the number of persons.
 */
public final class Sessionizer {

    private Sessionizer() {}

    /**
     * Adds {@code session_start_ts} and {@code session_id} to every event. Input columns: person_id, event_id,
     * event_ts (and any others, kept as they are).
     */
    public static Dataset<Row> assignSessions(Dataset<Row> events, int gapSeconds) {
        return withSessionStart(events, gapSeconds).withColumn("session_id", sessionId());
    }

    /** A session is named after its person and its start (so a rerun names it the same). */
    private static Column sessionId() {
        return concat(lit("s_"), substring(sha2(concat(col("person_id"), lit("|"),
                date_format(col("session_start_ts"), "yyyy-MM-dd'T'HH:mm:ss.SSSSSS")), 256), 1, 24));
    }

    /**
     * Adds {@code session_start_ts}, the time of the first event of the event's session, over the window
     * {@link #byPerson()} (callers that add more columns over the same window share its sort).
     */
    public static Dataset<Row> withSessionStart(Dataset<Row> events, int gapSeconds) {
        WindowSpec byPerson = byPerson();
        Column gapMicros = expr("unix_micros(event_ts)").minus(lag(expr("unix_micros(event_ts)"), 1).over(byPerson));
        // The running maximum of session starts is the current session's start: same window as the gap, so
        // Spark sorts each person's events once.
        return events
                .withColumn("starts_session", gapMicros.isNull().or(gapMicros.gt(gapSeconds * 1_000_000L)))
                .withColumn("session_start_ts", max(when(col("starts_session"), col("event_ts"))).over(byPerson))
                .drop("starts_session");
    }

    /** A person's events in time order (ties by event_id). */
    public static WindowSpec byPerson() {
        return Window.partitionBy("person_id").orderBy("event_ts", "event_id");
    }

    /**
     * One row per session. Input: events of {@link #assignSessions} with event_type, channel, partner_id,
     * page_type, device_type, country, and {@code region} already derived from the country.
     */
    public static Dataset<Row> sessions(Dataset<Row> sessionEvents) {
        return aggregate(sessionEvents, null);
    }

    /** The event columns a session's touches keep (see {@link #sessionsWithTouches}). */
    public static final List<String> TOUCH_COLUMNS = List.of("event_id", "event_ts", "event_date", "event_type",
            "channel", "partner_id", "coupon_code", "region");

    /**
     * {@link #sessions} with one more column, {@code touches}: the session's impressions and clicks (the
     * {@link #TOUCH_COLUMNS} of each), collected in the same pass. Input: events of {@link #withSessionStart} (the
     * session id is only computed per session). The journeys need the touches and the sessions of the same events:
     * collecting them here spares keeping every event (page views are most of them) for a second pass.
     */
    public static Dataset<Row> sessionsWithTouches(Dataset<Row> sessionEvents) {
        Column touch = struct(TOUCH_COLUMNS.stream().map(functions::col).toArray(Column[]::new));
        return aggregate(sessionEvents, collect_list(when(col("event_type").isin("impression", "click"), touch))
                .as("touches"));
    }

    /** One row per touch of {@link #sessionsWithTouches}: person_id, session_id and the {@link #TOUCH_COLUMNS}. */
    public static Dataset<Row> touches(Dataset<Row> sessionsWithTouches) {
        return sessionsWithTouches.select(col("person_id"), col("session_id"), explode(col("touches")).as("touch"))
                .select("person_id", "session_id", "touch.*");
    }

    /**
     * Grouped by person and session start, not by session id: the events come sorted by person and time from the
     * session window, so they are already in that order and the aggregate's sort has nothing to move (the id, a
     * hash, would need a full sort of every event).
     */
    private static Dataset<Row> aggregate(Dataset<Row> sessionEvents, Column touches) {
        // Structs compare field by field: the smallest (event_ts, event_id, ...) is the session's first event.
        Column entryTouch = struct(col("event_ts"), col("event_id"), col("channel"), col("partner_id"));
        Column landingView = struct(col("event_ts"), col("event_id"), col("page_type"));
        Column firstDevice = struct(col("event_ts"), col("event_id"), col("device_type"));
        Column firstCountry = struct(col("event_ts"), col("event_id"), col("country"), col("region"));
        List<Column> aggregates = new ArrayList<>(List.of(
                count("*").as("event_count"),
                sum(when(col("event_type").equalTo("page_view"), 1).otherwise(0)).as("page_views"),
                sum(when(col("event_type").equalTo("click"), 1).otherwise(0)).as("clicks"),
                sum(when(col("event_type").equalTo("impression"), 1).otherwise(0)).as("impressions"),
                min(when(col("channel").isNotNull(), entryTouch)).as("entry"),
                min(when(col("event_type").equalTo("page_view"), landingView)).as("landing"),
                min(when(col("device_type").isNotNull(), firstDevice)).as("device"),
                min(when(col("country").isNotNull(), firstCountry)).as("geo"),
                max(col("page_type").equalTo("cart")).as("reached_cart"),
                max(col("page_type").equalTo("checkout")).as("reached_checkout")));
        List<Column> output = new ArrayList<>(List.of(sessionId().as("session_id"), col("person_id"),
                col("session_start_ts"), col("session_end_ts"), to_date(col("session_start_ts")).as("session_date"),
                expr("(unix_micros(session_end_ts) - unix_micros(session_start_ts)) / 1e6").as("duration_seconds"),
                col("entry.channel").as("entry_channel"), col("entry.partner_id").as("entry_partner_id"),
                col("landing.page_type").as("landing_page_type"),
                col("event_count"), col("page_views"), col("clicks"), col("impressions"),
                coalesce(col("reached_cart"), lit(false)).as("has_cart"),
                coalesce(col("reached_checkout"), lit(false)).as("has_checkout"),
                col("device.device_type").as("device_type"), col("geo.country").as("country"),
                coalesce(col("geo.region"), lit("UNKNOWN")).as("region")));
        if (touches != null) {
            aggregates.add(touches);
            output.add(col("touches"));
        }
        return sessionEvents.groupBy("person_id", "session_start_ts")
                .agg(max("event_ts").as("session_end_ts"), aggregates.toArray(Column[]::new))
                .select(output.toArray(Column[]::new));
    }
}
