package com.partnermix.common;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/** Builds the one SparkSession a job uses, from configuration only (no master in code). */
public final class SparkSessions {

    /**
     * Queries run without compiling them to Java code first. Compiling pays on millions of rows; on a demo night it
     * was a quarter of the CPU (docs/benchmarks.md, "Small data: interpreted queries"). A fixed setting, not a
     * guess from the data's size: the last bits of floating-point sums differ between the two ways, and a rerun or
     * a backfill must give the tables the nightly run gave.
     */
    public static final Map<String, String> INTERPRETED_QUERIES = Map.of(
            "spark.sql.codegen.wholeStage", "false",
            "spark.sql.codegen.factoryMode", "NO_CODEGEN");

    private SparkSessions() {}

    public static SparkSession create(PartnermixConfig config) {
        return create(config, Map.of());
    }

    /** @param extra settings of this job that win over the configuration (serve: Hive support, its extensions) */
    public static SparkSession create(PartnermixConfig config, Map<String, String> extra) {
        SparkSession spark = SparkSession.builder().config(conf(config, extra, new SparkConf(true))).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }

    /** The properties of {@link #INTERPRETED_QUERIES} that {@code spark.settings} does not name: named ones win. */
    public static Map<String, String> interpretedQueries(PartnermixConfig.SparkSettings s) {
        Map<String, String> unnamed = new java.util.HashMap<>(INTERPRETED_QUERIES);
        unnamed.keySet().removeAll(s.settings().keySet());
        return unnamed;
    }

    /** The session's settings: {@code conf} (spark-submit's) completed from the configuration. */
    static SparkConf conf(PartnermixConfig config, Map<String, String> extra, SparkConf conf) {
        PartnermixConfig.SparkSettings s = config.spark();
        // spark-submit passes spark.master as a system property; a local config fills it in only when absent.
        if (!conf.contains("spark.master") && s.master() != null && !s.master().isBlank()) {
            conf.set("spark.master", s.master());
        }
        conf.setIfMissing("spark.app.name", s.appName());
        conf.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
        conf.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
        conf.set("spark.sql.shuffle.partitions", Integer.toString(s.shufflePartitions()));
        if (s.interpretQueries()) {
            interpretedQueries(s).forEach(conf::set);
        }
        for (Map.Entry<String, String> e : s.settings().entrySet()) {
            conf.set(e.getKey(), e.getValue());
        }
        extra.forEach(conf::set);
        return conf;
    }

    /**
     * Sets SQL settings on the session until the returned scope closes, then puts each previous value back (unset if
     * it had none): for a job that needs a setting while it runs without changing it for the stages after it.
     */
    public static AutoCloseableScope withSettings(SparkSession spark, Map<String, String> settings) {
        org.apache.spark.sql.RuntimeConfig conf = spark.conf();
        Map<String, String> previous = new java.util.HashMap<>();
        settings.forEach((key, value) -> {
            previous.put(key, conf.get(key, null));
            conf.set(key, value);
        });
        return () -> previous.forEach((key, value) -> {
            if (value == null) {
                conf.unset(key);
            } else {
                conf.set(key, value);
            }
        });
    }

    /** A scope whose close throws nothing. */
    public interface AutoCloseableScope extends AutoCloseable {
        @Override
        void close();
    }
}
