package com.partnermix.tools;

import com.partnermix.bench.BenchJob;
import com.partnermix.demo.DemoJob;
import com.partnermix.demo.DoctorJob;
import com.partnermix.generate.GenerateJob;
import com.partnermix.job.Job;

import java.util.List;
import java.util.stream.Stream;

/**
 * The launcher of the development jar ({@code target/partnermix-all.jar}, {@code bin/partnermix}): the cluster jar's
 * subcommands ({@link com.partnermix.cli.Main#JOBS}) and the tools that make sample data, show and measure the
 * warehouse. None of these ship in the cluster jar.
 */
public final class Main {

    public static final List<Job> JOBS = Stream.of(List.<Job>of(new GenerateJob()), com.partnermix.cli.Main.JOBS,
            List.<Job>of(new DemoJob(), new BenchJob(), new DoctorJob())).flatMap(List::stream).toList();

    private Main() {}

    public static void main(String[] argv) {
        System.exit(execute(argv));
    }

    public static int execute(String[] argv) {
        return com.partnermix.cli.Main.execute(JOBS, argv);
    }
}
