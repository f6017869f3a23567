package com.partnermix.cli;

import com.partnermix.attribution.AttributionJob;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.RunLock;
import com.partnermix.common.RunStoppedException;
import com.partnermix.dq.DqJob;
import com.partnermix.ingest.IngestJob;
import com.partnermix.job.Args;
import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.journeys.JourneysJob;
import com.partnermix.mmm.MmmJob;
import com.partnermix.pipeline.ValidatedConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The launcher of the cluster jar: {@code partnermix <subcommand> --date D --conf FILE [--set key=value]...} (parsed
 * by {@link Args}). The development jar's launcher ({@code com.partnermix.tools.Main}) adds generate, demo, bench and
 * doctor to these subcommands.
 */
public final class Main {

    /** The production subcommands: the stages, their checks, operations and the BI endpoint. */
    public static final List<Job> JOBS = List.of(
            new IngestJob(),
            new JourneysJob(),
            new AttributionJob(),
            new com.partnermix.fraud.FraudJob(),
            new com.partnermix.fraud.ReviewJob(),
            new MmmJob(),
            new com.partnermix.marts.MartsJob(),
            new com.partnermix.marts.CommissionCloseJob(),
            new com.partnermix.maintain.MaintainJob(),
            new DqJob(),
            new com.partnermix.publish.PublishJob(),
            new com.partnermix.verify.VerifyJob(),
            new com.partnermix.serve.ServeJob());

    /**
     * The subcommands that write a run date's slices: each takes the run lock of its warehouse and date
     * ({@link RunLock}), so a second run of the same date (a retry beside the run that timed out, a manual run
     * beside the DAG) stops at once, exit 1, instead of storing new keys twice.
     */
    static final Set<String> DATED_WRITERS = Set.of("ingest", "journeys", "attribute", "fraud", "mmm", "marts", "dq",
            "publish", "commission-close");

    private Main() {}

    public static void main(String[] argv) {
        int code = execute(argv);
        System.exit(code);
    }

    public static Map<String, Job> jobs() {
        return byName(JOBS);
    }

    public static Map<String, Job> byName(List<Job> jobs) {
        Map<String, Job> byName = new LinkedHashMap<>();
        jobs.forEach(job -> byName.put(job.name(), job));
        return byName;
    }

    /** Runs one production subcommand in this JVM and returns its exit code. */
    public static int execute(String[] argv) {
        return execute(JOBS, argv);
    }

    /** Runs one of {@code jobs} in this JVM and returns its exit code. */
    public static int execute(List<Job> jobs, String[] argv) {
        Args args;
        Job job;
        PartnermixConfig config;
        try {
            args = Args.parse(jobs, argv);
            if (args.help() != null) {
                System.out.print(args.help());   // before any job runs: `bench --help` must not start a benchmark
                return 0;
            }
            job = byName(jobs).get(args.command());
            config = ValidatedConfig.load(confPath(args), args.overrides());
        } catch (Args.UsageException e) {
            System.err.println(e.getMessage());
            if (e.usage() != null) {
                System.err.print(e.usage());
            }
            return 2;
        } catch (IllegalArgumentException e) {
            System.err.println("partnermix: " + e.getMessage());
            return 2;
        }
        RunLock lock = null;
        try {
            lock = takeRunLock(job, args, config);
            try (JobContext context = new JobContext(args, config)) {
                return job.run(context);
            }
        } catch (Args.UsageException e) {
            System.err.println("partnermix " + job.name() + ": " + e.getMessage());
            return 2;
        } catch (RunStoppedException e) {
            System.err.println("partnermix " + job.name() + " STOPPED: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            System.err.println("partnermix " + job.name() + " FAILED: " + e);
            e.printStackTrace();
            return 1;
        } finally {
            if (lock != null) {
                lock.release();
            }
        }
    }

    /** The run lock of the job's date, before the job reads anything; null for jobs that write no date's slices. */
    static RunLock takeRunLock(Job job, Args args, PartnermixConfig config) {
        if (!DATED_WRITERS.contains(job.name()) || args.date() == null || args.given("--evaluate").isPresent()) {
            return null;   // no date: the job refuses by itself; fraud --evaluate only reads
        }
        RunLock lock = RunLock.acquire(config, args.date(), job.name());
        if (lock.tookOver() != null) {
            System.err.println("partnermix " + job.name() + ": run lock of " + args.date() + " " + lock.tookOver());
        }
        return lock;
    }

    static Path confPath(Args args) {
        if (args.conf() != null) {
            // A cluster driver reads its configuration from the cluster's storage (s3a://, hdfs://, ...).
            Path path = com.partnermix.common.RemoteFiles.local(args.conf());
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("configuration file " + path + " does not exist");
            }
            return path;
        }
        String home = System.getenv().getOrDefault("PARTNERMIX_HOME", ".");
        return Path.of(home, "conf", "local.yaml");
    }
}
