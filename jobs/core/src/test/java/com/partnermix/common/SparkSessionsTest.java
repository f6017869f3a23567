package com.partnermix.common;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The session's settings as the configuration gives them; no session is started. */
class SparkSessionsTest {

    private static SparkConf conf(String... overrides) {
        return SparkSessions.conf(ConfigLoaderAccess.load(Path.of("conf/local.yaml"), List.of(overrides)), Map.of(),
                new SparkConf(false));
    }

    @Test
    void interpretQueriesTurnsOffCompiledQueryCode() {
        SparkConf interpreted = conf("spark.interpret_queries=true");
        assertEquals("false", interpreted.get("spark.sql.codegen.wholeStage"));
        assertEquals("NO_CODEGEN", interpreted.get("spark.sql.codegen.factoryMode"));
    }

    @Test
    void theLocalDefaultCompilesAsSparkDoes() {
        SparkConf compiled = conf();
        assertFalse(compiled.contains("spark.sql.codegen.wholeStage"));
        assertFalse(compiled.contains("spark.sql.codegen.factoryMode"));
        assertEquals("4", compiled.get("spark.sql.shuffle.partitions"));
    }

    @Test
    void aCodegenPropertyNamedInTheSettingsWins() {
        SparkConf named = conf("spark.interpret_queries=true", "spark.settings.spark.sql.codegen.wholeStage=true");
        assertEquals("true", named.get("spark.sql.codegen.wholeStage"));
        assertEquals("NO_CODEGEN", named.get("spark.sql.codegen.factoryMode"));
    }

    @Test
    void sparkSubmitsMasterWinsOverTheLocalOne() {
        SparkConf submitted = SparkSessions.conf(ConfigLoaderAccess.load(Path.of("conf/local.yaml"), List.of()),
                Map.of(), new SparkConf(false).set("spark.master", "yarn"));
        assertEquals("yarn", submitted.get("spark.master"));
        assertEquals("local[2]", conf().get("spark.master"));
    }
}
