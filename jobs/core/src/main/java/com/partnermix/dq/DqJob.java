package com.partnermix.dq;

import com.amazon.deequ.repository.fs.FileSystemMetricsRepository;
import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.Parallel;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.RunStoppedException;
import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code dq --layer bronze|silver|gold --date D}: runs the layer's check files with Deequ,
 * records every outcome in {@code dq.check_results}, prints failures and warnings, and stops
 * the pipeline (exit 1, naming table, check and measured value) when an Error-level check fails.
 */
public final class DqJob implements Job {

    public static final StructType RESULT_SCHEMA = new StructType()
            .add("run_date", "date").add("layer", "string").add("table_name", "string").add("check_name", "string")
            .add("rule", "string").add("level", "string").add("status", "string").add("measured_value", "double")
            .add("message", "string").add("why", "string")
            // The Delta version of the table the checks read: publish pins exactly the versions the gate passed.
            .add("table_version", "long");

    @Override
    public String name() {
        return "dq";
    }

    @Override
    public String summary() {
        return "data-quality gate: --layer bronze|silver|gold checks with Deequ, results in dq.check_results";
    }

    static final List<String> LAYERS = List.of("bronze", "silver", "gold");

    /**
     * Tables checked at the same time: while one table's small Spark jobs run, the next ones' are planned. Three cut
     * the demo's three gates by about a quarter on two cores (docs/benchmarks.md).
     */
    private static final int TABLES_AT_ONCE = 3;

    public static final class Options {
        @Option(names = "--layer", paramLabel = "LAYER", description = "the layer checked: bronze, silver or gold")
        String layer;
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public int run(JobContext context) {
        String layer = context.options(Options.class).layer;
        if (layer == null || !LAYERS.contains(layer)) {
            throw new com.partnermix.job.Args.UsageException("dq needs --layer bronze|silver|gold"
                    + (layer == null ? "" : ", got '" + layer + "'"));
        }
        LocalDate date = context.date();
        List<CheckOutcome> outcomes = check(context.warehouse(), context.config(), layer, date);
        System.out.println(report(layer, date, outcomes));
        gate(layer, date, outcomes);
        return 0;
    }

    /** Runs and records the checks; does not throw on failed checks (see {@link #gate}). */
    public static List<CheckOutcome> check(Warehouse wh, PartnermixConfig config, String layer, LocalDate date) {
        List<CheckFile> files = readCheckFiles(wh, config.dataQuality().checksDir(), layer);
        DeequRunner runner = new DeequRunner(new FileSystemMetricsRepository(wh.spark(),
                config.dataQuality().metricsRepository()));
        Map<String, Long> versions = new LinkedHashMap<>();
        for (CheckFile file : files) {
            Table table = Table.parse(file.table());
            versions.put(file.table(), wh.exists(table) ? wh.version(table) : null);
        }
        List<List<CheckOutcome>> perFile = new ArrayList<>(Collections.nCopies(files.size(), null));
        List<Runnable> steps = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            int index = i;
            CheckFile file = files.get(i);
            steps.add(() -> perFile.set(index, checkTable(wh, runner, file, date, versions.get(file.table()))));
        }
        Parallel.run(steps, TABLES_AT_ONCE);
        List<CheckOutcome> outcomes = perFile.stream().flatMap(List::stream).toList();
        Dataset<Row> rows = wh.spark().createDataFrame(outcomes.stream().map(o -> RowFactory.create(
                java.sql.Date.valueOf(date), layer, o.table(), o.check().name(), o.check().rule(),
                o.check().level().name().toLowerCase(), o.status().name().toLowerCase(), o.measuredValue(),
                o.message(), o.check().why(), versions.get(o.table()))).toList(), RESULT_SCHEMA);
        if (wh.exists(Tables.DQ_CHECK_RESULTS)) {
            // mergeSchema: results tables written before table_version existed gain the column.
            rows.write().format("delta").mode(org.apache.spark.sql.SaveMode.Overwrite).option("mergeSchema", "true")
                    .option("replaceWhere", "run_date = '" + date + "' AND layer = '" + layer + "'")
                    .save(wh.path(Tables.DQ_CHECK_RESULTS));
        } else {
            DeltaWrites.append(wh, Tables.DQ_CHECK_RESULTS, rows);
        }
        return outcomes;
    }

    /** Error-level failures stop the run before anything downstream is written. */
    public static void gate(String layer, LocalDate date, List<CheckOutcome> outcomes) {
        List<String> blocking = outcomes.stream().filter(CheckOutcome::blocksPipeline).map(CheckOutcome::describe).toList();
        if (!blocking.isEmpty()) {
            throw new RunStoppedException("data-quality gate " + layer + " failed for " + date + ":\n  "
                    + String.join("\n  ", blocking));
        }
    }

    /** Runs one file's checks on its table as of {@code version} (null: the table does not exist). */
    static List<CheckOutcome> checkTable(Warehouse wh, DeequRunner runner, CheckFile file, LocalDate date,
                                         Long version) {
        Table table = Table.parse(file.table());
        if (version == null && file.optional()) {
            return file.checks().stream().map(c -> new CheckOutcome(file.table(), c.forDate(date),
                    CheckOutcome.Status.SKIPPED, null, "table not written yet (optional: the stage refused or has not "
                    + "run)")).toList();
        }
        if (version == null) {
            throw new RunStoppedException("data-quality checks " + file.path() + " name " + table
                    + ", which does not exist: the stage that writes it has not run");
        }
        // Each Deequ pass plans its own Delta scan and reads the files again. When several passes read the same rows,
        // they are read once and cached for the table's checks: the whole table while it is small and some check
        // reads all of it (a cache reads every column, a pass over the files only the columns it checks), else the
        // night's slice.
        Dataset<Row> all = wh.readAt(table, version);
        List<Dataset<Row>> cached = new ArrayList<>();
        long tablePasses = passes(file, "table");
        long runPasses = passes(file, "run");
        if (tablePasses > 0 && tablePasses + runPasses > 1
                && wh.sizeInBytes(table, version) <= CACHED_TABLE_MAX_BYTES) {
            all = all.persist(StorageLevel.MEMORY_AND_DISK());
            cached.add(all);
        }
        // A file without a run slice has only table-scoped checks (the parser refuses others).
        Dataset<Row> runSlice = file.runSlice() == null ? all : all.where(file.runSliceFor(date));
        if (runPasses > 1 && cached.isEmpty()) {
            runSlice = runSlice.persist(StorageLevel.MEMORY_AND_DISK());
            cached.add(runSlice);
        }
        try {
            return checkTable(wh, runner, file, date, all, runSlice);
        } finally {
            cached.forEach(Dataset::unpersist);
        }
    }

    /** Tables up to this size (their Parquet files) may be cached whole for their checks (see checkTable). */
    static final long CACHED_TABLE_MAX_BYTES = 64L << 20;

    /**
     * Passes over the rows of one scope (run or table): one per anomaly, group sum, reference and uniqueness check
     * (Deequ groups by the columns in a pass of its own), and one per filter the other checks share.
     */
    static long passes(CheckFile file, String scope) {
        Set<String> sharedFilters = new HashSet<>();
        long ownPasses = 0;
        for (CheckSpec spec : file.checks()) {
            if (!spec.scope().equals(scope)) {
                continue;
            }
            if (OWN_PASS_RULES.contains(spec.rule())) {
                ownPasses++;
            } else {
                sharedFilters.add(spec.where() == null ? "" : spec.where());
            }
        }
        return ownPasses + sharedFilters.size();
    }

    private static final Set<String> OWN_PASS_RULES = Set.of("anomaly", "group_sum", "references", "unique");

    private static List<CheckOutcome> checkTable(Warehouse wh, DeequRunner runner, CheckFile file, LocalDate date,
                                                 Dataset<Row> all, Dataset<Row> runSlice) {
        List<CheckOutcome> outcomes = new ArrayList<>();
        // Checks that read the same rows share one Deequ pass.
        Map<String, List<CheckSpec>> byDataset = new LinkedHashMap<>();
        for (CheckSpec template : file.checks()) {
            CheckSpec spec = template.forDate(date);
            Dataset<Row> data = dataset(all, runSlice, spec, date);
            if (spec.rule().equals("anomaly")) {
                outcomes.add(runner.anomaly(file.table(), data, spec, date));
            } else if (spec.rule().equals("group_sum")) {
                // One row per group with its sum: the check counts the groups that miss the expected value.
                Dataset<Row> sums = data.groupBy(spec.list("group_by").stream().map(org.apache.spark.sql.functions::col)
                                .toArray(org.apache.spark.sql.Column[]::new))
                        .agg(org.apache.spark.sql.functions.sum(spec.text("column")).as(DeequRunner.GROUP_SUM));
                outcomes.addAll(runner.verify(file.table(), sums, List.of(spec)));
            } else if (spec.rule().equals("references")) {
                outcomes.addAll(runner.verify(file.table(), withReferenceFlag(wh, data, spec), List.of(spec)));
            } else {
                byDataset.computeIfAbsent(spec.scope() + "|" + (spec.where() == null ? "" : spec.where()),
                        k -> new ArrayList<>()).add(spec);
            }
        }
        for (Map.Entry<String, List<CheckSpec>> group : byDataset.entrySet()) {
            CheckSpec first = group.getValue().get(0);
            outcomes.addAll(runner.verify(file.table(), dataset(all, runSlice, first, date), group.getValue()));
        }
        List<String> order = file.checks().stream().map(CheckSpec::name).toList();
        outcomes.sort(Comparator.comparing(o -> order.indexOf(o.check().name())));
        return outcomes;
    }

    private static Dataset<Row> dataset(Dataset<Row> all, Dataset<Row> runSlice, CheckSpec spec, LocalDate date) {
        Dataset<Row> data = spec.scope().equals("run") ? runSlice : all;
        return spec.where() == null ? data : data.where(spec.where().replace("{date}", date.toString()));
    }

    /** A foreign key: every row's column must be found in the referenced table's column. */
    private static Dataset<Row> withReferenceFlag(Warehouse wh, Dataset<Row> data, CheckSpec spec) {
        Table ref = Table.parse(spec.text("ref_table"));
        Dataset<Row> keys = wh.read(ref).select(col(spec.text("ref_column")).as("__ref_key"))
                .distinct().withColumn("__found", lit(true));
        return data.join(keys, data.col(spec.text("column")).equalTo(keys.col("__ref_key")), "left")
                .withColumn(DeequRunner.referenceFlag(spec), col("__found").isNotNull())
                .drop("__ref_key", "__found");
    }

    static List<CheckFile> readCheckFiles(Warehouse wh, String dir, String layer) {
        Path folder = new Path(dir);
        try {
            FileSystem fs = folder.getFileSystem(wh.spark().sparkContext().hadoopConfiguration());
            FileStatus[] statuses = fs.listStatus(folder);
            List<CheckFile> files = new ArrayList<>();
            for (FileStatus status : Arrays.stream(statuses).sorted(Comparator.comparing(s -> s.getPath().getName())).toList()) {
                String name = status.getPath().getName();
                if (name.startsWith(layer + ".") && name.endsWith(".yaml")) {
                    try (InputStream in = fs.open(status.getPath())) {
                        files.add(CheckFileParser.parse(dir + "/" + name, new String(in.readAllBytes(), StandardCharsets.UTF_8)));
                    }
                }
            }
            if (files.isEmpty()) {
                throw new RunStoppedException("no data-quality check files for layer " + layer + " in " + dir);
            }
            return files;
        } catch (IOException e) {
            throw new RunStoppedException("cannot read data-quality checks in " + dir + ": " + e.getMessage(), e);
        }
    }

    public static String report(String layer, LocalDate date, List<CheckOutcome> outcomes) {
        long failed = outcomes.stream().filter(o -> o.status() == CheckOutcome.Status.FAILED).count();
        long skipped = outcomes.stream().filter(o -> o.status() == CheckOutcome.Status.SKIPPED).count();
        StringBuilder out = new StringBuilder(String.format("dq %s %s: %d checks, %d passed, %d failed, %d skipped%n",
                layer, date, outcomes.size(), outcomes.size() - failed - skipped, failed, skipped));
        outcomes.stream().filter(o -> o.status() != CheckOutcome.Status.PASSED)
                .forEach(o -> out.append("  ").append(o.describe()).append(System.lineSeparator()));
        return out.toString();
    }
}
