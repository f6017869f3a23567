package com.partnermix.bench;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The yardstick of {@code bench --peer}: the same landing month through plain DuckDB SQL in this process, doing the
 * work our ingest, journeys and attribute stages do at their simplest: de-duplication (first delivery of an event,
 * latest version of an order), an identity map (a device seen with a customer id), sessions by inactivity gap,
 * journeys (clicks and impressions of the buyer within the lookback before the order) and last-click and
 * position-based credit. No quarantine, no audit columns, no Delta commits, no other models: what it does not do is
 * what our stages pay for, and the ratio shows how much that costs.
 */
public final class DuckDbPeer {

    /** One timed step: its name, the rows of the table it built and its wall time. */
    public record Step(String name, long rows, double seconds) {}

    /** What the peer applies, read from the configuration like our stages do. */
    public record Settings(int sessionGapMinutes, int lookbackDays, double viewThroughWeight, double first,
                           double middle, double last) {}

    private DuckDbPeer() {}

    /** Runs every step on the delivery days {@code first..last} of {@code landing}; the tables live in memory. */
    public static List<Step> run(Path landing, LocalDate first, LocalDate last, Settings settings) throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
             Statement sql = db.createStatement()) {
            return steps(sql, landing, first, last, settings);
        }
    }

    /** Credit per order, event and model, for checking the peer itself: "order_id event_id model credit". */
    public static List<String> credit(Path landing, LocalDate first, LocalDate last, Settings settings)
            throws SQLException {
        try (Connection db = DriverManager.getConnection("jdbc:duckdb:");
             Statement sql = db.createStatement()) {
            steps(sql, landing, first, last, settings);
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = sql.executeQuery("SELECT order_id, event_id, model, round(credit, 6) FROM credit "
                    + "ORDER BY order_id, model, event_id")) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3) + " " + rs.getDouble(4));
                }
            }
            return rows;
        }
    }

    private static List<Step> steps(Statement sql, Path landing, LocalDate first, LocalDate last, Settings settings)
            throws SQLException {
        sql.execute("SET threads = " + Runtime.getRuntime().availableProcessors());
        sql.execute("SET TimeZone = 'UTC'");
        List<Step> steps = new ArrayList<>();
        steps.add(timed(sql, "dedup", "touchpoints", dedupSql(landing, first, last)));
        steps.add(timed(sql, "sessions", "sessions", sessionsSql(settings)));
        steps.add(timed(sql, "journeys", "journey_touches", journeysSql(settings)));
        steps.add(timed(sql, "credit", "credit", creditSql(settings)));
        return steps;
    }

    private static Step timed(Statement sql, String name, String table, String statements) throws SQLException {
        long t0 = System.nanoTime();
        sql.execute(statements);
        double seconds = (System.nanoTime() - t0) / 1e9;
        try (ResultSet rs = sql.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return new Step(name, rs.getLong(1), seconds);
        }
    }

    /** Landing paths come from the configuration: quoted as SQL string literals. */
    private static String feed(Path landing, String feed) {
        return "'" + landing.resolve(feed).toString().replace("'", "''") + "/dt=*/*.jsonl*'";
    }

    private static String deliveredBetween(LocalDate first, LocalDate last) {
        return "dt BETWEEN DATE '" + first + "' AND DATE '" + last + "'";
    }

    static String dedupSql(Path landing, LocalDate first, LocalDate last) {
        String options = "format = 'newline_delimited', hive_partitioning = true, ignore_errors = true";
        return "CREATE TABLE touchpoints AS SELECT event_id, epoch_ms(event_ts::TIMESTAMPTZ) AS ts_ms, event_type, "
                + "channel, partner_id, anonymous_id, user_id FROM read_json(" + feed(landing, "touchpoints") + ", "
                + options + ", columns = {event_id: 'VARCHAR', event_ts: 'VARCHAR', event_type: 'VARCHAR', "
                + "channel: 'VARCHAR', partner_id: 'VARCHAR', anonymous_id: 'VARCHAR', user_id: 'VARCHAR'}) "
                + "WHERE " + deliveredBetween(first, last) + " AND event_id IS NOT NULL AND anonymous_id IS NOT NULL "
                + "AND TRY_CAST(event_ts AS TIMESTAMPTZ) IS NOT NULL "
                + "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY dt) = 1;"
                + "CREATE TABLE orders AS SELECT order_id, epoch_ms(order_ts::TIMESTAMPTZ) AS ts_ms, status, "
                + "TRY_CAST(revenue AS DOUBLE) AS revenue, anonymous_id, user_id FROM read_json("
                + feed(landing, "orders") + ", " + options + ", columns = {order_id: 'VARCHAR', order_ts: 'VARCHAR', "
                + "updated_ts: 'VARCHAR', status: 'VARCHAR', revenue: 'VARCHAR', anonymous_id: 'VARCHAR', "
                + "user_id: 'VARCHAR'}) WHERE " + deliveredBetween(first, last) + " AND order_id IS NOT NULL "
                + "AND TRY_CAST(order_ts AS TIMESTAMPTZ) IS NOT NULL AND TRY_CAST(updated_ts AS TIMESTAMPTZ) IS NOT NULL "
                + "QUALIFY row_number() OVER (PARTITION BY order_id ORDER BY updated_ts::TIMESTAMPTZ DESC, dt) = 1;";
    }

    /** A device seen with a customer id belongs to that customer (the smallest id when several). */
    static String sessionsSql(Settings s) {
        long gapMs = s.sessionGapMinutes() * 60_000L;
        return "CREATE TABLE identity AS SELECT anonymous_id, min(user_id) AS person FROM (SELECT anonymous_id, "
                + "user_id FROM touchpoints UNION ALL SELECT anonymous_id, user_id FROM orders) "
                + "WHERE user_id IS NOT NULL GROUP BY anonymous_id;"
                + "CREATE TABLE sessions AS WITH p AS (" + withPerson("touchpoints") + "), "
                + "g AS (SELECT *, CASE WHEN ts_ms - lag(ts_ms) OVER w <= " + gapMs + " THEN 0 ELSE 1 END AS starts "
                + "FROM p WINDOW w AS (PARTITION BY person ORDER BY ts_ms, event_id)) "
                + "SELECT *, sum(starts) OVER (PARTITION BY person ORDER BY ts_ms, event_id "
                + "ROWS UNBOUNDED PRECEDING) AS session_no FROM g;";
    }

    static String journeysSql(Settings s) {
        long lookbackMs = s.lookbackDays() * 86_400_000L;
        return "CREATE TABLE journey_touches AS SELECT o.order_id, o.revenue, e.event_id, e.event_type = 'click' "
                + "AS is_click, row_number() OVER (PARTITION BY o.order_id ORDER BY e.ts_ms, e.event_id) AS position "
                + "FROM (" + withPerson("orders") + ") o "
                + "JOIN sessions e ON e.person = o.person AND e.ts_ms <= o.ts_ms AND e.ts_ms > o.ts_ms - "
                + lookbackMs + " WHERE o.status <> 'cancelled' AND e.event_type IN ('click', 'impression');";
    }

    /** The rows of a table with their person: the customer id, else the device's customer, else the device. */
    private static String withPerson(String table) {
        return "SELECT r.*, coalesce(r.user_id, i.person, r.anonymous_id) AS person FROM " + table + " r "
                + "LEFT JOIN identity i USING (anonymous_id)";
    }

    /** Shares as our models give them: last click 100 %; position-based first/middle/last times the touch weight. */
    static String creditSql(Settings s) {
        return "CREATE TABLE credit AS WITH n AS (SELECT *, count(*) OVER o AS touches, "
                + "max(CASE WHEN is_click THEN position END) OVER o AS last_click FROM journey_touches "
                + "WINDOW o AS (PARTITION BY order_id)), "
                + "w AS (SELECT *, (CASE WHEN is_click THEN 1.0 ELSE " + s.viewThroughWeight() + " END) * "
                + "(CASE WHEN touches = 1 THEN 1.0 WHEN touches = 2 THEN 0.5 WHEN position = 1 THEN " + s.first()
                + " WHEN position = touches THEN " + s.last() + " ELSE " + s.middle() + " / (touches - 2) END) AS pw "
                + "FROM n) "
                + "SELECT order_id, event_id, 'last_click' AS model, revenue AS credit FROM w WHERE position = last_click "
                + "UNION ALL SELECT order_id, event_id, 'position_based', revenue * pw / sum(pw) OVER (PARTITION BY "
                + "order_id) FROM w;";
    }
}
