package com.partnermix.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void localConfigLoadsWithBusinessSettingsIncluded() {
        PartnermixConfig config = ConfigLoader.load(Path.of("conf/local.yaml"), List.of(), Map.of("PARTNERMIX_HOME", "/srv/pm"));
        assertEquals("local[2]", config.spark().master());
        assertEquals("/srv/pm/var/warehouse", config.paths().warehouse());
        assertEquals(128, config.ingest().maxIdLength());
        assertEquals("partnermix-local-demo-salt", config.privacy().salt());
    }

    @Test
    void clusterExampleHasNoMasterAndNeedsTheSaltFromTheEnvironment() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load(Path.of("conf/cluster.example.yaml"), List.of(), Map.of()));
        assertTrue(e.getMessage().contains("PARTNERMIX_SALT"), e.getMessage());
        PartnermixConfig config = ConfigLoader.load(Path.of("conf/cluster.example.yaml"), List.of(),
                Map.of("PARTNERMIX_SALT", "s3cret"));
        assertEquals("", config.spark().master());
        assertTrue(config.paths().warehouse().startsWith("s3a://"));
        // Not in the cluster file: business.yaml's default, so cluster files copied before the key still load.
        assertEquals(false, config.spark().interpretQueries());
    }

    @Test
    void commandLineOverridesKeepTheirTypeAndDottedSparkKeys() {
        PartnermixConfig config = ConfigLoader.load(Path.of("conf/local.yaml"),
                List.of("spark.shuffle_partitions=16", "spark.settings.spark.sql.adaptive.enabled=false",
                        "generator.gzip=true"), Map.of());
        assertEquals(16, config.spark().shufflePartitions());
        assertEquals("false", config.spark().settings().get("spark.sql.adaptive.enabled"));
        assertTrue(config.generator().gzip());
    }

    @Test
    void liftTestSettingsDefaultFromTheBusinessFileAndOutOfRangeValuesAreRefused() {
        PartnermixConfig config = ConfigLoader.load(Path.of("conf/local.yaml"), List.of(), Map.of());
        assertEquals(365, config.attribution().incremental().experimentsMaxAgeDays());
        assertEquals(1.0, config.attribution().incremental().experimentsWeight());
        assertEquals(List.of("creator", "paid_social", "cashback"), config.generator().liftTests());
        for (String[] bad : new String[][] {
                {"attribution.incremental.experiments_weight=0", "experiments_weight must be above 0 and below 1e9"},
                {"attribution.incremental.experiments_max_age_days=-1", "experiments_max_age_days must be 0 or more"}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ConfigLoader.load(Path.of("conf/local.yaml"), List.of(bad[0]), Map.of()));
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
    }

    @Test
    void keysOnlyRankingStartsAtTheBusinessFilesRowCountAndANegativeOneIsRefused() {
        PartnermixConfig config = ConfigLoader.load(Path.of("conf/local.yaml"), List.of(), Map.of());
        assertEquals(100_000L, config.ingest().rankKeysOnlyFromRows());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(
                Path.of("conf/local.yaml"), List.of("ingest.rank_keys_only_from_rows=-1"), Map.of()));
        assertTrue(e.getMessage().contains("ingest.rank_keys_only_from_rows must be 0 or more, got -1"), e.getMessage());
    }

    @Test
    void aTypoInAKeyIsAnErrorNamingTheKey() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load(Path.of("conf/local.yaml"), List.of("ingest.max_id_lenght=5"), Map.of()));
        assertTrue(e.getMessage().contains("max_id_lenght"), e.getMessage());
    }

    @Test
    void malformedYamlNamesFileAndLine() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "spark:\n  master: local\n paths: [\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigLoader.load(bad, List.of(), Map.of()));
        assertTrue(e.getMessage().contains("bad.yaml") && e.getMessage().contains("line 3"), e.getMessage());
    }
}
