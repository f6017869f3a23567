package com.partnermix.job;

/** One subcommand of the launcher. A job is thin: it reads, calls pure transforms, writes and reports. */
public interface Job {

    String name();

    /** One line for the usage text. */
    String summary();

    /**
     * A new object whose picocli {@code @Option} fields (each with a description, for {@code --help}) receive this
     * job's own options; the job reads it back with {@link JobContext#options(Class)}. Null: the job takes only the
     * options every subcommand takes ({@link Args.Common}).
     */
    default Object options() {
        return null;
    }

    /** @return the process exit code (0 success, 1 a run that could not proceed) */
    int run(JobContext context) throws Exception;
}
