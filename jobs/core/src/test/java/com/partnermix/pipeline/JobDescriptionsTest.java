package com.partnermix.pipeline;

import com.partnermix.cli.Main;
import com.partnermix.common.JobDescriptions;
import com.partnermix.common.Parallel;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every Spark job a stage starts carries the stage's name and date, as the Spark UI and event logs show it. */
class JobDescriptionsTest extends SparkTestBase {

    private static final LocalDate DATE = LocalDate.of(2026, 11, 22);

    /** The job group and description one Spark job ran with, read inside its task. */
    private static List<String> probe() {
        return spark().range(1).coalesce(1).mapPartitions((MapPartitionsFunction<Long, String>) rows -> {
            TaskContext task = TaskContext.get();
            return List.of(String.valueOf(task.getLocalProperty("spark.jobGroup.id")),
                    String.valueOf(task.getLocalProperty("spark.job.description"))).iterator();
        }, Encoders.STRING()).collectAsList();
    }

    @Test
    void aStagesJobsCarryItsNameAndDateAlsoInTheThreadsItStartsAndNothingAfterwards() {
        List<List<String>> seen = Collections.synchronizedList(new ArrayList<>());
        Stage stage = NightlyPipeline.stage("attribute", (wh, config, date) -> {
            seen.add(probe());
            try (JobDescriptions.Scope step = JobDescriptions.step(wh.spark(), "gold.attribution_credit")) {
                seen.add(probe());
            }
            Parallel.run(List.of(() -> seen.add(probe())));
            return new Stage.Result(0, 0, "");
        });

        stage.run(warehouse(), config(), DATE);

        assertEquals(List.of(
                List.of("partnermix-attribute-2026-11-22", "partnermix attribute --date 2026-11-22"),
                List.of("partnermix-attribute-2026-11-22",
                        "partnermix attribute --date 2026-11-22: gold.attribution_credit"),
                List.of("partnermix-attribute-2026-11-22", "partnermix attribute --date 2026-11-22")), seen);
        assertNull(spark().sparkContext().getLocalProperty("spark.jobGroup.id"));
        assertNull(spark().sparkContext().getLocalProperty("spark.job.description"));
        assertEquals(List.of("null", "null"), probe());
    }

    @Test
    void theLauncherGivesTheThreadItsJobDescriptionBackAfterTheJob() {
        // Tests call the launcher in the JVM that later classes share: a job must not name their Spark jobs.
        String[] verify = {"verify", "--date", DATE.toString(), "--set",
                "paths.warehouse=" + tmp.resolve("launcher-descriptions"), "--set", "spark.shuffle_partitions=2"};
        int code = Main.execute(verify);

        assertTrue(code == 0 || code == 1, "verify of an empty warehouse ran: exit " + code);
        assertNull(spark().sparkContext().getLocalProperty("spark.jobGroup.id"));
        assertNull(spark().sparkContext().getLocalProperty("spark.job.description"));
    }
}
