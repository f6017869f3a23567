package com.partnermix.testing;

import com.partnermix.common.ConfigLoaderAccess;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.pipeline.ValidatedConfig;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Base of every Spark test: one SparkSession for the whole test JVM (local[2], two shuffle
 * partitions, no UI, Delta on) built from the real conf/local.yaml, and a temporary
 * warehouse and landing zone per test class.
 */
public abstract class SparkTestBase {

    @TempDir
    protected static Path tmp;

    protected static SparkSession spark() {
        return SharedSpark.get();
    }

    /**
     * The session outlives the class: drop what the class left behind (cached tables, persisted RDDs, Delta's
     * snapshots of its temporary tables), or a long suite fills the heap with other classes' data.
     */
    @AfterAll
    static void releaseWhatTheClassCached() {
        SparkSession spark = SharedSpark.get();
        spark.catalog().clearCache();
        for (org.apache.spark.rdd.RDD<?> rdd : scala.collection.JavaConverters.mapAsJavaMap(
                spark.sparkContext().getPersistentRDDs()).values()) {
            rdd.unpersist(true);
        }
        DeltaLog.clearCache();
    }

    /** The real local configuration with every folder moved under {@code root}. */
    protected static PartnermixConfig config(Path root, String... extraOverrides) {
        List<String> overrides = new ArrayList<>(List.of(
                "paths.warehouse=" + root.resolve("warehouse"),
                "paths.landing=" + root.resolve("landing"),
                "paths.ground_truth=" + root.resolve("ground-truth"),
                "paths.checkpoints=" + root.resolve("checkpoints"),
                "spark.shuffle_partitions=2",
                "privacy.salt=test-salt",
                "data_quality.metrics_repository=" + root.resolve("warehouse/dq/_deequ_metrics.json")));
        overrides.addAll(List.of(extraOverrides));
        return ValidatedConfig.checked(ConfigLoaderAccess.load(Path.of("conf/local.yaml"), overrides));
    }

    protected static PartnermixConfig config() {
        return config(tmp);
    }

    protected static Warehouse warehouse() {
        return new Warehouse(spark(), config().paths().warehouse());
    }
}
