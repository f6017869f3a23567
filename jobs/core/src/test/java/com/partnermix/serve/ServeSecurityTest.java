package com.partnermix.serve;

import com.partnermix.common.Tables;
import com.partnermix.testing.Rows;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import io.delta.tables.DeltaTable;
import org.apache.hive.service.auth.PlainSaslHelper;
import org.apache.hive.service.rpc.thrift.TCLIService;
import org.apache.hive.service.rpc.thrift.TOpenSessionReq;
import org.apache.hive.service.rpc.thrift.TOpenSessionResp;
import org.apache.hive.service.rpc.thrift.TProtocolVersion;
import org.apache.hive.service.rpc.thrift.TStatusCode;
import org.apache.thrift.protocol.TBinaryProtocol;
import org.apache.thrift.transport.TSocket;
import org.apache.thrift.transport.TTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The endpoint as an attacker with a JDBC client sees it: one {@code serve} JVM with password authentication, a
 * secret salt in its environment, {@code HIVE_SERVER2_THRIFT_BIND_HOST=0.0.0.0} in its environment and an empty
 * {@code serve.host}; every hostile statement must be refused with a clear message and leave no trace.
 */
@Slow
class ServeSecurityTest extends SparkTestBase {

    private static final String SALT = "s3cret-salt-4711-never-shown";
    private static final String USER = "analyst";
    private static final String PASSWORD = "correct horse battery staple";
    private static final String DAILY = "date DATE, model STRING, partner_id STRING, partner_type STRING, "
            + "gmv DOUBLE, orders DOUBLE";

    private static ServeProcess server;
    private static Connection shared;
    private static Path secretFile;
    private static Path marker;
    private static String dailyPath;

    @BeforeAll
    static void startAnAuthenticatedServerInAHostileEnvironment() throws Exception {
        Rows.of(spark(), DAILY,
                "{\"date\":\"2026-11-20\",\"model\":\"last_click\",\"partner_id\":\"P1\",\"partner_type\":\"content\",\"gmv\":50.0,\"orders\":1.0}",
                "{\"date\":\"2026-11-20\",\"model\":\"last_click\",\"partner_id\":\"P2\",\"partner_type\":\"coupon\",\"gmv\":30.0,\"orders\":1.0}")
                .write().format("delta").mode("overwrite").save(warehouse().path(Tables.GOLD_PARTNER_DAILY));
        Rows.of(spark(), "run_date DATE, published_at TIMESTAMP, table_name STRING, delta_version LONG, row_count LONG",
                "{\"run_date\":\"2026-11-20\",\"published_at\":\"2026-11-20T06:00:00Z\",\"table_name\":\"gold.partner_daily\",\"delta_version\":0,\"row_count\":2}")
                .write().format("delta").mode("append").save(warehouse().path(Tables.DQ_PUBLICATIONS));
        // An unpublished night (version 1): never visible.
        Rows.of(spark(), DAILY,
                "{\"date\":\"2026-11-21\",\"model\":\"last_click\",\"partner_id\":\"P9\",\"partner_type\":\"review\",\"gmv\":999.0,\"orders\":1.0}")
                .write().format("delta").mode("append").save(warehouse().path(Tables.GOLD_PARTNER_DAILY));
        dailyPath = warehouse().path(Tables.GOLD_PARTNER_DAILY);

        secretFile = tmp.resolve("secret.txt");
        Files.writeString(secretFile, "xxe-secret-content-0815");
        marker = tmp.resolve("pwned");
        Path passwords = tmp.resolve("serve-users");
        PasswordFile.put(passwords, USER, PASSWORD.toCharArray());

        server = ServeProcess.start(warehouse().root(),
                Map.of("PARTNERMIX_SALT", SALT,
                        "HIVE_SERVER2_THRIFT_BIND_HOST", "0.0.0.0",
                        "HIVE_SERVER2_THRIFT_PORT", Integer.toString(ServeProcess.freePort())),
                List.of("serve.host=", "serve.auth=password", "serve.password_file=" + passwords));
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (shared != null) {
            shared.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    // ---- 5. authentication -------------------------------------------------------------------------------------

    @Test
    void acceptsTheRightPasswordOnlyAndStillServesThePublishedVersion() throws Exception {
        assertEquals(List.of("2|80.0"), query("SELECT COUNT(*), SUM(gmv) FROM gold.partner_daily"));
        for (String[] credentials : new String[][]{{USER, "wrong password"}, {USER, ""}, {"mallory", PASSWORD},
                {"", ""}, {USER, PASSWORD.toUpperCase()}}) {
            SQLException refused = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(server.url(""), credentials[0], credentials[1]).close(),
                    "logged in as " + credentials[0] + " / " + credentials[1]);
            assertFalse(String.valueOf(refused.getMessage()).contains(PASSWORD));
        }
        try (Connection c = DriverManager.getConnection(server.url(""), USER, PASSWORD);
             var columns = c.getMetaData().getColumns(null, "gold", "partner_daily", "gmv")) {
            assertTrue(columns.next(), "BI tools still list the view's columns");
        }
    }

    // ---- 4. binding ----------------------------------------------------------------------------------------------

    @Test
    void listensOnLoopbackOnlyWhateverTheHiveEnvironmentSays() throws Exception {
        assertTrue(server.output().contains("listening on 127.0.0.1:" + server.port), server.output());
        // 127.0.0.2 is loopback too, but a socket bound to 127.0.0.1 does not accept it: a wildcard bind would.
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.2", server.port), 2000);
            fail("serve accepted a connection on 127.0.0.2: it listens on every address");
        } catch (IOException expected) {
            // refused: bound to 127.0.0.1 only
        }
    }

    // ---- 1. script transformation -----------------------------------------------------------------------------

    @Test
    void refusesScriptTransformationInEveryPositionAndRunsNothing() throws Exception {
        String touch = "'touch " + marker + "'";
        for (String sql : List.of(
                "SELECT TRANSFORM(1) USING 'id' AS (o STRING)",
                "SELECT TRANSFORM(1) USING " + touch + " AS (o STRING)",
                "SELECT * FROM (SELECT TRANSFORM(partner_id) USING " + touch + " AS (o STRING) FROM gold.partner_daily) t",
                "WITH t AS (SELECT TRANSFORM(1) USING " + touch + " AS (o STRING)) SELECT * FROM t",
                "SELECT 1 WHERE EXISTS (SELECT TRANSFORM(1) USING " + touch + " AS (o STRING))",
                "SELECT (SELECT MAX(o) FROM (SELECT TRANSFORM(1) USING " + touch + " AS (o STRING)))",
                "FROM gold.partner_daily SELECT TRANSFORM(partner_id) USING " + touch,
                "SELECT TRANSFORM(1) ROW FORMAT DELIMITED USING " + touch + " AS (o STRING)",
                "EXPLAIN SELECT TRANSFORM(1) USING " + touch + " AS (o STRING)")) {
            assertRefused(sql, "script transformation (TRANSFORM ... USING) refused");
        }
        assertFalse(Files.exists(marker), "a script ran on the server");
    }

    // ---- 2. variables and SET ------------------------------------------------------------------------------------

    @Test
    void neverSubstitutesVariables() throws Exception {
        for (String reference : List.of("${env:PARTNERMIX_SALT}", "${system:java.home}", "${spark:spark.app.name}",
                "${sparkconf:spark.app.name}", "${hiveconf:hive.server2.authentication}", "${hivevar:x}",
                "${spark.app.name}")) {
            assertEquals(List.of(reference), query("SELECT '" + reference + "'"), reference);
        }
    }

    @Test
    void refusesSetOutsideTheAllowList() throws Exception {
        for (String sql : List.of(
                "SET spark.sql.variable.substitute=true",
                "SET spark.sql.variable.substitute = true",
                "SET spark.sql.catalog.x=org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTableCatalog",
                "SET spark.sql.catalog.x.url=jdbc",
                "SET spark.sql.runSQLOnFiles=true",
                "SET hivevar:x=1",
                "SET spark.sql.extensions=x",
                "SET",
                "SET -v",
                "SET spark.sql.shuffle.partitions=100000",
                "SET spark.app.name",
                "SET spark.sql.catalog.spark_catalog=x",
                "RESET spark.sql.variable.substitute")) {
            assertRefused(sql, "partnermix serve refuses this SET");
        }
        // Harmless session keys a BI tool may set stay available, in one session.
        try (Connection c = DriverManager.getConnection(server.url(""), USER, PASSWORD); Statement s = c.createStatement()) {
            s.execute("SET spark.sql.session.timeZone=Europe/Paris");
            try (var rs = s.executeQuery("SELECT CAST(TIMESTAMP'2026-11-20 12:00:00' AS STRING)")) {
                assertTrue(rs.next());
                assertEquals("2026-11-20 12:00:00", rs.getString(1));
            }
            try (var rs = s.executeQuery("SET spark.sql.session.timeZone")) {
                assertTrue(rs.next());
                assertEquals("Europe/Paris", rs.getString(2));
            }
            s.execute("SET spark.sql.ansi.enabled=true");
            s.execute("SET TIME ZONE 'UTC'");
            s.execute("RESET");
        }
    }

    @Test
    void refusesSessionSettingsInTheJdbcUrl() throws Exception {
        // (The Hive JDBC driver itself refuses ${ in a URL: refusesSessionSettingsARawThriftClientSends sends it.)
        for (String suffix : List.of(
                ";?spark.sql.variable.substitute=true",
                ";?spark.sql.catalog.x=org.apache.spark.sql.execution.datasources.v2.jdbc.JDBCTableCatalog",
                "#spark.sql.variable.substitute=true",
                ";hive.server2.proxy.user=hive")) {
            SQLException refused = assertThrows(SQLException.class,
                    () -> DriverManager.getConnection(server.url(suffix), USER, PASSWORD).close(), suffix);
            assertTrue(String.valueOf(refused.getMessage()).contains("partnermix serve refuses the connection setting"),
                    suffix + " -> " + refused.getMessage());
            assertFalse(String.valueOf(refused.getMessage()).contains(SALT), suffix + " -> " + refused.getMessage());
        }
        // An allow-listed setting with a plain value is fine.
        assertEquals(List.of("Europe/Paris"), ServeProcess.query(server.url(";?spark.sql.session.timeZone=Europe/Paris"),
                USER, PASSWORD, "SELECT current_timezone()"));
    }

    @Test
    void refusesSessionSettingsARawThriftClientSends() throws Exception {
        for (Map<String, String> configuration : List.of(
                Map.of("set:system:hive.server2.custom.authentication.class",
                        "org.apache.hive.service.auth.AnonymousAuthenticationProviderImpl"),
                Map.of("set:metaconf:hive.metastore.try.direct.sql", "false"),
                Map.of("set:hiveconf:spark.sql.variable.substitute", "true"),
                // The Hive JDBC driver refuses ${ in a URL; a raw client can send it, and Hive would expand it.
                Map.of("set:hiveconf:spark.sql.session.timeZone", "${env:PARTNERMIX_SALT}"),
                Map.of("set:hivevar:x", "${env:PARTNERMIX_SALT}"),
                Map.of("spark.sql.variable.substitute", "true"),
                Map.of("use:database", "gold`; SELECT 1"))) {
            TTransport transport = PlainSaslHelper.getPlainTransport(USER, PASSWORD,
                    new TSocket("127.0.0.1", server.port));
            transport.open();
            try {
                TOpenSessionReq request = new TOpenSessionReq(TProtocolVersion.HIVE_CLI_SERVICE_PROTOCOL_V8);
                request.setConfiguration(configuration);
                TOpenSessionResp response = new TCLIService.Client(new TBinaryProtocol(transport)).OpenSession(request);
                assertEquals(TStatusCode.ERROR_STATUS, response.getStatus().getStatusCode(), configuration.toString());
                assertTrue(response.getStatus().getErrorMessage().contains("partnermix serve refuses the connection setting"),
                        response.getStatus().getErrorMessage());
                assertFalse(response.getStatus().getErrorMessage().contains(SALT));
            } finally {
                transport.close();
            }
        }
        // Authentication still holds for everyone afterwards (a set:system: of the authenticator class was refused).
        assertThrows(SQLException.class, () -> DriverManager.getConnection(server.url(""), "mallory", "x").close());
    }

    // ---- 3. paths, other catalogs, RESTORE, xpath, and the rest --------------------------------------------------

    @Test
    void refusesPathBasedTablesAlikeWhetherThePathExistsOrNot() throws Exception {
        String missing = "/nonexistent/partnermix/table";
        for (String template : List.of(
                "SELECT * FROM delta.`%s`",
                "SELECT * FROM delta.`%s` VERSION AS OF 0",
                "SELECT * FROM DELTA.`%s`",
                "SELECT * FROM spark_catalog.delta.`%s`",
                "SELECT * FROM parquet.`%s`",
                "SELECT * FROM csv.`%s`",
                "SELECT * FROM json.`%s`",
                "SELECT * FROM text.`%s`",
                "SELECT * FROM orc.`%s`",
                "SELECT * FROM binaryFile.`%s`",
                "SELECT * FROM `org.apache.spark.sql.execution.datasources.csv.CSVFileFormat`.`%s`",
                "SELECT * FROM gold.partner_daily WHERE partner_id IN (SELECT partner_id FROM delta.`%s`)",
                "WITH t AS (SELECT * FROM delta.`%s`) SELECT * FROM t",
                "SELECT * FROM IDENTIFIER('delta.`%s`')",
                "DESCRIBE delta.`%s`",
                "DESCRIBE TABLE EXTENDED delta.`%s`",
                "SHOW TBLPROPERTIES delta.`%s`",
                "SHOW COLUMNS IN delta.`%s`",
                "SHOW CREATE TABLE delta.`%s`",
                "DESCRIBE HISTORY delta.`%s`",
                "DESCRIBE DETAIL delta.`%s`",
                "DESCRIBE QUERY SELECT * FROM csv.`%s`",
                "EXPLAIN SELECT * FROM csv.`%s`")) {
            String existing = template.contains("csv") || template.contains("text") ? "/etc/passwd" : dailyPath;
            String onExisting = refusal(String.format(template, existing));
            String onMissing = refusal(String.format(template, missing));
            assertTrue(onExisting.contains("partnermix serve"), template + " -> " + onExisting);
            assertEquals(onMissing.replace(missing, "<path>"), onExisting.replace(existing, "<path>"),
                    "the error tells whether the path exists: " + template);
            assertFalse(onExisting.contains("root:"), "a file's content came back: " + onExisting);
        }
    }

    @Test
    void refusesRestoreAndEveryOtherWriteWithoutTouchingTheTable() throws Exception {
        long before = DeltaTable.forPath(spark(), dailyPath).history(1).first().<Long>getAs("version");
        for (String sql : List.of(
                "RESTORE TABLE delta.`" + dailyPath + "` TO VERSION AS OF 0",
                "RESTORE delta.`" + dailyPath + "` TO VERSION AS OF 0",
                "VACUUM delta.`" + dailyPath + "` RETAIN 0 HOURS",
                "OPTIMIZE delta.`" + dailyPath + "`",
                "CONVERT TO DELTA parquet.`" + dailyPath + "`",
                "ADD JAR /tmp/x.jar",
                "ADD FILE /etc/passwd",
                "LIST FILES",
                "CREATE FUNCTION f AS 'x.Y' USING JAR '/tmp/x.jar'",
                "CREATE TEMPORARY FUNCTION f AS 'org.apache.hadoop.hive.ql.udf.generic.GenericUDFReflect'",
                "LOAD DATA LOCAL INPATH '/etc/passwd' INTO TABLE gold.partner_daily",
                "CACHE TABLE gold.partner_daily",
                "CACHE LAZY TABLE c AS SELECT 1",
                "UNCACHE TABLE gold.partner_daily",
                "CLEAR CACHE",
                "REFRESH TABLE gold.partner_daily",
                "ANALYZE TABLE gold.partner_daily COMPUTE STATISTICS",
                "CREATE TABLE t USING csv LOCATION '/etc'",
                "CREATE TEMPORARY VIEW v AS SELECT 1",
                "INSERT OVERWRITE LOCAL DIRECTORY '" + tmp.resolve("out") + "' SELECT 1",
                "MSCK REPAIR TABLE gold.partner_daily")) {
            assertRefused(sql, "partnermix serve");
        }
        assertEquals(before, DeltaTable.forPath(spark(), dailyPath).history(1).first().<Long>getAs("version"),
                "the table was written");
        assertFalse(Files.exists(tmp.resolve("out")));
    }

    @Test
    void refusesOtherCatalogsNamespacesTimeTravelAndDangerousFunctions() throws Exception {
        for (String sql : List.of(
                "SHOW TABLES IN x.y",
                "SHOW TABLES IN delta",
                "USE delta",
                "USE x.y",
                "SELECT * FROM x.y.z",
                "SELECT * FROM gold.partner_daily VERSION AS OF 1",
                "SELECT * FROM gold.partner_daily TIMESTAMP AS OF '2026-11-21'",
                "SELECT reflect('java.lang.System', 'getenv', 'PARTNERMIX_SALT')",
                "SELECT java_method('java.lang.System', 'getenv', 'PARTNERMIX_SALT')",
                "SELECT xpath_string('<a>x</a>', 'a')")) {
            assertRefused(sql, "partnermix serve");
        }
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e SYSTEM \"file://" + secretFile + "\">]><r>&e;</r>";
        for (String function : List.of("xpath_string", "xpath", "xpath_boolean", "xpath_int", "xpath_double")) {
            String refused = refusal("SELECT " + function + "('" + xxe + "', '/r')");
            assertTrue(refused.contains("xpath"), refused);
            assertFalse(refused.contains("xxe-secret-content"), refused);
        }
    }

    @Test
    void stillAnswersEverythingABiToolReads() throws Exception {
        assertEquals(List.of("P1|50.0", "P2|30.0"), query(
                "WITH d AS (SELECT partner_id, gmv FROM gold.partner_daily) "
                        + "SELECT partner_id, SUM(gmv) OVER (PARTITION BY partner_id) FROM d ORDER BY partner_id"));
        assertEquals(List.of("2"), query("SELECT COUNT(*) FROM (SELECT partner_id FROM gold.partner_daily UNION ALL "
                + "SELECT partner_id FROM partner_daily WHERE gmv > 100)"));
        assertTrue(query("SHOW TABLES IN gold").stream().anyMatch(row -> row.contains("partner_daily")));
        assertTrue(query("SHOW DATABASES").contains("gold"));
        assertTrue(query("DESCRIBE gold.partner_daily").stream().anyMatch(row -> row.startsWith("gmv|double")));
        assertEquals(List.of("partnermix.delta_version|0"),
                query("SHOW TBLPROPERTIES gold.partner_daily ('partnermix.delta_version')"));
        assertEquals(6, query("SHOW COLUMNS IN gold.partner_daily").size());
        assertEquals(1, query("EXPLAIN SELECT * FROM gold.partner_daily").size());
        assertEquals(List.of("2"), query("SELECT COUNT(f) FROM (SELECT input_file_name() AS f FROM gold.partner_daily)"));
        assertEquals(List.of("1"), query("SELECT 1"));
        assertFalse(query("SHOW FUNCTIONS").isEmpty());
    }

    /** On one connection (each login costs a deliberately slow password hash); a refusal leaves it usable. */
    private static List<String> query(String sql) throws SQLException {
        if (shared == null || shared.isClosed()) {
            shared = DriverManager.getConnection(server.url(""), USER, PASSWORD);
        }
        List<String> rows = new ArrayList<>();
        try (Statement s = shared.createStatement(); var rs = s.executeQuery(sql)) {
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

    private static String refusal(String sql) {
        try {
            query(sql);
        } catch (SQLException e) {
            return String.valueOf(e.getMessage());
        }
        fail("not refused: " + sql);
        return null;
    }

    private static void assertRefused(String sql, String expected) {
        String message = refusal(sql);
        assertTrue(message.contains(expected), sql + " -> " + message);
    }
}
