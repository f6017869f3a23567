package com.partnermix.job;

import com.partnermix.common.JobDescriptions;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.SparkSessions;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;

/** What a job gets: its arguments, the typed configuration, and a lazily started Spark session. */
public final class JobContext implements AutoCloseable {

    private final Args args;
    private final PartnermixConfig config;
    private SparkSession spark;
    /** The job description this context set on the thread, undone by {@link #close()}. */
    private com.partnermix.common.JobDescriptions.Scope described;

    public JobContext(Args args, PartnermixConfig config) {
        this.args = args;
        this.config = config;
    }

    /** For tests and for jobs that run other jobs in the same JVM (demo, bench). */
    public JobContext(Args args, PartnermixConfig config, SparkSession spark) {
        this(args, config);
        this.spark = spark;
    }

    public Args args() {
        return args;
    }

    /** The job's own options ({@link Job#options()}), filled from the command line. */
    public <T> T options(Class<T> type) {
        return args.options(type);
    }

    public LocalDate date() {
        return args.requireDate();
    }

    public PartnermixConfig config() {
        return config;
    }

    /**
     * The session; one this context starts names the jobs of this thread after the stage and date
     * ({@link JobDescriptions}). A session handed in (demo, bench, tests) keeps what its owner set.
     */
    public SparkSession spark() {
        if (spark == null) {
            spark = SparkSessions.create(config);
            described = JobDescriptions.describe(spark, stageName(), args.date());
        }
        return spark;
    }

    /** The stage this subcommand runs, as the nightly pipeline and the DAG name it ({@code dq --layer gold}: dq_gold). */
    public String stageName() {
        return args.command().equals("dq") ? "dq_" + args.given("--layer").orElse("") : args.command();
    }

    /**
     * Gives the thread its previous job description back: a session shared in one JVM (tests calling the launcher)
     * must not name later jobs after this one.
     */
    @Override
    public void close() {
        if (described != null) {
            described.close();
            described = null;
        }
    }

    public Warehouse warehouse() {
        return new Warehouse(spark(), config.paths().warehouse());
    }
}
