package com.partnermix.generate;

import org.apache.spark.sql.SparkSession;

/** The one local SparkSession of the generator tests, built on first use and shared by all test classes. */
final class TestSpark {

    private static SparkSession spark;

    private TestSpark() {}

    static synchronized SparkSession get() {
        if (spark == null) {
            System.setProperty("log4j2.configurationFile", "generate/log4j2.properties");
            spark = SparkSession.builder()
                    .master("local[2]")
                    .appName("partnermix-generate-tests")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.ui.enabled", "false")
                    .config("spark.driver.host", "127.0.0.1")
                    .config("spark.sql.session.timeZone", "UTC")
                    .getOrCreate();
            spark.sparkContext().setLogLevel("WARN");
        }
        return spark;
    }
}
