package com.partnermix.common;

import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;

/**
 * Names the Spark jobs of a stage: every job (and SQL query) the current thread starts carries the job group
 * {@code partnermix-<stage>-<date>} and the description {@code partnermix <stage> --date <date>}, so the Spark UI,
 * the history server and the event logs read as the night's stages. Spark keeps both per thread, and threads a
 * stage starts (common.Parallel) inherit them.
 */
public final class JobDescriptions {

    private JobDescriptions() {}

    /** Restores what the thread had before; closing twice is harmless. */
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }

    /** SparkContext's local property names (its constants are private to Spark). */
    static final String GROUP_ID = "spark.jobGroup.id";
    static final String DESCRIPTION = "spark.job.description";
    private static final String[] KEYS = {GROUP_ID, DESCRIPTION, "spark.job.interruptOnCancel"};

    /** The description of a stage's jobs; {@code date} null for subcommands without a run date. */
    public static String description(String stage, LocalDate date) {
        return "partnermix " + stage + (date == null ? "" : " --date " + date);
    }

    /** The group id of a stage's jobs (what {@code SparkContext.cancelJobGroup} takes). */
    public static String groupId(String stage, LocalDate date) {
        return "partnermix-" + stage + (date == null ? "" : "-" + date);
    }

    /** Sets the stage's job group and description on this thread until the scope is closed. */
    public static Scope describe(SparkSession spark, String stage, LocalDate date) {
        SparkContext sc = spark.sparkContext();
        String[] previous = new String[KEYS.length];
        for (int i = 0; i < KEYS.length; i++) {
            previous[i] = sc.getLocalProperty(KEYS[i]);
        }
        sc.setJobGroup(groupId(stage, date), description(stage, date), false);
        return () -> {
            for (int i = 0; i < KEYS.length; i++) {
                sc.setLocalProperty(KEYS[i], previous[i]);   // null removes the property
            }
        };
    }

    /** A finer step inside a stage (one table of maintain): the description only, the group stays the stage's. */
    public static Scope step(SparkSession spark, String description) {
        SparkContext sc = spark.sparkContext();
        String key = DESCRIPTION;
        String previous = sc.getLocalProperty(key);
        sc.setJobDescription(previous == null ? description : previous + ": " + description);
        return () -> sc.setLocalProperty(key, previous);
    }
}
