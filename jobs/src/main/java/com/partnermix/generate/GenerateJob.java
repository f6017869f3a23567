package com.partnermix.generate;

import com.partnermix.cli.Job;
import com.partnermix.cli.JobContext;

/** Sample-data generator: replaced by the full implementation on the generator branch. */
public final class GenerateJob implements Job {
    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "write a deterministic sample landing zone (contract format) and its ground truth";
    }

    @Override
    public int run(JobContext context) {
        System.err.println("generate: the generator is being built on its own branch");
        return 1;
    }
}
