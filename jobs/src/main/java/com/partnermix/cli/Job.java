package com.partnermix.cli;

/** One subcommand of the launcher. A job is thin: it reads, calls pure transforms, writes and reports. */
public interface Job {

    String name();

    /** One line for the usage text. */
    String summary();

    /** @return the process exit code (0 success, 1 a run that could not proceed) */
    int run(JobContext context) throws Exception;
}
