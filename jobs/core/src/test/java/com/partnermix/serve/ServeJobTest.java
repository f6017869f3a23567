package com.partnermix.serve;

import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.testing.Rows;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import io.delta.tables.DeltaTable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The real endpoint: {@code partnermix serve} in its own JVM (it owns its Derby metastore, as in
 * production) over a tiny warehouse, queried with the Hive JDBC driver a BI tool uses.
 */
@Slow
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)   // the new publication comes last
class ServeJobTest extends SparkTestBase {

    private static final String DAILY = "date DATE, model STRING, partner_id STRING, partner_type STRING, "
            + "gmv DOUBLE, orders DOUBLE";
    private static final String PUBLICATIONS = "run_date DATE, published_at TIMESTAMP, table_name STRING, "
            + "delta_version LONG, row_count LONG";

    private static Process server;
    private static final StringBuffer serverOutput = new StringBuffer();
    private static String url;

    @BeforeAll
    static void startServerOnAPublishedWarehouse() throws Exception {
        write(Tables.GOLD_PARTNER_DAILY, Rows.of(spark(), DAILY,
                daily("2026-11-19", "last_click", "P1", "content", 100.0, 1.0),
                daily("2026-11-20", "last_click", "P1", "content", 50.0, 0.5),
                daily("2026-11-20", "last_click", "P2", "coupon", 30.0, 1.0),
                daily("2026-11-20", "linear", "P1", "content", 70.0, 0.8)), "overwrite");
        write(Tables.GOLD_COMMISSION_STATEMENT, Rows.of(spark(),
                "statement_month DATE, partner_id STRING, net_payable DOUBLE",
                "{\"statement_month\":\"2026-11-01\",\"partner_id\":\"P1\",\"net_payable\":12.5}",
                "{\"statement_month\":\"2026-11-01\",\"partner_id\":\"P2\",\"net_payable\":4.0}"), "overwrite");
        write(Tables.DQ_CHECK_RESULTS, Rows.of(spark(), "run_date DATE, table_name STRING, check_name STRING, status STRING",
                "{\"run_date\":\"2026-11-20\",\"table_name\":\"gold.partner_daily\",\"check_name\":\"gmv_non_negative\",\"status\":\"success\"}"),
                "overwrite");
        publish("2026-11-20T06:00:00Z", 0);
        // A later night wrote partner_daily (version 1) but has not been published: BI must not see it.
        write(Tables.GOLD_PARTNER_DAILY, Rows.of(spark(), DAILY,
                daily("2026-11-21", "last_click", "P3", "review", 999.0, 1.0)), "append");

        startServer();
    }

    /** serve in a JVM of its own on a free port, as a service runs it; returns once it says it is ready. */
    private static void startServer() throws Exception {
        serverOutput.setLength(0);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The test JVM's module openings (surefire argLine), which Spark needs on Java 17.
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-opens") || a.startsWith("-XX:+Ignore") || a.startsWith("-Djdk.reflect"))
                .forEach(command::add);
        command.addAll(List.of("-Xmx1g", "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "com.partnermix.cli.Main", "serve", "--conf", "conf/local.yaml",
                "--set", "paths.warehouse=" + warehouse().root(),
                "--set", "serve.port=" + port,
                "--set", "serve.refresh_seconds=2",
                "--set", "spark.shuffle_partitions=1"));
        server = new ProcessBuilder(command).redirectErrorStream(true).start();
        Thread pump = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    serverOutput.append(line).append('\n');
                }
            } catch (IOException ignored) {
                // the server stopped
            }
        });
        pump.setDaemon(true);
        pump.start();
        url = "jdbc:hive2://127.0.0.1:" + port + "/gold";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(150);
        while (!serverOutput.toString().contains("SQL endpoint ready: " + url)) {
            if (!server.isAlive() || System.nanoTime() > deadline) {
                fail("serve did not start:\n" + serverOutput);
            }
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroy();   // SIGTERM, as a service manager stops it
            server.waitFor(60, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(1)
    void answersAMartQueryFromThePublishedVersion() throws Exception {
        assertEquals(List.of("P1|150.0|1.5", "P2|30.0|1.0"), query(
                "SELECT partner_id, SUM(gmv), SUM(orders) FROM gold.partner_daily WHERE model = 'last_click' "
                        + "GROUP BY partner_id ORDER BY partner_id"));
        assertEquals(List.of("4"), query("SELECT COUNT(*) FROM partner_daily"), "the unpublished version 1 is not served");
    }

    @Test
    @Order(2)
    void joinsTwoMarts() throws Exception {
        assertEquals(List.of("P1|12.5|150.0", "P2|4.0|30.0"), query(
                "SELECT s.partner_id, s.net_payable, SUM(d.gmv) FROM gold.commission_statement s "
                        + "JOIN gold.partner_daily d ON d.partner_id = s.partner_id AND d.model = 'last_click' "
                        + "GROUP BY s.partner_id, s.net_payable ORDER BY s.partner_id"));
        assertEquals(List.of("gold.partner_daily|success"), query("SELECT table_name, status FROM dq.check_results"));
    }

    @Test
    @Order(3)
    void showsTheColumnAndTableDescriptionsOfTheCatalogDocs() throws Exception {
        CatalogDocs.TableDoc doc = CatalogDocs.load(Path.of("conf/catalog.yaml")).table("gold.partner_daily");
        assertTrue(query("DESCRIBE gold.partner_daily").contains("gmv|double|" + doc.column("gmv")));
        try (Connection c = DriverManager.getConnection(url);
             ResultSet columns = c.getMetaData().getColumns(null, "gold", "partner_daily", "gmv");
             ResultSet tables = c.getMetaData().getTables(null, "gold", "partner_daily", null)) {
            assertTrue(columns.next(), "BI tools list the view's columns");
            assertEquals(doc.column("gmv"), columns.getString("REMARKS"));
            assertTrue(tables.next());
            assertTrue(tables.getString("REMARKS").startsWith(doc.description().strip()), tables.getString("REMARKS"));
        }
    }

    @Test
    @Order(4)
    void refusesWritesAndUnpublishedReads() throws Exception {
        String path = warehouse().path(Tables.GOLD_PARTNER_DAILY);
        long versionBefore = latestVersion(Tables.GOLD_PARTNER_DAILY);
        for (String write : List.of(
                "INSERT INTO delta.`" + path + "` VALUES (DATE'2026-11-22', 'last_click', 'P9', 'x', 1.0, 1.0)",
                "DELETE FROM delta.`" + path + "` WHERE partner_id = 'P1'",
                "UPDATE delta.`" + path + "` SET gmv = 0",
                "DROP VIEW gold.partner_daily",
                "CREATE TABLE gold.notes (a INT) USING parquet",
                "CREATE OR REPLACE VIEW gold.partner_daily AS SELECT 1 AS x",
                "CREATE TEMPORARY VIEW everything AS SELECT * FROM delta.`" + path + "`")) {
            assertRefused(write, "is read-only");
        }
        assertRefused("SELECT COUNT(*) FROM delta.`" + path + "`", "reads only the published tables");
        assertRefused("SELECT COUNT(*) FROM delta.`" + path + "` VERSION AS OF 1", "reads only the published tables");
        assertRefused("SELECT reflect('java.lang.System', 'exit', 0)", "is read-only");
        assertEquals(versionBefore, latestVersion(Tables.GOLD_PARTNER_DAILY), "nothing was written");
        assertEquals(List.of("2"), query("SELECT COUNT(DISTINCT partner_id) FROM gold.partner_daily"));
    }

    @Test
    @Order(5)
    void picksUpANewPublicationAtTheNextRefresh() throws Exception {
        publish("2026-11-21T06:00:00Z", 1);
        String sql = "SELECT partner_id, gmv FROM gold.partner_daily WHERE partner_id = 'P3'";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (query(sql).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the new publication was not served:\n" + serverOutput);
            Thread.sleep(500);
        }
        assertEquals(List.of("P3|999.0"), query(sql));
        assertEquals(List.of("5"), query("SELECT COUNT(*) FROM gold.partner_daily"));
    }

    @Test
    @Order(6)
    void servesTheSameTablesByNameAfterARestart() throws Exception {
        server.destroy();   // SIGTERM: the catalog (a Derby database) must be left usable by the next server
        assertTrue(server.waitFor(60, TimeUnit.SECONDS), "serve did not stop on SIGTERM:\n" + serverOutput);
        startServer();
        assertEquals(List.of("P3|999.0"), query("SELECT partner_id, gmv FROM gold.partner_daily WHERE partner_id = 'P3'"));
        assertEquals(List.of("2"), query("SELECT COUNT(*) FROM gold.commission_statement"));
    }

    private static void assertRefused(String sql, String expected) {
        try {
            query(sql);
            fail("not refused: " + sql);
        } catch (SQLException e) {
            assertTrue(e.getMessage().contains(expected), sql + " -> " + e.getMessage());
        }
    }

    private static List<String> query(String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<String> cells = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    cells.add(rs.getString(i) == null ? "null" : rs.getString(i).strip());
                }
                rows.add(String.join("|", cells));
            }
        }
        return rows;
    }

    /** Publishes partner_daily at {@code dailyVersion}, the other tables at version 0 (appended: the latest wins). */
    private static void publish(String publishedAt, long dailyVersion) {
        String runDate = publishedAt.substring(0, 10);
        write(Tables.DQ_PUBLICATIONS, Rows.of(spark(), PUBLICATIONS,
                publication(runDate, publishedAt, "gold.partner_daily", dailyVersion),
                publication(runDate, publishedAt, "gold.commission_statement", 0),
                publication(runDate, publishedAt, "dq.check_results", 0)), "append");
    }

    private static String publication(String runDate, String at, String table, long version) {
        return String.format("{\"run_date\":\"%s\",\"published_at\":\"%s\",\"table_name\":\"%s\",\"delta_version\":%d,"
                + "\"row_count\":0}", runDate, at, table, version);
    }

    private static String daily(String date, String model, String partner, String type, double gmv, double orders) {
        return String.format("{\"date\":\"%s\",\"model\":\"%s\",\"partner_id\":\"%s\",\"partner_type\":\"%s\","
                + "\"gmv\":%s,\"orders\":%s}", date, model, partner, type, gmv, orders);
    }

    private static void write(Table table, Dataset<Row> rows, String mode) {
        rows.write().format("delta").mode(mode).save(warehouse().path(table));
    }

    private static long latestVersion(Table table) {
        return DeltaTable.forPath(spark(), warehouse().path(table)).history(1).first().<Long>getAs("version");
    }
}
