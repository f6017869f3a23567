package com.partnermix.bench;

import com.partnermix.common.ConfigLoader;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.StepTimer;
import com.partnermix.common.Warehouse;
import com.partnermix.mmm.MmmJob;
import com.partnermix.mmm.Panel;
import com.partnermix.mmm.SyntheticPanel;
import com.partnermix.pipeline.HeapMeter;
import com.partnermix.pipeline.LocalFolders;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --mmm [--mmm-days 365] [--mmm-regions 5] [--mmm-channels 20] [--mmm-candidates 50,100,200,400]}:
 * the mmm stage alone on a synthetic panel ({@link SyntheticPanel}) of days x regions x channels: the
 * candidate search on Spark, the refit, the decomposition and the writes of gold.mmm_fit and
 * gold.mmm_contributions, once per candidate count, so the growth with candidates shows.
 */
final class MmmBench {

    private MmmBench() {}

    static List<String> run(SparkSession spark, PartnermixConfig base, String workDir, LocalDate last, int days,
                            int regions, int channels, List<Integer> candidateCounts) {
        Panel panel = SyntheticPanel.generate(last, days, regions, channels, 42);
        List<String> rows = new ArrayList<>();
        rows.add(String.format("%-10s %8s %8s %9s %10s %9s %9s %10s %9s %14s", "candidates", "days", "regions",
                "channels", "region-days", "search s", "total s", "fits/s", "R^2", "peak heap MiB"));
        for (int candidates : candidateCounts) {
            String wh = workDir + "/mmm-warehouse-" + candidates;
            LocalFolders.wipe(wh);
            PartnermixConfig config = ConfigLoader.withPaths(base, wh, workDir + "/landing", workDir + "/ground-truth",
                    workDir + "/checkpoints");
            config = new PartnermixConfig(config.spark(), config.paths(), config.privacy(), config.ingest(),
                    config.generator(), config.bench(), config.dataQuality(), config.identity(), config.journeys(),
                    config.attribution(), withCandidates(config.mmm(), candidates), config.fraud(), config.marts(),
                    config.serve(), config.runs(),
                    config.maintain());
            HeapMeter.reset();
            StepTimer timer = new StepTimer();
            long t0 = System.nanoTime();
            MmmJob.Report report = MmmJob.fitPanel(new Warehouse(spark, wh), config, last, panel, timer);
            double total = (System.nanoTime() - t0) / 1e9;
            double search = searchSeconds(timer.toString());
            System.out.println("   " + report.format());
            rows.add(String.format(Locale.ROOT, "%-10d %8d %8d %9d %,10d %9.1f %9.1f %10.1f %9.3f %,14d", candidates,
                    days, regions, channels, panel.observations(), search, total, candidates / search, report.r2(),
                    HeapMeter.peakMiB()));
        }
        return rows;
    }

    private static double searchSeconds(String timings) {
        for (String part : timings.split(" ")) {
            if (part.equals("search")) {
                String rest = timings.substring(timings.indexOf(" search ") + 8).split(" ")[0];
                return Double.parseDouble(rest);
            }
        }
        return Double.NaN;
    }

    private static PartnermixConfig.Mmm withCandidates(PartnermixConfig.Mmm m, int candidates) {
        return new PartnermixConfig.Mmm(m.refit(), m.refitWeekday(), m.windowDays(), m.holdoutDays(), m.granularity(),
                m.activityMeasure(), m.ridgeLambda(), candidates, m.seed(), m.minObservationsPerParameter(), m.search(),
                m.holidays(), m.holidayWindowDays(), m.baseModel(), m.excludeChannels(), m.fallbackModel(),
                m.excludePurchaseSessions(), m.experimentsWeight());
    }
}
