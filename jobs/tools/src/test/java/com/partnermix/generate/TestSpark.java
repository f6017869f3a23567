package com.partnermix.generate;

import org.apache.spark.sql.SparkSession;

/** The one local SparkSession of the generator tests, built on first use and shared by all test classes. */
final class TestSpark {

    private TestSpark() {}

    /** The suite's shared session (Delta enabled), so generator and pipeline tests can run in one JVM. */
    static SparkSession get() {
        return com.partnermix.testing.SharedSpark.get();
    }
}
