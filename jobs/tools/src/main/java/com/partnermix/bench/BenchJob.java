package com.partnermix.bench;

import com.partnermix.generate.GenerateJob;
import com.partnermix.ingest.IngestJob;
import com.partnermix.ingest.IngestReport;
import com.partnermix.job.Args;
import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.ConfigLoader;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Warehouse;
import com.partnermix.pipeline.HeapMeter;
import com.partnermix.pipeline.LocalFolders;
import com.partnermix.pipeline.NightlyPipeline;
import com.partnermix.pipeline.Stage;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code bench}: generates (or reuses) a landing zone of N persons x D days under
 * {@code bench.work_dir}, runs every stage that exists for every day, and prints per stage:
 * rows in, rows out, wall time, rows per second and peak driver heap.
 */
public final class BenchJob implements Job {

    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "benchmark: generate N persons x D days (or --reuse) and time every stage; or one stage alone on "
                + "synthetic data (--solver-states, --mmm, --attribute, --marts)";
    }

    /** What to time and at which size; --date is the last night (default 2026-11-20). */
    public static final class Options {
        @Option(names = "--persons", paramLabel = "N", description = "persons generated (default: bench.persons)")
        Integer persons;

        @Option(names = "--days", paramLabel = "N", description = "nights generated and run (default: bench.days); "
                + "with --attribute or --marts: days of the synthetic data (default: 30)")
        Integer days;

        @Option(names = "--seed", paramLabel = "S", description = "the generator's random seed (default: generator.seed)")
        Long seed;

        @Option(names = "--holdout", description = "generate with the generator's holdout fraud profile")
        boolean holdout;

        @Option(names = "--reuse", description = "run the stages again on the landing zone of the last bench (if any)")
        boolean reuse;

        @Option(names = "--one-go", description = "ingest the month in one pass (a backfill), then the later stages once on all data")
        boolean oneGo;

        @Option(names = "--no-dq", description = "without the data-quality gates (and publish, which needs the gold gate)")
        boolean noDq;

        @Option(names = "--peer", description = "also run the month through plain DuckDB SQL (de-dup, sessions, "
                + "journeys, last-click and position-based credit) and print our time over its time per stage; runs "
                + "the month ingested in one pass, then journeys and attribute once")
        boolean peer;

        @Option(names = "--accuracy", description = "ingest, journeys and attribute the generated month, then print "
                + "each model's distance from the generator's causal truth (expected incremental orders per partner "
                + "type and channel); run it with several --seed values")
        boolean accuracy;

        @Option(names = "--stages", paramLabel = "STAGE", split = ",", description = "only these stages, comma "
                + "separated, e.g. ingest,journeys (default: all)")
        List<String> stages;

        @Option(names = "--solver-states", paramLabel = "N", description = "time the driver-side Markov "
                + "removal-effect solve alone, on N states")
        Integer solverStates;

        @Option(names = "--mmm", description = "time the mmm stage alone on a synthetic panel")
        boolean mmm;

        @Option(names = "--mmm-candidates", paramLabel = "N", split = ",", description = "--mmm with these numbers "
                + "of candidate fits, comma separated, e.g. 50,100,200 (default: 200)")
        List<Integer> mmmCandidates;

        @Option(names = "--mmm-days", paramLabel = "N", description = "--mmm: days of the panel (default: 365)")
        int mmmDays = 365;

        @Option(names = "--mmm-regions", paramLabel = "N", description = "--mmm: regions of the panel (default: 5)")
        int mmmRegions = 5;

        @Option(names = "--mmm-channels", paramLabel = "N", description = "--mmm: channels of the panel (default: 20)")
        int mmmChannels = 20;

        @Option(names = "--attribute", description = "time the attribute stage alone on a synthetic silver layer")
        boolean attribute;

        @Option(names = "--attribute-orders", paramLabel = "N", split = ",", description = "--attribute with these "
                + "numbers of orders, comma separated, e.g. 250000,1000000 (default: 1000000)")
        List<Long> attributeOrders;

        @Option(names = "--marts", description = "time the marts stage alone on a synthetic warehouse")
        boolean marts;

        @Option(names = "--marts-touchpoints", paramLabel = "N", description = "--marts: touchpoints of the synthetic "
                + "warehouse (default: 10000000)")
        long martsTouchpoints = 10_000_000;
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public int run(JobContext context) throws Exception {
        Options o = context.options(Options.class);
        LocalDate last = context.args().date() == null ? LocalDate.parse("2026-11-20") : context.args().date();
        if (o.solverStates != null) {
            System.out.println("== bench: driver-side Markov removal-effect solve (order 1, conversions and revenue)");
            SolverBench.run(o.solverStates, 42).forEach(System.out::println);
        } else if (o.mmm || o.mmmCandidates != null) {
            mmmStage(context, o, last);
        } else if (o.attribute || o.attributeOrders != null) {
            attributeStage(context, o, last);
        } else if (o.marts) {
            martsStage(context, o, last);
        } else {
            return wholeNights(context, o, last);
        }
        return 0;
    }

    private static void mmmStage(JobContext context, Options o, LocalDate last) {
        PartnermixConfig base = context.config();
        List<Integer> counts = o.mmmCandidates == null ? List.of(200) : o.mmmCandidates;
        System.out.printf("== bench: mmm stage on a synthetic panel, %d days x %d regions x %d channels, %d cores%n",
                o.mmmDays, o.mmmRegions, o.mmmChannels, Runtime.getRuntime().availableProcessors());
        MmmBench.run(context.spark(), base, base.bench().workDir(), last, o.mmmDays, o.mmmRegions, o.mmmChannels,
                counts).forEach(System.out::println);
    }

    private static void attributeStage(JobContext context, Options o, LocalDate last) {
        PartnermixConfig base = context.config();
        int attributeDays = o.days == null ? 30 : o.days;
        for (long orders : o.attributeOrders == null ? List.of(1_000_000L) : o.attributeOrders) {
            System.out.printf("== bench: attribute stage on a synthetic silver layer, %,d orders over %d days, "
                    + "%d cores%n", orders, attributeDays, Runtime.getRuntime().availableProcessors());
            AttributionBench.run(context.spark(), base, base.bench().workDir(), last, orders, attributeDays)
                    .forEach(System.out::println);
        }
    }

    private static void martsStage(JobContext context, Options o, LocalDate last) {
        PartnermixConfig base = context.config();
        int martsDays = o.days == null ? 30 : o.days;
        System.out.printf("== bench: marts stage on a synthetic warehouse, %,d touchpoints over %d days, %d cores%n",
                o.martsTouchpoints, martsDays, Runtime.getRuntime().availableProcessors());
        MartsBench.run(context.spark(), base, base.bench().workDir(), last, o.martsTouchpoints, martsDays)
                .forEach(System.out::println);
    }

    /** Generated nights through the stages (all, or --stages), one timing row per stage. */
    private static int wholeNights(JobContext context, Options o, LocalDate last) throws Exception {
        PartnermixConfig base = context.config();
        int persons = o.persons == null ? base.bench().persons() : o.persons;
        int days = o.days == null ? base.bench().days() : o.days;
        List<String> only = o.peer ? DuckDbComparison.STAGES : o.accuracy ? List.of("ingest", "journeys", "attribute")
                : requireKnownStages(o.stages == null ? List.of() : o.stages);
        String work = base.bench().workDir();
        PartnermixConfig config = ConfigLoader.withPaths(base, work + "/warehouse", work + "/landing",
                work + "/ground-truth", work + "/checkpoints");
        boolean reuse = o.reuse && Files.isDirectory(LocalFolders.localPath(config.paths().landing()));
        List<String> rows = new ArrayList<>();
        LocalFolders.wipe(config.paths().warehouse());
        LocalFolders.wipe(config.paths().checkpoints());
        if (!reuse) {
            String generated = generate(context.spark(), config, o, last, days, persons);
            if (generated == null) {
                return 1;
            }
            rows.add(generated);
        }
        Warehouse wh = new Warehouse(context.spark(), config.paths().warehouse());
        Map<String, Double> seconds = new LinkedHashMap<>();
        for (Stage stage : NightlyPipeline.stages()) {
            // the data-quality gates are timed by their own runs; publish needs the gold gate
            boolean skipped = o.noDq && (stage.name().startsWith("dq_") || stage.name().equals("publish"));
            if (!skipped && (only.isEmpty() || only.contains(stage.name()))) {
                rows.add(timeStage(wh, config, stage, last, days, o.oneGo || o.peer || o.accuracy, seconds));
            }
        }
        System.out.printf("%n== bench: %,d persons x %d days ending %s, %d cores, max heap %,d MiB%n", persons, days,
                last, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (1024 * 1024));
        System.out.printf("%-10s %14s %14s %10s %12s %14s%n", "stage", "rows in", "rows out", "wall s", "rows/s",
                "peak heap MiB");
        rows.forEach(System.out::println);
        if (o.peer) {
            DuckDbComparison.print(config, last.minusDays(days - 1), last, seconds);
        }
        if (o.accuracy) {
            System.out.printf("%n== bench --accuracy: distance from the causal truth (total variation of the shares "
                    + "per partner type / channel; 0 = the truth), seed %s%n", o.seed == null
                    ? config.generator().seed() : o.seed);
            AccuracyReport.format(AccuracyReport.trueShares(context.spark(), config.paths().groundTruth()),
                    AccuracyReport.creditedShares(wh)).forEach(System.out::println);
        }
        return 0;
    }

    /** --stages ingest,journeys: only these (e.g. to time one stage at several volumes); empty: all. */
    private static List<String> requireKnownStages(List<String> only) {
        List<String> known = NightlyPipeline.stages().stream().map(Stage::name).toList();
        for (String name : only) {
            if (!known.contains(name)) {
                throw new Args.UsageException("--stages: unknown stage '" + name + "' (stages: " + String.join(",", known)
                        + ")");
            }
        }
        return only;
    }

    /** The landing zone of the bench; its timing row, or null when the generator failed. */
    private static String generate(SparkSession spark, PartnermixConfig config, Options o, LocalDate last, int days,
                                   int persons) throws Exception {
        LocalFolders.wipe(config.paths().landing());
        LocalFolders.wipe(config.paths().groundTruth());
        HeapMeter.reset();
        long t0 = System.nanoTime();
        List<String> generateArgs = new ArrayList<>(List.of("--date", last.toString(), "--days",
                Integer.toString(days), "--persons", Integer.toString(persons)));
        if (o.seed != null) {
            generateArgs.addAll(List.of("--seed", o.seed.toString()));
        }
        if (o.holdout) {
            generateArgs.add("--holdout");
        }
        if (GenerateJob.run(generateArgs, config, spark) != 0) {
            return null;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long lines = spark.read().text(config.paths().landing() + "/touchpoints/*/*").count();
        return row("generate", 0, lines, seconds, HeapMeter.peakMiB());
    }

    /**
     * One stage over the nights, or with --one-go the month ingested in one pass (a backfill), its gate every night,
     * and the later stages once on the last night (they read all data delivered so far), which measures their
     * throughput on the whole volume.
     */
    private static String timeStage(Warehouse wh, PartnermixConfig config, Stage stage, LocalDate last, int days,
                                    boolean oneGo, Map<String, Double> secondsByStage) {
        HeapMeter.reset();
        long in = 0;
        long out = 0;
        long t0 = System.nanoTime();
        if (oneGo && stage.name().equals("ingest")) {
            // A month delivered at once is a backfill: one pass over its delivery days, as `ingest --from --to`.
            List<LocalDate> month = last.minusDays(days - 1).datesUntil(last.plusDays(1)).toList();
            for (List<LocalDate> pass : IngestJob.passes(month, IngestJob.DAYS_PER_PASS)) {
                List<IngestReport> reports = IngestJob.ingestDays(wh.spark(), wh, config, pass);
                System.out.printf("   %s .. %s %s%n", pass.get(0), pass.get(pass.size() - 1), reports.get(0).timing());
                for (IngestReport report : reports) {
                    in += report.totalLandingLines();
                    out += report.storedLines();
                    System.out.printf("   %s %-10s %,12d lines  %.1f s so far%n", report.date(), stage.name(),
                            report.totalLandingLines(), (System.nanoTime() - t0) / 1e9);
                }
            }
        } else {
            boolean everyNight = !oneGo || stage.name().equals("dq_bronze");
            for (LocalDate day = everyNight ? last.minusDays(days - 1) : last; !day.isAfter(last); day = day.plusDays(1)) {
                Stage.Result result = stage.run(wh, config, day);
                in += result.rowsIn();
                out += result.rowsOut();
                System.out.printf("   %s %-10s %,12d in %,12d out  %.1f s so far  [%s]%n", day, stage.name(),
                        result.rowsIn(), result.rowsOut(), (System.nanoTime() - t0) / 1e9,
                        result.summary().lines().findFirst().orElse(""));
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        secondsByStage.put(stage.name(), seconds);
        return row(stage.name(), in, out, seconds, HeapMeter.peakMiB());
    }

    private static String row(String stage, long in, long out, double seconds, long heapMiB) {
        long rate = seconds > 0 ? Math.round(Math.max(in, out) / seconds) : 0;
        return String.format("%-10s %,14d %,14d %10.1f %,12d %,14d", stage, in, out, seconds, rate, heapMiB);
    }
}
