package com.partnermix.demo;

import com.partnermix.generate.GenerateJob;
import com.partnermix.job.Args;
import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.RunLock;
import com.partnermix.common.SparkSessions;
import com.partnermix.common.Table;
import com.partnermix.common.Warehouse;
import com.partnermix.pipeline.LocalFolders;
import com.partnermix.pipeline.NightlyPipeline;
import com.partnermix.pipeline.Stage;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Option;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.desc;
import static org.apache.spark.sql.functions.sum;

/**
 * {@code demo}: the whole nightly pipeline on generated sample data, on this machine. Wipes
 * the local demo folders, generates a landing zone, runs every stage for every generated
 * day, and prints a summary (rows per table, quarantine reasons, the ingest balance, the marts).
 */
public final class DemoJob implements Job {

    /** A fixed default so that the demo gives the same output every time (jobs never use today). */
    static final LocalDate DEFAULT_DATE = LocalDate.parse("2026-11-20");
    /** A week of nights keeps the demo near ten minutes on two cores; --days N runs more. */
    static final int DEFAULT_DAYS = 4;   // every stage every night; 4 nights keep the demo near 10 minutes

    @Override
    public String name() {
        return "demo";
    }

    @Override
    public String summary() {
        return "generate sample data and run the whole nightly pipeline for every day, then summarise";
    }

    /** The demo's size; --date is its last night (default 2026-11-20). */
    public static final class Options {
        @Option(names = "--days", paramLabel = "N", description = "nights generated and run, ending at --date "
                + "(default: " + DEFAULT_DAYS + ")")
        int days = DEFAULT_DAYS;

        @Option(names = "--persons", paramLabel = "N", description = "persons simulated (default: generator.persons)")
        Integer persons;
    }

    @Override
    public Options options() {
        return new Options();
    }

    /**
     * Up to this many persons the demo interprets its queries instead of compiling them: on a month of 20,000
     * persons (a million touchpoints) both ways took about as long, below it interpreting is faster.
     */
    static final int INTERPRETED_UP_TO_PERSONS = 20_000;

    @Override
    public int run(JobContext context) throws Exception {
        Args args = context.args();
        Options options = context.options(Options.class);
        PartnermixConfig config = context.config();
        LocalDate last = args.date() == null ? DEFAULT_DATE : args.date();
        int days = options.days;
        int persons = options.persons == null ? config.generator().persons() : options.persons;
        long started = System.nanoTime();

        for (String folder : List.of(config.paths().warehouse(), config.paths().landing(),
                config.paths().groundTruth(), config.paths().checkpoints())) {
            LocalFolders.wipe(folder);
        }
        boolean interpreted = persons <= INTERPRETED_UP_TO_PERSONS;
        if (interpreted) {
            SparkSessions.interpretedQueries(config.spark()).forEach(context.spark().conf()::set);
            if (!config.spark().settings().containsKey(DeltaWrites.REWRITE_MAX_BYTES_SETTING)) {
                context.spark().conf().set(DeltaWrites.REWRITE_MAX_BYTES_SETTING, DeltaWrites.SMALL_TABLE_BYTES);
            }
        }
        System.out.printf("== demo: %d persons, %d days ending %s%s%n", persons, days, last, interpreted
                ? "; queries interpreted, small tables rewritten (small data: spark.interpret_queries, "
                        + DeltaWrites.REWRITE_MAX_BYTES_SETTING + ")" : "");
        int generated = GenerateJob.run(List.of("--date", last.toString(), "--days", Integer.toString(days),
                "--persons", Integer.toString(persons)), config, context.spark());
        if (generated != 0) {
            return generated;
        }

        Warehouse wh = context.warehouse();
        for (LocalDate day = last.minusDays(days - 1); !day.isAfter(last); day = day.plusDays(1)) {
            runNight(wh, config, day);
        }
        System.out.println(summary(wh, last));
        System.out.println(modelComparison(wh));
        System.out.println(com.partnermix.marts.MartsSummary.of(wh, config.marts().payoutModel()));
        System.out.println(fraudSummary(wh));
        System.out.printf("== demo finished in %.0f s; warehouse: %s%n", (System.nanoTime() - started) / 1e9,
                config.paths().warehouse());
        // The two ways to look at the result (docs/operations.md: BI access, Notebooks).
        System.out.println("   notebooks as HTML: bin/notebooks " + config.paths().warehouse()
                + "   (var/notebooks-html; bin/partnermix demo --notebooks does both)");
        System.out.println("   SQL for BI tools:  bin/partnermix serve   (jdbc:hive2://" + config.serve().host() + ":"
                + config.serve().port() + "/gold: the published night)");
        return 0;
    }

    /** Every stage of one night in this JVM, a line per stage; the night holds its run lock once, as a job does. */
    private static void runNight(Warehouse wh, PartnermixConfig config, LocalDate day) {
        try (RunLock lock = RunLock.acquire(config, day, "demo")) {
            for (Stage stage : NightlyPipeline.stages()) {
                long t0 = System.nanoTime();
                Stage.Result result = stage.run(wh, config, day);
                String detail = List.of("journeys", "attribute", "fraud", "mmm").contains(stage.name())
                        ? "  " + result.summary().replaceFirst("^\\S+ \\S+: ", "") : "";
                System.out.printf("   %s %-10s %,10d rows in  %,10d rows out  %5.1f s%s%n", day, stage.name(),
                        result.rowsIn(), result.rowsOut(), (System.nanoTime() - t0) / 1e9, detail);
            }
        }
    }

    static String summary(Warehouse wh, LocalDate last) {
        StringBuilder out = new StringBuilder("\n== tables\n");
        for (Table table : allTables()) {
            if (wh.exists(table)) {
                out.append(String.format("   %-28s %,12d rows%n", table, wh.read(table).count()));
            }
        }
        Table runs = com.partnermix.common.Tables.BRONZE_INGEST_RUNS;
        out.append("\n== ingest balance over all deliveries (landing = accepted + quarantined + duplicates)\n");
        for (Row r : wh.read(runs).groupBy("feed").agg(sum("landing_lines"), sum("accepted"), sum("quarantined"),
                sum("duplicates")).orderBy("feed").collectAsList()) {
            long landing = r.getLong(1);
            long accounted = r.getLong(2) + r.getLong(3) + r.getLong(4);
            out.append(String.format("   %-12s landing %,10d = accepted %,10d + quarantined %,6d + duplicates %,6d  %s%n",
                    r.getString(0), landing, r.getLong(2), r.getLong(3), r.getLong(4), landing == accounted ? "ok" : "MISMATCH"));
        }
        out.append("\n== quarantine reasons\n");
        for (Row r : wh.read(com.partnermix.common.Tables.BRONZE_QUARANTINE).groupBy("feed", "reason").count()
                .orderBy(desc("count"), col("feed"), col("reason")).collectAsList()) {
            out.append(String.format("   %-12s %-32s %,8d%n", r.getString(0), r.getString(1), r.getLong(2)));
        }
        Table dq = com.partnermix.common.Tables.DQ_CHECK_RESULTS;
        if (wh.exists(dq)) {
            out.append("\n== data-quality checks of the last night (").append(last).append(")\n");
            for (Row r : wh.read(dq).where(col("run_date").equalTo(java.sql.Date.valueOf(last)))
                    .groupBy("layer", "status").count().orderBy("layer", "status").collectAsList()) {
                out.append(String.format("   %-8s %-8s %,6d%n", r.getString(0), r.getString(1), r.getLong(2)));
            }
            for (Row r : wh.read(dq).where(col("run_date").equalTo(java.sql.Date.valueOf(last))
                    .and(col("status").notEqual("passed")).and(col("status").notEqual("skipped")))
                    .orderBy("table_name", "check_name").collectAsList()) {
                out.append(String.format("   %s %s %s: %s%n", r.getAs("status"), r.getAs("table_name"), r.getAs("check_name"),
                        r.getAs("message")));
            }
            for (Row r : wh.read(dq).where(col("run_date").equalTo(java.sql.Date.valueOf(last))
                    .and(col("status").equalTo("skipped"))).groupBy("table_name").count().orderBy("table_name")
                    .collectAsList()) {
                out.append(String.format("   skipped %s: %d checks (optional table not written yet: too little data "
                        + "to fit, or no month closed)%n", r.getString(0), r.getLong(1)));
            }
        }
        Table publications = com.partnermix.common.Tables.DQ_PUBLICATIONS;
        if (wh.exists(publications)) {
            Row current = com.partnermix.publish.Publications.currentRows(wh).groupBy("run_date", "published_at").count()
                    .first();
            out.append(String.format("%n== published for BI and notebooks: night %s, %d tables pinned at %s "
                    + "(dq.publications)%n", current.get(0), current.getLong(2), current.get(1)));
        }
        return out.toString();
    }

    static List<Table> allTables() {
        List<Table> tables = new ArrayList<>(com.partnermix.common.Tables.BRONZE);
        tables.addAll(com.partnermix.common.Tables.SILVER);
        tables.addAll(com.partnermix.common.Tables.GOLD);
        tables.add(com.partnermix.common.Tables.DQ_CHECK_RESULTS);
        tables.add(com.partnermix.common.Tables.DQ_PUBLICATIONS);
        return tables;
    }

    /** Flags per rule with the commission at risk, and the top of the review queue. */
    static String fraudSummary(Warehouse wh) {
        Table flags = com.partnermix.common.Tables.GOLD_FRAUD_FLAGS;
        Table queue = com.partnermix.common.Tables.GOLD_FRAUD_REVIEW_QUEUE;
        if (!wh.exists(flags) || !wh.exists(queue)) {
            return "";
        }
        StringBuilder out = new StringBuilder("\n== fraud flags (gold.fraud_flags)\n");
        for (Row r : wh.read(flags).groupBy("rule_code", "proposed_action").agg(org.apache.spark.sql.functions.count("*"),
                sum("commission_at_risk_usd")).orderBy("rule_code").collectAsList()) {
            out.append(String.format("   %-22s %-9s %,7d flags  %,10.2f USD at risk%n", r.getString(0), r.getString(1),
                    r.getLong(2), r.isNullAt(3) ? 0.0 : r.getDecimal(3).doubleValue()));
        }
        out.append("\n== top of the review queue (gold.fraud_review_queue)\n");
        for (Row r : wh.read(queue).where(col("is_current")).orderBy("review_rank").limit(5).collectAsList()) {
            out.append(String.format("   #%d %-22s %-8s %-8s %8.2f USD  %s%n", r.<Integer>getAs("review_rank"),
                    r.getAs("queue_id"), r.getAs("max_severity"), r.getAs("proposed_action"),
                    r.isNullAt(r.fieldIndex("commission_at_risk_usd")) ? 0.0
                            : r.<java.math.BigDecimal>getAs("commission_at_risk_usd").doubleValue(),
                    String.join(", ", r.<String>getList(r.fieldIndex("rule_codes")))));
        }
        return out.toString();
    }

    /** Credited GMV per partner type (non-partner channels as themselves) under a few models, side by side. */
    static String modelComparison(Warehouse wh) {
        Table credit = com.partnermix.common.Tables.GOLD_ATTRIBUTION_CREDIT;
        if (!wh.exists(credit)) {
            return "";
        }
        List<String> models = List.of("last_click", "position_based", "markov", "shapley");
        List<Row> rows = wh.read(credit)
                .withColumn("type", org.apache.spark.sql.functions.coalesce(col("partner_type"), col("channel"),
                        org.apache.spark.sql.functions.lit("(unattributed)")))
                .where(col("model").isin(models.toArray()))
                .groupBy("type").pivot("model", new ArrayList<>(models)).agg(sum("credited_revenue_usd"))
                .orderBy(desc("last_click")).collectAsList();
        StringBuilder out = new StringBuilder("\n== credited GMV (USD) by partner type / channel under four models\n");
        out.append(String.format("   %-20s", "type"));
        models.forEach(m -> out.append(String.format(" %15s", m)));
        out.append(String.format(" %12s%n", "markov/last"));
        for (Row r : rows) {
            out.append(String.format("   %-20s", r.getString(0)));
            for (int i = 1; i <= models.size(); i++) {
                out.append(String.format(" %,15.0f", r.isNullAt(i) ? 0.0 : r.getDecimal(i).doubleValue()));
            }
            double last = r.isNullAt(1) ? 0.0 : r.getDecimal(1).doubleValue();
            double markov = r.isNullAt(3) ? 0.0 : r.getDecimal(3).doubleValue();
            out.append(last > 0 ? String.format(" %12.2f%n", markov / last) : String.format(" %12s%n", "-"));
        }
        return out.toString();
    }
}
