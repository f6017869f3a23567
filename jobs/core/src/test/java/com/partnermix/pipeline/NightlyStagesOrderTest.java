package com.partnermix.pipeline;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The demo's and the benchmark's night runs the stages in the order the Airflow DAG runs them:
 * both are checked against dags/nightly_stages.txt (the DAG side in dags/tests/test_common.py).
 */
class NightlyStagesOrderTest {

    /** The steps of dags/nightly_stages.txt: one per line, its stages separated by blanks. */
    static List<List<String>> declaredSteps() throws IOException {
        return Files.readAllLines(Path.of("dags", "nightly_stages.txt")).stream()
                .map(String::strip)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .map(line -> List.of(line.split("\\s+")))
                .toList();
    }

    @Test
    void theJavaPipelineRunsTheStagesInTheDeclaredOrder() throws IOException {
        List<String> names = NightlyPipeline.stages().stream().map(Stage::name).toList();
        List<List<String>> steps = declaredSteps();
        assertEquals(steps.stream().mapToInt(List::size).sum(), names.size(),
                "NightlyPipeline.stages() " + names + " against dags/nightly_stages.txt " + steps);
        int at = 0;
        for (List<String> step : steps) {
            // Stages of one step run side by side in the DAG: here any order of them is right.
            Set<String> ran = new HashSet<>(names.subList(at, at + step.size()));
            assertEquals(Set.copyOf(step), ran,
                    "NightlyPipeline.stages() " + names + " against dags/nightly_stages.txt " + steps);
            at += step.size();
        }
    }
}
