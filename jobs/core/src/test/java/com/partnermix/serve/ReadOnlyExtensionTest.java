package com.partnermix.serve;

import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The refusal logic on plans of the shared test session (which has no such extension: statements are parsed or
 * analysed here, never run).
 */
class ReadOnlyExtensionTest extends SparkTestBase {

    private static LogicalPlan parsed(String sql) {
        try {
            return spark().sessionState().sqlParser().parsePlan(sql);
        } catch (org.apache.spark.sql.catalyst.parser.ParseException e) {
            throw new IllegalArgumentException(sql, e);
        }
    }

    @Test
    void refusesPathsOtherDatabasesAndCatalogsAsParsedWithOneMessage() {
        for (String sql : List.of(
                "SELECT * FROM delta.`/etc`", "SELECT * FROM csv.`/etc/passwd`", "SELECT * FROM `parquet`.`/p`",
                "SELECT * FROM spark_catalog.delta.`/p`", "SELECT * FROM x.y.z", "SELECT * FROM other_db.t",
                "DESCRIBE delta.`/p`", "SHOW TBLPROPERTIES delta.`/p`", "SHOW COLUMNS IN delta.`/p`",
                "SHOW COLUMNS IN `/p` IN delta", "SHOW CREATE TABLE delta.`/p`", "SHOW TABLES IN delta",
                "USE delta", "SELECT 1 FROM gold.partner_daily WHERE EXISTS (SELECT 1 FROM json.`/p`)",
                "WITH t AS (SELECT * FROM text.`/p`) SELECT * FROM t", "EXPLAIN SELECT * FROM csv.`/p`",
                "DESCRIBE QUERY SELECT * FROM csv.`/p`")) {
            assertEquals(ReadOnlyExtension.BY_NAME, ReadOnlyExtension.parsedRefusal(parsed(sql)), sql);
        }
    }

    @Test
    void letsQueriesAndBrowsingOfTheServedDatabasesThrough() {
        for (String sql : List.of(
                "SELECT * FROM gold.partner_daily", "SELECT * FROM partner_daily", "SELECT * FROM spark_catalog.dq.check_results",
                "SELECT partner_id, SUM(gmv) FROM gold.partner_daily GROUP BY partner_id HAVING SUM(gmv) > 1 ORDER BY 2 DESC LIMIT 5",
                "WITH a AS (SELECT 1 AS x) SELECT x, ROW_NUMBER() OVER (ORDER BY x) FROM a UNION ALL SELECT 2, 1",
                "SELECT * FROM gold.a JOIN gold.b USING (k) LEFT ANTI JOIN dq.c ON a.k = c.k",
                "SELECT * FROM range(3)", "SELECT explode(array(1, 2))", "SELECT * FROM VALUES (1), (2) AS t(x)",
                "SELECT x FROM gold.t LATERAL VIEW explode(array(1)) e AS x", "SELECT 1",
                "SELECT CASE WHEN a IN (SELECT b FROM gold.u) THEN 1 END FROM gold.t",
                "SHOW TABLES", "SHOW TABLES IN gold", "SHOW DATABASES", "SHOW SCHEMAS", "SHOW VIEWS IN dq",
                "SHOW FUNCTIONS", "SHOW CATALOGS", "SHOW CURRENT NAMESPACE", "DESCRIBE gold.partner_daily",
                "DESCRIBE TABLE EXTENDED gold.partner_daily gmv", "DESCRIBE DATABASE gold", "DESCRIBE FUNCTION upper",
                "SHOW COLUMNS IN partner_daily IN gold", "SHOW TBLPROPERTIES gold.partner_daily",
                "SHOW CREATE TABLE gold.partner_daily", "USE gold", "USE spark_catalog.dq",
                "EXPLAIN SELECT * FROM gold.partner_daily", "SET spark.sql.session.timeZone=UTC",
                "SET TIME ZONE 'Europe/Paris'", "SET spark.sql.ansi.enabled", "RESET", "RESET spark.sql.ansi.enabled")) {
            assertNull(ReadOnlyExtension.parsedRefusal(parsed(sql)), sql);
        }
    }

    @Test
    void refusesScriptsTimeTravelIdentifierClausesDangerousFunctionsAndSet() {
        for (String sql : List.of("SELECT TRANSFORM(1) USING 'id' AS (o STRING)",
                "SELECT * FROM (SELECT TRANSFORM(a) USING 'id' FROM gold.t) s",
                "WITH s AS (SELECT TRANSFORM(1) USING 'id') SELECT * FROM s",
                "SELECT (SELECT MAX(o) FROM (SELECT TRANSFORM(1) USING 'id' AS (o STRING)))",
                "EXPLAIN SELECT TRANSFORM(1) USING 'id'")) {
            assertEquals(ReadOnlyExtension.SCRIPT, ReadOnlyExtension.parsedRefusal(parsed(sql)), sql);
        }
        assertEquals(ReadOnlyExtension.TIME_TRAVEL,
                ReadOnlyExtension.parsedRefusal(parsed("SELECT * FROM gold.t VERSION AS OF 1")));
        assertEquals(ReadOnlyExtension.TIME_TRAVEL,
                ReadOnlyExtension.parsedRefusal(parsed("SELECT * FROM gold.t TIMESTAMP AS OF '2026-01-01'")));
        assertEquals(ReadOnlyExtension.IDENTIFIER,
                ReadOnlyExtension.parsedRefusal(parsed("SELECT * FROM IDENTIFIER('delta.`/p`')")));
        assertEquals(ReadOnlyExtension.REFLECTION,
                ReadOnlyExtension.parsedRefusal(parsed("SELECT upper(JAVA_METHOD('java.lang.System', 'getenv', 'X'))")));
        assertEquals(ReadOnlyExtension.XPATH, ReadOnlyExtension.parsedRefusal(parsed("SELECT xpath_int('<a>1</a>', 'a')")));
        for (String sql : List.of("SET", "SET -v", "SET spark.sql.variable.substitute=true", "SET spark.app.name",
                "SET spark.sql.catalog.x=y", "RESET spark.sql.variable.substitute")) {
            assertEquals(ReadOnlyExtension.SET, ReadOnlyExtension.parsedRefusal(parsed(sql)), sql);
        }
        for (String sql : List.of("INSERT INTO gold.t SELECT 1", "CACHE TABLE gold.t", "ADD JAR /tmp/x.jar",
                "RESTORE TABLE delta.`/p` TO VERSION AS OF 0", "DESCRIBE HISTORY delta.`/p`", "VACUUM delta.`/p`",
                "LOAD DATA LOCAL INPATH '/etc/passwd' INTO TABLE gold.t", "CREATE TEMPORARY VIEW v AS SELECT 1",
                "FROM gold.t INSERT INTO gold.u SELECT *", "ANALYZE TABLE gold.t COMPUTE STATISTICS")) {
            String refusal = ReadOnlyExtension.parsedRefusal(parsed(sql));
            assertTrue(refusal != null && refusal.startsWith("partnermix serve is read-only: "), sql + " -> " + refusal);
        }
    }

    @Test
    void refusesAScriptTransformationInsideAViewBodyOnceAnalysed() {
        spark().sql("CREATE OR REPLACE TEMPORARY VIEW scripted AS SELECT TRANSFORM(1) USING 'id' AS (o STRING)");
        try {
            // Analysed only: the script would run at execution.
            LogicalPlan analysed = spark().sql("SELECT * FROM (SELECT o FROM scripted) s").queryExecution().analyzed();
            assertEquals(ReadOnlyExtension.SCRIPT, ReadOnlyExtension.refusal(analysed));
            assertNull(ReadOnlyExtension.refusal(spark().sql("SELECT 1 AS x").queryExecution().analyzed()));
        } finally {
            spark().sql("DROP VIEW scripted");
        }
    }

    @Test
    void sparksXpathNeverReadsAFileThroughAnExternalEntity() throws Exception {
        Path secret = tmp.resolve("xxe-secret.txt");
        Files.writeString(secret, "xxe-secret-content-0815");
        String xml = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY e SYSTEM \"file://" + secret + "\">]><r>&e;</r>";
        for (String function : List.of("xpath_string", "xpath")) {
            String result;
            try {
                result = String.valueOf(spark().sql("SELECT " + function + "('" + xml + "', '/r')").first().get(0));
            } catch (RuntimeException e) {
                result = String.valueOf(e.getMessage());
            }
            assertFalse(result.contains("xxe-secret-content"), function + " read the file: " + result);
        }
    }
}
