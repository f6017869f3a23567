package com.partnermix.testing;

import com.partnermix.common.ConfigLoaderAccess;
import com.partnermix.common.SparkSessions;
import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;
import java.util.List;

/**
 * The one SparkSession of the test JVM: local[2] from conf/local.yaml, two shuffle partitions, Delta on, and no
 * generated code. Test data is tiny: compiling each query's Java code costs more than interpreting it (a fifth of a
 * small night's CPU; measured in issue 27's note), and Spark's own suites run the interpreted path the same way.
 */
public final class SharedSpark {

    private static SparkSession spark;

    private SharedSpark() {}

    public static synchronized SparkSession get() {
        if (spark == null) {
            // One scratch folder per test JVM: bin/test runs several (surefire forks) side by side.
            Path scratch = Path.of(System.getProperty("java.io.tmpdir"),
                    "partnermix-test-" + System.getProperty("partnermix.test.fork", "1"));
            spark = SparkSessions.create(ConfigLoaderAccess.load(Path.of("conf/local.yaml"), List.of(
                    "paths.warehouse=" + scratch.resolve("warehouse"),
                    "paths.checkpoints=" + scratch.resolve("checkpoints"),
                    "spark.shuffle_partitions=2",
                    "spark.interpret_queries=true")));
        }
        return spark;
    }
}
