package com.partnermix.pipeline;

import com.partnermix.ingest.IngestJob;
import com.partnermix.ingest.IngestReport;

import java.util.List;

/**
 * The stages of one night in order. The Airflow DAG runs the same stages as separate
 * subcommands; this list lets the demo and the benchmark run them in one JVM. Each issue
 * that adds a stage adds it here.
 */
public final class NightlyPipeline {

    private NightlyPipeline() {}

    public static List<Stage> stages() {
        return List.of(ingest());
    }

    static Stage ingest() {
        return new Stage() {
            @Override
            public String name() {
                return "ingest";
            }

            @Override
            public Result run(com.partnermix.common.Warehouse wh, com.partnermix.common.PartnermixConfig config,
                              java.time.LocalDate date) {
                IngestReport report = IngestJob.ingest(wh.spark(), wh, config, date);
                long out = report.feeds().stream().mapToLong(f -> f.accepted() + f.quarantined()).sum();
                return new Result(report.totalLandingLines(), out, report.format());
            }
        };
    }
}
