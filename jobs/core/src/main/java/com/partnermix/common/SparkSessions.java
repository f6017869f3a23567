package com.partnermix.common;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

import java.util.Map;

/** Builds the one SparkSession a job uses, from configuration only (no master in code). */
public final class SparkSessions {

    private SparkSessions() {}

    public static SparkSession create(PartnermixConfig config) {
        return create(config, Map.of());
    }

    /** @param extra settings of this job that win over the configuration (serve: Hive support, its extensions) */
    public static SparkSession create(PartnermixConfig config, Map<String, String> extra) {
        PartnermixConfig.SparkSettings s = config.spark();
        SparkConf conf = new SparkConf(true);
        // spark-submit passes spark.master as a system property; a local config fills it in only when absent.
        if (!conf.contains("spark.master") && s.master() != null && !s.master().isBlank()) {
            conf.set("spark.master", s.master());
        }
        conf.setIfMissing("spark.app.name", s.appName());
        conf.set("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
        conf.set("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
        conf.set("spark.sql.shuffle.partitions", Integer.toString(s.shufflePartitions()));
        for (Map.Entry<String, String> e : s.settings().entrySet()) {
            conf.set(e.getKey(), e.getValue());
        }
        extra.forEach(conf::set);
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        return spark;
    }
}
