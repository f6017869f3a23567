package com.partnermix.bench;

import com.partnermix.cli.Args;
import com.partnermix.cli.Job;
import com.partnermix.cli.JobContext;
import com.partnermix.cli.Main;
import com.partnermix.common.ConfigLoader;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Warehouse;
import com.partnermix.pipeline.HeapMeter;
import com.partnermix.pipeline.LocalFolders;
import com.partnermix.pipeline.NightlyPipeline;
import com.partnermix.pipeline.Stage;

import java.nio.file.Files;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

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
        return "benchmark: generate N persons x D days (--seed S, --holdout: the generator's; or --reuse), time every "
                + "stage (--one-go: later stages once; "
                + "--no-dq: without the data-quality gates; --solver-states N: the Markov solve alone; --mmm: the "
                + "media mix fit alone on a synthetic panel, --mmm-days/--mmm-regions/--mmm-channels/"
                + "--mmm-candidates 50,100,200; --attribute [--attribute-orders 250000,1000000]: the attribute stage "
                + "alone on a synthetic silver layer; --marts: the marts stage alone)";
    }

    @Override
    public int run(JobContext context) throws Exception {
        Args args = context.args();
        if (args.option("solver-states").isPresent()) {
            System.out.println("== bench: driver-side Markov removal-effect solve (order 1, conversions and revenue)");
            SolverBench.run(args.intOption("solver-states", 1000), 42).forEach(System.out::println);
            return 0;
        }
        PartnermixConfig base = context.config();
        LocalDate last = args.date() == null ? LocalDate.parse("2026-11-20") : args.date();
        if (args.flag("mmm") || args.option("mmm-candidates").isPresent()) {
            List<Integer> counts = new ArrayList<>();
            for (String c : args.option("mmm-candidates").orElse("200").split(",")) {
                counts.add(Integer.parseInt(c.trim()));
            }
            int days = args.intOption("mmm-days", 365);
            int regions = args.intOption("mmm-regions", 5);
            int channels = args.intOption("mmm-channels", 20);
            System.out.printf("== bench: mmm stage on a synthetic panel, %d days x %d regions x %d channels, %d cores%n",
                    days, regions, channels, Runtime.getRuntime().availableProcessors());
            MmmBench.run(context.spark(), base, base.bench().workDir(), last, days, regions, channels, counts)
                    .forEach(System.out::println);
            return 0;
        }
        if (args.flag("attribute") || args.option("attribute-orders").isPresent()) {
            int attributeDays = args.intOption("days", 30);
            for (String n : args.option("attribute-orders").orElse("1000000").split(",")) {
                long orders = Long.parseLong(n.trim());
                System.out.printf("== bench: attribute stage on a synthetic silver layer, %,d orders over %d days, "
                        + "%d cores%n", orders, attributeDays, Runtime.getRuntime().availableProcessors());
                AttributionBench.run(context.spark(), base, base.bench().workDir(), last, orders, attributeDays)
                        .forEach(System.out::println);
            }
            return 0;
        }
        if (args.flag("marts")) {
            long touchpoints = args.intOption("marts-touchpoints", 10_000_000);
            int martsDays = args.intOption("days", 30);
            System.out.printf("== bench: marts stage on a synthetic warehouse, %,d touchpoints over %d days, %d cores%n",
                    touchpoints, martsDays, Runtime.getRuntime().availableProcessors());
            MartsBench.run(context.spark(), base, base.bench().workDir(), last, touchpoints, martsDays)
                    .forEach(System.out::println);
            return 0;
        }
        int persons = args.intOption("persons", base.bench().persons());
        int days = args.intOption("days", base.bench().days());
        String work = base.bench().workDir();
        PartnermixConfig config = ConfigLoader.withPaths(base, work + "/warehouse", work + "/landing",
                work + "/ground-truth", work + "/checkpoints");
        boolean reuse = args.flag("reuse") && Files.isDirectory(LocalFolders.localPath(config.paths().landing()));

        List<String> rows = new ArrayList<>();
        LocalFolders.wipe(config.paths().warehouse());
        LocalFolders.wipe(config.paths().checkpoints());
        var spark = context.spark();
        if (!reuse) {
            LocalFolders.wipe(config.paths().landing());
            LocalFolders.wipe(config.paths().groundTruth());
            HeapMeter.reset();
            long t0 = System.nanoTime();
            List<String> generateArgs = new ArrayList<>(List.of("generate", "--date", last.toString(), "--days",
                    Integer.toString(days), "--persons", Integer.toString(persons)));
            args.option("seed").ifPresent(seed -> generateArgs.addAll(List.of("--seed", seed)));
            if (args.flag("holdout")) {
                generateArgs.add("--holdout");
            }
            int code = Main.jobs().get("generate").run(new JobContext(Args.parse(generateArgs.toArray(String[]::new)),
                    config, spark));
            if (code != 0) {
                return code;
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long lines = spark.read().text(config.paths().landing() + "/touchpoints/*/*").count();
            rows.add(row("generate", 0, lines, seconds, HeapMeter.peakMiB()));
        }
        Warehouse wh = new Warehouse(spark, config.paths().warehouse());
        // --one-go: ingest every night, then the later stages once on the last night (they read all data
        // delivered so far), which measures their throughput on the whole volume at once.
        boolean oneGo = args.flag("one-go");
        boolean noDq = args.flag("no-dq");   // the data-quality gates are timed by their own runs; skip them here
        // --stages ingest,journeys: only these (e.g. to time one stage at several volumes); default: all.
        List<String> only = args.option("stages").map(v -> List.of(v.split(","))).orElse(List.of());
        for (Stage stage : NightlyPipeline.stages()) {
            if (noDq && (stage.name().startsWith("dq_") || stage.name().equals("publish"))) { // publish needs the gold gate
                continue;
            }
            if (!only.isEmpty() && !only.contains(stage.name())) {
                continue;
            }
            HeapMeter.reset();
            long in = 0;
            long out = 0;
            long t0 = System.nanoTime();
            boolean everyNight = !oneGo || stage.name().equals("ingest") || stage.name().equals("dq_bronze");
            for (LocalDate day = everyNight ? last.minusDays(days - 1) : last; !day.isAfter(last); day = day.plusDays(1)) {
                Stage.Result result = stage.run(wh, config, day);
                in += result.rowsIn();
                out += result.rowsOut();
                System.out.printf("   %s %-10s %,12d in %,12d out  %.1f s so far  [%s]%n", day, stage.name(),
                        result.rowsIn(), result.rowsOut(), (System.nanoTime() - t0) / 1e9,
                        result.summary().lines().findFirst().orElse(""));
            }
            rows.add(row(stage.name(), in, out, (System.nanoTime() - t0) / 1e9, HeapMeter.peakMiB()));
        }
        System.out.printf("%n== bench: %,d persons x %d days ending %s, %d cores, max heap %,d MiB%n", persons, days,
                last, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() / (1024 * 1024));
        System.out.printf("%-10s %14s %14s %10s %12s %14s%n", "stage", "rows in", "rows out", "wall s", "rows/s",
                "peak heap MiB");
        rows.forEach(System.out::println);
        return 0;
    }

    private static String row(String stage, long in, long out, double seconds, long heapMiB) {
        long rate = seconds > 0 ? Math.round(Math.max(in, out) / seconds) : 0;
        return String.format("%-10s %,14d %,14d %10.1f %,12d %,14d", stage, in, out, seconds, rate, heapMiB);
    }
}
