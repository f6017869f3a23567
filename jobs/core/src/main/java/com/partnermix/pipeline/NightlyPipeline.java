package com.partnermix.pipeline;

import com.partnermix.attribution.AttributionJob;
import com.partnermix.common.JobDescriptions;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Warehouse;
import com.partnermix.dq.CheckOutcome;
import com.partnermix.dq.DqJob;
import com.partnermix.fraud.FraudJob;
import com.partnermix.ingest.IngestJob;
import com.partnermix.ingest.IngestReport;
import com.partnermix.journeys.JourneysJob;
import com.partnermix.mmm.MmmJob;

import java.time.LocalDate;
import java.util.List;

/**
 * The stages of one night in order. The Airflow DAG runs the same stages as separate
 * subcommands; this list lets the demo and the benchmark run them in one JVM. Each issue
 * that adds a stage adds it here, in the DAG's NIGHTLY_STEPS and in dags/nightly_stages.txt, which
 * NightlyStagesOrderTest and the DAG tests hold both orders to.
 */
public final class NightlyPipeline {

    private NightlyPipeline() {}

    public static List<Stage> stages() {
        return List.of(ingest(), dataQuality("bronze"), journeys(), dataQuality("silver"), attribute(), fraud(), mmm(),
                marts(), dataQuality("gold"), publish());
    }

    /** A named step of the night. */
    interface Runner {
        Stage.Result run(Warehouse wh, PartnermixConfig config, LocalDate date);
    }

    static Stage stage(String name, Runner runner) {
        return new Stage() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Result run(Warehouse wh, PartnermixConfig config, LocalDate date) {
                try (JobDescriptions.Scope named = JobDescriptions.describe(wh.spark(), name, date)) {
                    return runner.run(wh, config, date);   // the Spark UI and event logs show the stage and date
                }
            }
        };
    }

    static Stage ingest() {
        return stage("ingest", (wh, config, date) -> {
            IngestReport report = IngestJob.ingest(wh.spark(), wh, config, date);
            long out = report.storedLines();
            return new Stage.Result(report.totalLandingLines(), out, report.format());
        });
    }

    static Stage journeys() {
        return stage("journeys", (wh, config, date) -> {
            JourneysJob.Report report = JourneysJob.build(wh, config, date);
            return new Stage.Result(report.touchpoints(), report.sessions() + report.journeys() + report.touches(),
                    report.format());
        });
    }

    static Stage attribute() {
        return stage("attribute", (wh, config, date) -> {
            AttributionJob.Report report = AttributionJob.attribute(wh, config, date);
            return new Stage.Result(report.ordersCredited(), report.creditRows(), report.format());
        });
    }

    static Stage fraud() {
        return stage("fraud", (wh, config, date) -> {
            FraudJob.Report report = FraudJob.detect(wh, config, date);
            return new Stage.Result(report.ordersExamined(), report.flags(), report.format());
        });
    }

    /**
     * The media mix fit after attribution (its calibration reads the night's journey credit; the
     * night's mixed_media credit uses the latest earlier fit). Too little data (a young warehouse, the
     * week-long demo) is a refusal that is reported, not a failed night.
     */
    static Stage mmm() {
        return stage("mmm", (wh, config, date) -> {
            MmmJob.Report report = MmmJob.fit(wh, config, date);
            return new Stage.Result(report.observations(), report.fitted() ? report.channels() : 0, report.format());
        });
    }

    /** The partner-mix marts and commission statements, after every model (mixed_media, *_adjusted) is credited. */
    static Stage marts() {
        return stage("marts", (wh, config, date) -> {
            com.partnermix.marts.MartsJob.Report report = com.partnermix.marts.MartsJob.build(wh, config, date);
            return new Stage.Result(report.partnerDailyRows(), report.partnerDailyRows(), report.format());
        });
    }

    /** Makes the night visible to readers: pins the gold versions the gold gate passed. */
    static Stage publish() {
        return stage("publish", (wh, config, date) -> {
            com.partnermix.publish.PublishJob.Report report = com.partnermix.publish.PublishJob.publish(wh, date);
            return new Stage.Result(report.tables().size(), report.tables().size(), report.format());
        });
    }

    /** A data-quality gate: Error failures throw, so nothing downstream runs for the night. */
    static Stage dataQuality(String layer) {
        return stage("dq_" + layer, (wh, config, date) -> {
            List<CheckOutcome> outcomes = DqJob.check(wh, config, layer, date);
            DqJob.gate(layer, date, outcomes);
            long passed = outcomes.stream().filter(o -> o.status() == CheckOutcome.Status.PASSED).count();
            return new Stage.Result(outcomes.size(), passed, DqJob.report(layer, date, outcomes));
        });
    }
}
