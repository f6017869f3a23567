package com.partnermix.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.partnermix.job.Args;
import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.PartnermixConfig;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.split;
import static org.apache.spark.sql.functions.sum;

/**
 * {@code generate --date D [--persons N] [--days N] [--seed S] [--partners N] [--out DIR] [--truth DIR]
 * [--gzip] [--on-time] [--knockout ch1,ch2] [--holdout]}: writes a deterministic sample landing zone in the contract
 * format for the {@code days} days ending at D, and its ground truth (never part of the landing zone).
 * Touchpoints and orders are simulated by Spark, one partition per part file; the small feeds
 * (partners, spend, fx_rates) by the driver.
 */
public final class GenerateJob implements Job {

    static final String[] LANDING_FEEDS = {"touchpoints", "orders", "partners", "spend", "fx_rates", "experiments"};
    static final String[] TRUTH_PARTS = {"effects.json", "media_contributions", "fraud_labels", "identity",
            "malformed_lines", "lift_tests"};
    private static final Pattern TASK = Pattern.compile("part-(\\d+)");

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "write a deterministic sample landing zone (contract format) and its ground truth";
    }

    /** The command line's overrides of the generator: section of the configuration (null: not given). */
    public static final class Options {
        @Option(names = "--persons", paramLabel = "N", description = "persons simulated (default: generator.persons)")
        Long persons;

        @Option(names = "--days", paramLabel = "N", description = "days simulated, ending at --date (default: generator.days)")
        Integer days;

        @Option(names = "--seed", paramLabel = "S", description = "random seed: the same seed gives the same files "
                + "(default: generator.seed)")
        Long seed;

        @Option(names = "--partners", paramLabel = "N", description = "partners in the catalog (default: generator.partners)")
        Integer partners;

        @Option(names = "--out", paramLabel = "DIR", description = "the landing zone written (default: paths.landing)")
        String out;

        @Option(names = "--truth", paramLabel = "DIR", description = "the ground truth written (default: "
                + "paths.ground_truth)")
        String truth;

        @Option(names = "--gzip", description = "gzip the touchpoint and order files (also when generator.gzip)")
        boolean gzip;

        @Option(names = "--on-time", description = "deliver every record on its event (or update) date: no late records")
        boolean onTime;

        @Option(names = "--knockout", paramLabel = "CHANNEL", split = ",", description = "channels or partner types "
                + "whose true effect is zero, comma separated, e.g. email,coupon (default: generator.knockout_channels)")
        List<String> knockouts;

        @Option(names = "--holdout", description = "draw the fraud patterns' rates and delays from the holdout ranges, "
                + "which the fraud rules were never tuned on")
        boolean holdout;

        @Option(names = "--lift-tests", paramLabel = "CHANNEL", split = ",", description = "channels or partner types "
                + "with a lift test over the last 28 days, written to the experiments feed; none for no feed "
                + "(default: generator.lift_tests)")
        List<String> liftTests;
    }

    @Override
    public Options options() {
        return new Options();
    }

    /** Runs {@code generate ARGV...} in this JVM on an open session: the demo, the benchmarks and the tests. */
    public static int run(List<String> argv, PartnermixConfig config, SparkSession spark) throws Exception {
        GenerateJob job = new GenerateJob();
        List<String> line = new ArrayList<>(List.of(job.name()));
        line.addAll(argv);
        return job.run(new JobContext(Args.parse(List.of(job), line.toArray(String[]::new)), config, spark));
    }

    @Override
    public int run(JobContext context) throws Exception {
        GeneratorOptions options = resolve(context.args(), context.config());
        Report report = generate(context.spark(), options);
        System.out.println(report);
        System.out.println("generate: landing " + options.out() + " (" + options.firstDate() + " .. " + options.lastDate()
                + (options.onTime() ? ", on time" : "") + (options.gzip() ? ", gzip" : "")
                + (options.holdout() ? ", holdout profile" : "") + "), ground truth "
                + options.truth() + (options.knockouts().isEmpty() ? "" : ", knockouts " + options.knockouts()));
        return 0;
    }

    /** Configuration defaults overridden by the command line. */
    static GeneratorOptions resolve(Args args, PartnermixConfig config) {
        PartnermixConfig.Generator g = config.generator();
        Options o = args.options(Options.class);
        List<String> knockouts = sources("--knockout", o.knockouts == null ? g.knockoutChannels() : o.knockouts);
        List<String> liftTests = sources("--lift-tests", o.liftTests == null ? g.liftTests() : o.liftTests);
        return new GeneratorOptions(args.requireDate(), o.days == null ? g.days() : o.days,
                o.persons == null ? g.persons() : o.persons, o.seed == null ? g.seed() : o.seed,
                o.partners == null ? g.partners() : o.partners,
                o.out == null ? config.paths().landing() : o.out,
                o.truth == null ? config.paths().groundTruth() : o.truth,
                o.gzip || g.gzip(), o.onTime, knockouts,
                g.malformedShare(), g.duplicateShare(), g.lateShare(), g.filesPerDay(), o.holdout, liftTests);
    }

    /** Channel or partner type names of an option, each checked; "none" alone means none. */
    private static List<String> sources(String option, List<String> names) {
        List<String> trimmed = names.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (trimmed.equals(List.of("none"))) {
            return List.of();
        }
        for (String k : trimmed) {
            boolean known = false;
            for (int s = 0; s < TrueModel.N_SOURCES; s++) {
                known |= TrueModel.sourceName(s).equals(k);
            }
            if (!known) {
                throw new Args.UsageException(option + ": unknown channel or partner type '" + k + "'");
            }
        }
        return trimmed;
    }

    /** What a run wrote. */
    record Report(long persons, long touchpointLines, long orderLines, long orders, int files, double seconds) {
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "generate: %d persons, %d touchpoint lines, %d order lines (%d orders placed),"
                            + " %d landing files in %.1f s (%.0f lines/s)", persons, touchpointLines, orderLines, orders,
                    files, seconds, (touchpointLines + orderLines) / Math.max(seconds, 1e-9));
        }
    }

    static Report generate(SparkSession spark, GeneratorOptions o) throws IOException {
        long start = System.nanoTime();
        PartnerCatalog catalog = PartnerCatalog.build(o.seed(), o.partners(), o.firstDate(), o.lastDate());
        TrueModel model = new TrueModel(o, catalog);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path out = new Path(o.out());
        Path truth = new Path(o.truth());
        FileSystem fs = raw(out.getFileSystem(hadoop));
        FileSystem truthFs = raw(truth.getFileSystem(hadoop));
        wipe(fs, out, truthFs, truth, o, model);

        int files = writeSmallFeeds(fs, out, o, catalog, model);

        Path tmp = new Path(truth, "_generate_tmp");
        truthFs.delete(tmp, true);
        LongAccumulator persons = spark.sparkContext().longAccumulator("persons");
        LongAccumulator touchLines = spark.sparkContext().longAccumulator("touchpoint_lines");
        LongAccumulator orderLines = spark.sparkContext().longAccumulator("order_lines");
        LongAccumulator orders = spark.sparkContext().longAccumulator("orders");
        simulate(spark, model, persons, touchLines, orderLines, orders)
                .write().mode(SaveMode.Overwrite).partitionBy("feed", "dt")
                .option("compression", o.gzip() ? "gzip" : "none")
                .text(tmp.toString());

        files += moveLandingParts(truthFs, tmp, fs, out, o.gzip());
        List<String> contributions = writeTruth(spark, truthFs, tmp, truth, model);
        writeLiftTests(spark, fs, tmp, out, truthFs, truth, o, model, contributions);
        truthFs.delete(tmp, true);
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Report(persons.value(), touchLines.value(), orderLines.value(), orders.value(), files, seconds);
    }

    /** The simulated lines (feed, dt, line), sorted within each partition so the written files are deterministic. */
    static Dataset<Row> simulate(SparkSession spark, TrueModel model, LongAccumulator persons, LongAccumulator touchLines,
                                 LongAccumulator orderLines, LongAccumulator orders) {
        GeneratorOptions o = model.options;
        return spark.range(0, o.persons(), 1, o.filesPerDay())
                .mapPartitions(new SimulatePartition(model, persons, touchLines, orderLines, orders),
                        Encoders.tuple(Encoders.STRING(), Encoders.STRING(), Encoders.LONG(), Encoders.STRING()))
                .toDF("feed", "dt", "seq", "line")
                .sortWithinPartitions("feed", "dt", "seq")
                .select("feed", "dt", "line");
    }

    /** Reruns are clean: the generated date range of every landing feed and the whole truth folder go first. */
    private static void wipe(FileSystem fs, Path out, FileSystem truthFs, Path truth, GeneratorOptions o, TrueModel model)
            throws IOException {
        for (String feed : LANDING_FEEDS) {
            for (String date : model.dates) {
                fs.delete(new Path(out, feed + "/dt=" + date), true);
            }
        }
        for (String part : TRUTH_PARTS) {
            truthFs.delete(new Path(truth, part), true);
        }
    }

    private static int writeSmallFeeds(FileSystem fs, Path out, GeneratorOptions o, PartnerCatalog catalog,
                                       TrueModel model) throws IOException {
        int files = 0;
        for (int d = 0; d < o.days(); d++) {
            String dt = "dt=" + model.dates[d];
            writeLines(fs, new Path(out, "partners/" + dt + "/partners.csv"), catalog.snapshot(o.date(d)));
            writeLines(fs, new Path(out, "spend/" + dt + "/spend.csv"), model.spendRows(d));
            writeLines(fs, new Path(out, "fx_rates/" + dt + "/fx_rates.csv"), model.fxRows(d));
            files += 3;
        }
        return files;
    }

    /** Moves Spark's part files of the landing feeds to {@code <out>/<feed>/dt=D/part-NNNN.jsonl[.gz]}. */
    private static int moveLandingParts(FileSystem tmpFs, Path tmp, FileSystem fs, Path out, boolean gzip) throws IOException {
        int files = 0;
        for (String feed : new String[] {Delivery.TOUCHPOINTS, Delivery.ORDERS}) {
            Path feedDir = new Path(tmp, "feed=" + feed);
            if (!tmpFs.exists(feedDir)) {
                continue;
            }
            for (FileStatus dtDir : sorted(tmpFs.listStatus(feedDir))) {
                if (!dtDir.isDirectory()) {
                    continue;
                }
                Path target = new Path(out, feed + "/" + dtDir.getPath().getName());
                fs.mkdirs(target);
                for (FileStatus part : partFiles(tmpFs, dtDir.getPath())) {
                    Path dest = new Path(target, "part-" + taskNumber(part) + ".jsonl" + (gzip ? ".gz" : ""));
                    if (!fs.rename(part.getPath(), dest)) {
                        throw new IOException("could not move " + part.getPath() + " to " + dest);
                    }
                    files++;
                }
            }
        }
        return files;
    }

    /** @return the lines of {@code media_contributions} (header first), which the lift tests sum again */
    private static List<String> writeTruth(SparkSession spark, FileSystem fs, Path tmp, Path truth, TrueModel model)
            throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try (OutputStream os = fs.create(new Path(truth, "effects.json"), true)) {
            os.write(json.writeValueAsBytes(model.effectsDocument()));
            os.write('\n');
        }
        copyWithHeader(fs, new Path(tmp, "feed=" + Delivery.TRUTH_FRAUD), new Path(truth, "fraud_labels"),
                FraudHeader.HEADER);
        writeLines(fs, new Path(truth, "fraud_labels/partner_level.csv"), List.of(FraudHeader.HEADER,
                "CLICK_FLOOD,,," + model.catalog.get(model.catalog.floodPartner).id(),
                "TIMING_OUTLIER,,," + model.catalog.get(model.catalog.timingOutlierPartner).id()));
        copyWithHeader(fs, new Path(tmp, "feed=" + Delivery.TRUTH_IDENTITY), new Path(truth, "identity"),
                "anonymous_id,true_person");
        writeLines(fs, new Path(truth, "identity/shared_devices.csv"),
                List.of("anonymous_id,true_person", PersonSimulator.kioskIdentityRow()));
        copyWithHeader(fs, new Path(tmp, "feed=" + Delivery.TRUTH_MALFORMED), new Path(truth, "malformed_lines"),
                "dt,expected_reason,line");
        List<String> contributions = mediaContributions(spark, fs, tmp);
        writeLines(fs, new Path(truth, "media_contributions/media_contributions.csv"), contributions);
        return contributions;
    }

    /**
     * The lift tests of {@code options.liftTests()}: each group's test over the last {@link
     * GeneratorOptions#LIFT_TEST_DAYS} days, the persons split in half at random, the group's exposure withheld from
     * the control half. An arm's conversions are drawn around its expected orders (Poisson noise, normal
     * approximation): the test arm all of its half's expected orders of those days, the control arm the same less
     * what the group's touches since the test began added. Written to the experiments landing feed on the last day,
     * and the expected values to {@code <truth>/lift_tests}. Bounded by groups: built on the driver.
     */
    private static void writeLiftTests(SparkSession spark, FileSystem fs, Path tmp, Path out, FileSystem truthFs,
                                       Path truth, GeneratorOptions o, TrueModel model, List<String> contributions)
            throws IOException {
        if (o.liftTests().isEmpty()) {
            return;
        }
        String start = model.dates[o.liftTestStart()];
        String end = model.dates[o.days() - 1];
        // every expected order of the tests' days (baseline and all groups), from the contributions just summed
        double windowOrders = contributions.stream().skip(1).map(line -> line.split(","))
                .filter(f -> f[0].compareTo(start) >= 0).map(f -> new java.math.BigDecimal(f[4]))
                .reduce(java.math.BigDecimal.ZERO, java.math.BigDecimal::add).doubleValue();
        Map<String, double[]> lift = new HashMap<>();   // source -> {orders withheld, clicks, impressions}
        spark.read().text(new Path(tmp, "feed=" + Delivery.TRUTH_LIFT).toString())
                .select(split(col("value"), ",").as("f"))
                .groupBy(col("f").getItem(1)).agg(sum(col("f").getItem(2).cast("decimal(38,18)")),
                        sum(col("f").getItem(3).cast("long")), sum(col("f").getItem(4).cast("long")))
                .collectAsList()   // exact sums (decimal): the same digits every run, whatever the partition order
                .forEach(r -> lift.put(r.getString(0), new double[] {r.getDecimal(1).doubleValue(), r.getLong(2),
                        r.getLong(3)}));
        long testPersons = o.persons() / 2;
        long controlPersons = o.persons() - testPersons;
        double testShare = (double) testPersons / o.persons();
        double controlShare = (double) controlPersons / o.persons();
        List<String> landing = new ArrayList<>(List.of(String.join(",", com.partnermix.ingest.Contract.EXPERIMENT_COLUMNS)));
        List<String> expected = new ArrayList<>(List.of("experiment_id,group,expected_test_conversions,"
                + "expected_control_conversions,expected_incremental_orders_test_arm"));
        SplittableRandom rng = new SplittableRandom(o.seed() * 0x5DEECE66DL + 11);
        for (String group : o.liftTests()) {
            double[] g = lift.getOrDefault(group, new double[3]);
            long clicks = Math.round(g[1] * testShare);
            long impressions = Math.round(g[2] * testShare);
            if (clicks + impressions == 0) {
                continue;   // the group had no touches: there was nothing to withhold
            }
            double testMean = windowOrders * testShare;
            double controlMean = (windowOrders - g[0]) * controlShare;
            String id = "lift-" + group + "-" + end;
            landing.add(String.join(",", id, group, start, end, Long.toString(testPersons),
                    Long.toString(poisson(rng, testMean)), Long.toString(controlPersons),
                    Long.toString(poisson(rng, controlMean)), Long.toString(clicks), Long.toString(impressions)));
            expected.add(String.format(Locale.ROOT, "%s,%s,%.6f,%.6f,%.6f", id, group, testMean, controlMean,
                    g[0] * testShare));
        }
        writeLines(fs, new Path(out, "experiments/dt=" + end + "/lift_tests.csv"), landing);
        writeLines(truthFs, new Path(truth, "lift_tests/lift_tests.csv"), expected);
    }

    /** A Poisson count of a large mean: the normal approximation, rounded, at least 0. */
    private static long poisson(SplittableRandom rng, double mean) {
        return Math.max(0, Math.round(mean + Math.sqrt(Math.max(mean, 0)) * rng.nextGaussian()));
    }

    /** Sums the per-task expected incremental orders to one row per (date, region, channel, source). */
    private static List<String> mediaContributions(SparkSession spark, FileSystem fs, Path tmp) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("date,region,channel,channel_or_partner_type,expected_incremental_orders");
        Path dir = new Path(tmp, "feed=" + Delivery.TRUTH_MEDIA);
        if (!fs.exists(dir)) {
            return lines;
        }
        Dataset<Row> parts = spark.read().text(dir.toString()).select(split(col("value"), ",").as("f"));
        List<Row> rows = parts.select(col("f").getItem(0).as("date"), col("f").getItem(1).as("region"),
                        col("f").getItem(2).as("channel"), col("f").getItem(3).as("key"),
                        col("f").getItem(4).cast("decimal(38,18)").as("v")) // exact sums: same digits every run
                .groupBy("date", "region", "channel", "key").agg(sum("v").as("v"))
                .orderBy("date", "region", "channel", "key")
                .collectAsList(); // days x regions x sources rows, never proportional to persons
        for (Row r : rows) {
            lines.add(String.join(",", r.getString(0), r.getString(1), r.getString(2), r.getString(3),
                    r.getDecimal(4).setScale(6, java.math.RoundingMode.HALF_EVEN).toPlainString()));
        }
        return lines;
    }

    /** Copies the part files of one truth feed, each with a CSV header, as part-NNNN.csv. */
    private static void copyWithHeader(FileSystem fs, Path feedDir, Path target, String header) throws IOException {
        fs.mkdirs(target);
        Path dir = new Path(feedDir, "dt=" + Delivery.ALL);
        if (!fs.exists(dir)) {
            writeLines(fs, new Path(target, "part-0000.csv"), List.of(header));
            return;
        }
        for (FileStatus part : partFiles(fs, dir)) {
            try (InputStream raw = fs.open(part.getPath());
                 InputStream in = part.getPath().getName().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                 OutputStream os = fs.create(new Path(target, "part-" + taskNumber(part) + ".csv"), true)) {
                os.write((header + "\n").getBytes(StandardCharsets.UTF_8));
                in.transferTo(os);
            }
        }
    }

    private static List<FileStatus> partFiles(FileSystem fs, Path dir) throws IOException {
        List<FileStatus> parts = new ArrayList<>();
        for (FileStatus f : sorted(fs.listStatus(dir))) {
            if (f.isFile() && f.getPath().getName().startsWith("part-")) {
                parts.add(f);
            }
        }
        return parts;
    }

    private static List<FileStatus> sorted(FileStatus[] files) {
        List<FileStatus> list = new ArrayList<>(Arrays.asList(files));
        list.sort(Comparator.comparing(f -> f.getPath().getName()));
        return list;
    }

    /** NNNN from Spark's part-00003-uuid.c000.txt: the task (partition) number, deterministic. */
    static String taskNumber(FileStatus part) {
        Matcher m = TASK.matcher(part.getPath().getName());
        if (!m.find()) {
            throw new IllegalStateException("unexpected part file " + part.getPath());
        }
        return String.format(Locale.ROOT, "%04d", Integer.parseInt(m.group(1)));
    }

    /** Writes without Hadoop's .crc side files on the local file system (the landing zone holds contract files only). */
    private static FileSystem raw(FileSystem fs) {
        return fs instanceof org.apache.hadoop.fs.ChecksumFileSystem c ? c.getRawFileSystem() : fs;
    }

    private static void writeLines(FileSystem fs, Path file, List<String> lines) throws IOException {
        try (OutputStream os = fs.create(file, true)) {
            for (String line : lines) {
                os.write(line.getBytes(StandardCharsets.UTF_8));
                os.write('\n');
            }
        }
    }

    /** Column names of the fraud label truth. */
    static final class FraudHeader {
        static final String HEADER = "rule_code,order_id,event_id,partner_id";

        private FraudHeader() {}
    }
}
