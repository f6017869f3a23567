package com.partnermix.testing;

import com.partnermix.cli.Main;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** The launcher run in the test JVM, its standard output and error captured instead of printed. */
public final class Launcher {

    /** What one launcher run returned and printed. */
    public record Output(int code, String out, String err) {}

    private Launcher() {}

    /** Runs the production launcher (the cluster jar's subcommands). */
    public static Output run(String... argv) {
        return run(Main.JOBS, argv);
    }

    /** Runs the launcher with these subcommands. */
    public static Output run(java.util.List<com.partnermix.job.Job> jobs, String... argv) {
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int code = Main.execute(jobs, argv);
            return new Output(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
        }
    }
}
