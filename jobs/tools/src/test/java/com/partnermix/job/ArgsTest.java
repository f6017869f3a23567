package com.partnermix.job;

import com.partnermix.cli.Main;
import com.partnermix.testing.Launcher;
import com.partnermix.testing.Launcher.Output;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The command line of the development jar's launcher: the production subcommands and the tools. */
class ArgsTest {

    private static final Map<String, Job> LAUNCHER_JOBS = Main.byName(com.partnermix.tools.Main.JOBS);

    /** A job with one option of each kind, so that the parsing is checked apart from the real jobs' options. */
    static final class CopyJob implements Job {
        static final class Options {
            @Option(names = "--rows", paramLabel = "N", description = "rows copied")
            Long rows;

            @Option(names = "--ratio", paramLabel = "X", description = "share of the rows kept (default: 1)")
            double ratio = 1.0;

            @Option(names = "--out", paramLabel = "FILE", description = "the file written")
            Path out;

            @Option(names = "--dry-run", description = "write nothing")
            boolean dryRun;
        }

        @Override
        public String name() {
            return "copy";
        }

        @Override
        public String summary() {
            return "copy rows (a test job, 100% made up)";
        }

        @Override
        public Options options() {
            return new Options();
        }

        @Override
        public int run(JobContext context) {
            return 0;
        }
    }

    private static Args parse(String... argv) {
        return Args.parse(LAUNCHER_JOBS.values(), argv);
    }

    private static Output launch(String... argv) {
        return Launcher.run(com.partnermix.tools.Main.JOBS, argv);
    }

    private static Args copy(String... argv) {
        return Args.parse(List.<Job>of(new CopyJob()), argv);
    }

    private static Args.UsageException refused(String... argv) {
        return assertThrows(Args.UsageException.class, () -> parse(argv));
    }

    @Test
    void commonAndTypedJobOptionsAreParsed() {
        Args args = copy("copy", "--date", "2026-11-20", "--conf", "conf/local.yaml", "--set", "spark.shuffle_partitions=8",
                "--set=privacy.salt=a=b", "--rows=1_000", "--ratio", "0.25", "--out", "x/y.csv", "--dry-run");
        assertEquals("copy", args.command());
        assertEquals(LocalDate.of(2026, 11, 20), args.date());
        assertEquals("conf/local.yaml", args.conf());
        // --set=k=v keeps everything after the first '=' (the old parser dropped it); --set repeats.
        assertEquals(List.of("spark.shuffle_partitions=8", "privacy.salt=a=b"), args.overrides());
        CopyJob.Options o = args.options(CopyJob.Options.class);
        assertEquals(1000L, o.rows);
        assertEquals(0.25, o.ratio);
        assertEquals(Path.of("x", "y.csv"), o.out);
        assertTrue(o.dryRun);
        assertEquals("0.25", args.given("--ratio").orElseThrow());
        assertNull(args.help());
    }

    @Test
    void optionsNotGivenKeepTheirDefaults() {
        Args args = copy("copy");
        assertNull(args.date());
        assertNull(args.conf());
        assertEquals(List.of(), args.overrides());
        CopyJob.Options o = args.options(CopyJob.Options.class);
        assertNull(o.rows);
        assertEquals(1.0, o.ratio);
        assertNull(o.out);
        assertFalse(o.dryRun);
        assertTrue(args.given("--rows").isEmpty());
    }

    @Test
    void unknownOptionsAndTyposAreRefusedNamingTheLikelyOption() {
        Args.UsageException typo = refused("ingest", "--dtae", "2026-01-01");
        assertEquals("partnermix ingest: unknown option '--dtae' (did you mean --date?)", typo.getMessage());
        assertTrue(typo.usage().startsWith("Usage: partnermix ingest [-h] [--conf=FILE] [--date=YYYY-MM-DD] "),
                typo.usage());
        assertTrue(typo.usage().contains("[--from=YYYY-MM-DD]") && typo.usage().contains("[--to=YYYY-MM-DD]"),
                typo.usage());
        assertEquals("partnermix generate: unknown option '--persosn' (did you mean --persons?)",
                refused("generate", "--date", "2026-11-20", "--persosn", "5").getMessage());
        // Another job's option is unknown here too: --layer belongs to dq only.
        assertEquals("partnermix journeys: unknown option '--layer'",
                refused("journeys", "--date", "2026-11-20", "--layer", "gold").getMessage());
        // No abbreviations: --dat is not --date.
        assertEquals("partnermix ingest: unknown option '--dat' (did you mean --date?)",
                refused("ingest", "--dat", "2026-11-20").getMessage());
        assertEquals("partnermix ingest: unknown option '--dtae' (did you mean --date?)",
                refused("ingest", "--dtae=2026-11-20").getMessage());
    }

    @Test
    void strayArgumentsAndUnknownSubcommandsAreRefused() {
        assertEquals("partnermix ingest: unexpected argument '2026-11-20' (every value follows its option, e.g. "
                + "--date 2026-11-20)", refused("ingest", "2026-11-20").getMessage());
        assertEquals("partnermix ingest: unexpected argument 'extra' (every value follows its option, e.g. "
                + "--date 2026-11-20)", refused("ingest", "--date", "2026-11-20", "extra").getMessage());
        assertEquals("partnermix: unknown subcommand 'frobnicate'", refused("frobnicate").getMessage());
        assertEquals("partnermix: unknown subcommand 'ingst' (did you mean ingest?)", refused("ingst").getMessage());
        assertEquals("partnermix: no subcommand given", refused().getMessage());
        assertEquals("partnermix: unknown option '--date'", refused("--date", "2026-11-20", "ingest").getMessage());
        assertEquals("partnermix: unknown subcommand 'demo2' (did you mean demo?)", refused("demo2").getMessage());
    }

    @Test
    void badValuesSayWhatIsExpected() {
        assertEquals("partnermix ingest: Invalid value for option '--date': '20-11-2026' is not a date YYYY-MM-DD",
                refused("ingest", "--date", "20-11-2026").getMessage());
        assertEquals("partnermix ingest: Invalid value for option '--date': '2026-02-30' is not a date YYYY-MM-DD",
                refused("ingest", "--date", "2026-02-30").getMessage());
        assertEquals("partnermix ingest: Missing required parameter for option '--date' (YYYY-MM-DD)",
                refused("ingest", "--date").getMessage());
        assertEquals("partnermix generate: Invalid value for option '--persons': 'many' is not a whole number",
                refused("generate", "--date", "2026-11-20", "--persons", "many").getMessage());
        assertEquals("partnermix ingest: option '--date' (YYYY-MM-DD) should be specified only once",
                refused("ingest", "--date", "2026-11-20", "--date", "2026-11-21").getMessage());
        assertEquals("partnermix mmm: Invalid value for option '--refit': 'yes' is not a boolean",
                refused("mmm", "--refit=yes").getMessage());
    }

    @Test
    void suggestionsAreAtMostTwoEditsAway() {
        assertEquals(1, Args.distance("--dtae", "--date"));   // two neighbours swapped
        assertEquals(2, Args.distance("--dae", "--dates"));
        assertEquals(" (did you mean --date?)", Args.suggestion("--dtae", List.of("--conf", "--date", "--set")));
        assertEquals("", Args.suggestion("--frobnicate", List.of("--conf", "--date", "--set")));
        assertEquals(" (did you mean --xy?)", Args.suggestion("--x", List.of("--xy", "--ab")));
        assertEquals("", Args.suggestion("--ab", List.of("--cd")));   // a short word: two letters off is too far
    }

    @Test
    void jobsThatNeedADateSayHowToGiveIt() {
        Args args = parse("ingest");
        Args.UsageException e = assertThrows(Args.UsageException.class, args::requireDate);
        assertEquals("ingest needs --date YYYY-MM-DD (the run date; jobs never assume today)", e.getMessage());
    }

    @Test
    void theCommandLinesOfTheDagsAndTheReadmeStillParse() {
        // dags/partnermix_common.py: <stage args> --date D --conf FILE --set ...
        Args dq = parse("dq", "--layer", "bronze", "--date", "2026-11-20", "--conf", "/opt/partnermix/conf/local.yaml",
                "--set", "paths.landing=/opt/partnermix/var/landing", "--set", "privacy.allow_demo_salt=false");
        assertEquals("bronze", dq.given("--layer").orElseThrow());
        assertEquals(List.of("paths.landing=/opt/partnermix/var/landing", "privacy.allow_demo_salt=false"),
                dq.overrides());
        assertTrue(parse("mmm", "--refit", "--date", "2026-11-23").given("--refit").isPresent());
        Args review = parse("review", "--queue-id", "order:o-123", "--status", "dismissed", "--reviewer", "ana",
                "--note", "creator's own link");
        assertEquals("creator's own link", review.given("--note").orElseThrow());
        assertEquals("alice", parse("serve", "--add-user", "alice", "--set", "serve.auth=password")
                .given("--add-user").orElseThrow());
        for (String[] line : new String[][] {
                {"generate", "--date", "2026-11-20", "--days", "1", "--persons", "300", "--set", "paths.landing=/w/l"},
                {"verify", "--date", "2026-11-20", "--checksums"},
                {"review", "--list", "--limit", "5", "--all"},
                {"fraud", "--evaluate", "var/ground-truth/fraud_labels", "--evaluate-csv", "target/eval.csv"},
                {"bench", "--persons", "200000", "--days", "30", "--one-go", "--no-dq"},
                {"bench", "--persons", "20000", "--days", "30", "--one-go", "--stages", "ingest,journeys"},
                {"bench", "--attribute", "--attribute-orders", "250000,500000,1000000"},
                {"bench", "--solver-states", "1000"},
                {"bench", "--mmm", "--mmm-candidates", "50,100,200,400"},
                {"bench", "--marts", "--marts-touchpoints", "10000000", "--days", "30"},
                {"bench", "--reuse", "--seed", "3", "--holdout"},
                {"demo", "--days", "7", "--persons", "2000"},
                {"commission-close", "--date", "2026-12-01"}}) {
            assertNull(parse(line).help(), String.join(" ", line));
        }
    }

    @Test
    void helpOfASubcommandListsEveryOptionWithItsDescription() {
        String help = copy("copy", "--help").help();
        assertEquals("""
                Usage: partnermix copy [-h] [--dry-run] [--conf=FILE] [--date=YYYY-MM-DD] [--out=FILE] [--ratio=X]
                                       [--rows=N] [--set=KEY=VALUE]...
                copy rows (a test job, 100% made up)
                      --conf=FILE         the configuration file (local, s3a://, hdfs://)
                                          default: $PARTNERMIX_HOME/conf/local.yaml
                      --date=YYYY-MM-DD   the run date (jobs never assume today)
                      --dry-run           write nothing
                  -h, --help              print this help and run nothing
                      --out=FILE          the file written
                      --ratio=X           share of the rows kept (default: 1)
                      --rows=N            rows copied
                      --set=KEY=VALUE     override one configuration key (repeatable)
                                          e.g. --set spark.shuffle_partitions=8
                """, help);
        assertEquals(help, copy("help", "copy").help());
    }

    @Test
    void everyOptionOfEveryJobIsInItsHelpWithADescription() {
        var launcher = Args.commandLine(LAUNCHER_JOBS.values());
        for (Job job : LAUNCHER_JOBS.values()) {
            String help = parse(job.name(), "--help").help();
            assertTrue(help.startsWith("Usage: partnermix " + job.name() + " "), help);
            var spec = launcher.getSubcommands().get(job.name()).getCommandSpec();
            for (var option : spec.options()) {
                assertTrue(help.contains(option.longestName() + (option.arity().max() > 0 ? "=" : " ")),
                        job.name() + " --help lacks " + option.longestName());
                assertFalse(String.join("", option.description()).isBlank(), job.name() + " " + option.longestName());
            }
        }
        String dq = parse("dq", "--help").help();
        assertTrue(dq.contains("\n      --layer=LAYER       the layer checked: bronze, silver or gold\n"), dq);
        String review = parse("review", "--help").help();
        assertTrue(review.contains("the decision: one of open, escalated, confirmed, dismissed"), review);
    }

    @Test
    void launcherHelpListsEverySubcommandWithItsSummary() {
        String help = parse("--help").help();
        assertEquals(help, parse("help").help());
        assertTrue(help.startsWith("Usage: partnermix <subcommand> [--date YYYY-MM-DD] [--conf FILE] "
                + "[--set KEY=VALUE]... [its options]\n"), help);
        for (Job job : LAUNCHER_JOBS.values()) {
            String firstWords = job.summary().substring(0, 30);
            assertTrue(help.contains("\n  " + job.name() + " ".repeat(18 - job.name().length()) + firstWords),
                    job.name() + ": " + help);
        }
    }

    @Test
    void exitCodesOfTheLauncher() {
        assertEquals(2, launch(new String[] {"ingest", "--dtae", "2026-01-01"}).code());
        assertEquals(2, launch(new String[] {"ingest", "--date", "20-11-2026"}).code());
        assertEquals(2, launch(new String[] {"frobnicate"}).code());
        assertEquals(2, launch(new String[] {}).code());
        // Parsed, but the run date is missing: the job refuses before it reads anything.
        assertEquals(2, launch(new String[] {"ingest", "--set", "paths.landing=/nonexistent"}).code());
        assertEquals(2, launch(new String[] {"dq", "--layer", "platinum"}).code());
        assertEquals(0, launch(new String[] {"help"}).code());
        assertEquals(0, launch(new String[] {"--help"}).code());
    }

    @Test
    void aUsageErrorPrintsTheMessageThenTheSubcommandsUsage() {
        Output typo = launch(new String[] {"ingest", "--dtae", "2026-01-01"});
        assertEquals("", typo.out());
        assertTrue(typo.err().startsWith("partnermix ingest: unknown option '--dtae' (did you mean --date?)\n"
                + "Usage: partnermix ingest [-h] "), typo.err());
    }

    @Test
    void helpOfASubcommandRunsNothing() {
        // Without --date the journeys job would refuse to start (exit 2); --help answers before any job runs.
        Output journeys = launch(new String[] {"journeys", "--help"});
        assertEquals(0, journeys.code());
        assertTrue(journeys.out().startsWith("Usage: partnermix journeys "), journeys.out());
        assertEquals(0, launch(new String[] {"bench", "--help", "--persons", "200000"}).code());
    }

}
