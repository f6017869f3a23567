package com.partnermix.job;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * A parsed command line: {@code <subcommand> [--date YYYY-MM-DD] [--conf FILE] [--set key=value]... [its options]}.
 * picocli reads it: every subcommand takes the {@link Common} options and the options its job declares
 * ({@link Job#options()}). An unknown option, an extra argument, a value of the wrong type or an option given twice
 * is a {@link UsageException} (exit code 2), never silently ignored.
 */
public final class Args {

    private final String command;
    private final Common common;
    private final Object options;
    private final ParseResult parsed;
    private final String help;

    private Args(String command, Common common, Object options, ParseResult parsed, String help) {
        this.command = command;
        this.common = common;
        this.options = options;
        this.parsed = parsed;
        this.help = help;
    }

    /** The options every subcommand takes. */
    public static final class Common {
        @Option(names = "--date", paramLabel = "YYYY-MM-DD", converter = DateConverter.class,
                description = "the run date (jobs never assume today)")
        LocalDate date;

        @Option(names = "--conf", paramLabel = "FILE", description = {"the configuration file (local, s3a://, hdfs://)",
                "default: $PARTNERMIX_HOME/conf/local.yaml"})
        String conf;

        @Option(names = "--set", paramLabel = "KEY=VALUE", description = {"override one configuration key (repeatable)",
                "e.g. --set spark.shuffle_partitions=8"})
        List<String> overrides = new ArrayList<>();

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "print this help and run nothing")
        boolean help;
    }

    /** Parses a command line whose subcommands are {@code jobs} (the launcher's: {@code com.partnermix.cli.Main}). */
    public static Args parse(Collection<Job> jobs, String... argv) {
        CommandLine launcher = commandLine(jobs);
        if (argv.length == 0) {
            throw new UsageException("partnermix: no subcommand given", launcher.getUsageMessage());
        }
        ParseResult top;
        try {
            top = launcher.parseArgs(argv);
        } catch (ParameterException e) {
            CommandLine where = e.getCommandLine();
            String prefix = where == launcher ? "partnermix: " : "partnermix " + where.getCommandName() + ": ";
            throw new UsageException(prefix + message(e), where.getUsageMessage());
        }
        StringWriter helpText = new StringWriter();
        launcher.setOut(new PrintWriter(helpText, true));
        if (CommandLine.printHelpIfRequested(top)) {
            return new Args("help", new Common(), null, null, helpText.toString());
        }
        if (!top.hasSubcommand()) {
            throw new UsageException("partnermix: no subcommand given", launcher.getUsageMessage());
        }
        ParseResult sub = top.subcommand();
        CommandSpec spec = sub.commandSpec();
        Common common = (Common) spec.mixins().get("common").userObject();
        Object own = spec.mixins().containsKey("job") ? spec.mixins().get("job").userObject() : null;
        return new Args(spec.name(), common, own, sub, null);
    }

    /** The launcher's command: one subcommand per job, each with new option objects, and {@code help [SUBCOMMAND]}. */
    public static CommandLine commandLine(Collection<Job> jobs) {
        CommandSpec launcher = CommandSpec.create().name("partnermix");
        launcher.usageMessage()
                .customSynopsis("partnermix <subcommand> [--date YYYY-MM-DD] [--conf FILE] [--set KEY=VALUE]... "
                        + "[its options]")
                .description("The Partnermix batch jobs. Exit codes: 0 success, 1 a run that stopped (the message "
                        + "says why), 2 a usage or configuration error.")
                .commandListHeading("%nSubcommands:%n")
                .footer("", "`partnermix <subcommand> --help` lists the subcommand's options. --conf defaults to "
                        + "$PARTNERMIX_HOME/conf/local.yaml; --set overrides any key, e.g. --set spark.shuffle_partitions=8");
        launcher.addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("print this help").build());
        CommandLine line = new CommandLine(launcher);
        for (Job job : jobs) {
            CommandSpec spec = CommandSpec.create().name(job.name());
            spec.usageMessage().description(job.summary().replace("%", "%%"));   // picocli formats descriptions
            spec.addMixin("common", CommandSpec.forAnnotatedObject(new Common()));
            Object own = job.options();
            if (own != null) {
                spec.addMixin("job", CommandSpec.forAnnotatedObject(own));
            }
            line.addSubcommand(job.name(), new CommandLine(spec));
        }
        line.addSubcommand("help", new CommandLine.HelpCommand());
        // After the subcommands: these settings reach the commands present when they are made.
        line.registerConverter(Integer.class, Args::intNumber);
        line.registerConverter(Integer.TYPE, Args::intNumber);
        line.registerConverter(Long.class, Args::wholeNumber);
        line.registerConverter(Long.TYPE, Args::wholeNumber);
        line.setExpandAtFiles(false);   // an argument starting with @ is a value (a note), never a file to read
        line.setColorScheme(CommandLine.Help.defaultColorScheme(CommandLine.Help.Ansi.OFF));
        line.setUsageHelpWidth(100);
        line.setUsageHelpLongOptionsMaxWidth(32);
        return line;
    }

    /** picocli's message, with an unknown option, subcommand or stray argument said plainly (and the likely one). */
    private static String message(ParameterException e) {
        if (e instanceof UnmatchedArgumentException unmatched && !unmatched.getUnmatched().isEmpty()) {
            CommandSpec spec = e.getCommandLine().getCommandSpec();
            String first = unmatched.getUnmatched().get(0);
            if (unmatched.isUnknownOption()) {
                String name = first.contains("=") ? first.substring(0, first.indexOf('=')) : first;
                return "unknown option '" + name + "'" + suggestion(name, spec.optionsMap().keySet());
            }
            if (spec.parent() == null) {
                return "unknown subcommand '" + first + "'" + suggestion(first, spec.subcommands().keySet());
            }
            return "unexpected argument '" + first + "' (every value follows its option, e.g. --date 2026-11-20)";
        }
        return e.getMessage();
    }

    /** " (did you mean X?)" for the name nearest to a typo (at most two letters off), else "". */
    static String suggestion(String typo, Collection<String> names) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String name : names) {
            int d = distance(typo, name);
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.min(2, typo.length() / 3) ? " (did you mean " + best + "?)" : "";
    }

    /** Edits between two words (insert, delete, replace, swap two neighbours): optimal string alignment distance. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** A whole number; underscores may group the digits (10_000_000). */
    static long wholeNumber(String text) {
        try {
            return Long.parseLong(text.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + text + "' is not a whole number");
        }
    }

    static int intNumber(String text) {
        long value = wholeNumber(text);
        if (value != (int) value) {
            throw new TypeConversionException("'" + text + "' is out of range (" + Integer.MIN_VALUE + " .. "
                    + Integer.MAX_VALUE + ")");
        }
        return (int) value;
    }

    /** {@code --date}: an ISO date, nothing else (no today, no other format). */
    public static final class DateConverter implements CommandLine.ITypeConverter<LocalDate> {
        @Override
        public LocalDate convert(String text) {
            try {
                return LocalDate.parse(text);
            } catch (DateTimeParseException e) {
                throw new TypeConversionException("'" + text + "' is not a date YYYY-MM-DD");
            }
        }
    }

    /** The subcommand; "help" when help was asked for. */
    public String command() {
        return command;
    }

    /** {@code --date}, or null when not given. */
    public LocalDate date() {
        return common.date;
    }

    /** {@code --conf}, or null when not given. */
    public String conf() {
        return common.conf;
    }

    /** The {@code --set key=value} overrides in command-line order. */
    public List<String> overrides() {
        return List.copyOf(common.overrides);
    }

    /** The help text asked for ({@code --help}, {@code help [SUBCOMMAND]}), or null: then a job is to run. */
    public String help() {
        return help;
    }

    /** The job's own options: the object its {@link Job#options()} made, filled from the command line. */
    public <T> T options(Class<T> type) {
        return type.cast(options);
    }

    /**
     * The text given to an option of the job, e.g. {@code given("--layer")}: for the launcher, which knows no job's
     * options class.
     */
    public Optional<String> given(String option) {
        if (parsed == null || !parsed.hasMatchedOption(option)) {
            return Optional.empty();
        }
        List<String> values = parsed.matchedOption(option).stringValues();
        return Optional.of(values.isEmpty() ? "" : values.get(values.size() - 1));
    }

    public LocalDate requireDate() {
        if (date() == null) {
            throw new UsageException(command + " needs --date YYYY-MM-DD (the run date; jobs never assume today)");
        }
        return date();
    }

    /**
     * A mistake on the command line or in the configuration: exit code 2. From {@link #parse} the message is the
     * whole line to print ("partnermix ingest: unknown option ...") and the usage of the command follows it.
     */
    public static final class UsageException extends RuntimeException {
        private final String usage;

        public UsageException(String message) {
            this(message, null);
        }

        public UsageException(String message, String usage) {
            super(message);
            this.usage = usage;
        }

        /** The usage text to print after the message, or null. */
        public String usage() {
            return usage;
        }
    }
}
