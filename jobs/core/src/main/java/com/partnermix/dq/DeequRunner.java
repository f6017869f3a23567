package com.partnermix.dq;

import com.amazon.deequ.AnomalyCheckConfig;
import com.amazon.deequ.VerificationResult;
import com.amazon.deequ.VerificationSuite;
import com.amazon.deequ.analyzers.Analyzer;
import com.amazon.deequ.analyzers.Maximum;
import com.amazon.deequ.analyzers.Size;
import com.amazon.deequ.analyzers.Sum;
import com.amazon.deequ.anomalydetection.RelativeRateOfChangeStrategy;
import com.amazon.deequ.checks.Check;
import com.amazon.deequ.checks.CheckLevel;
import com.amazon.deequ.checks.CheckResult;
import com.amazon.deequ.constraints.ConstraintResult;
import com.amazon.deequ.constraints.ConstraintStatus;
import com.amazon.deequ.metrics.Metric;
import com.amazon.deequ.repository.MetricsRepository;
import com.amazon.deequ.repository.ResultKey;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import scala.Function1;
import scala.Option;
import scala.collection.JavaConverters;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one place that speaks Deequ's Scala API from Java: turns {@link CheckSpec}s into
 * Deequ {@link Check}s, runs them in one pass over a Dataset, and reads the results back as
 * {@link CheckOutcome}s; anomaly checks keep their metric per (table, check, run date) in the repository.
 */
final class DeequRunner {

    private final MetricsRepository repository;

    DeequRunner(MetricsRepository repository) {
        this.repository = repository;
    }

    /**
     * Constraint checks (every rule but anomaly) over one Dataset, in a single Deequ pass. Their metrics are not
     * saved in the repository: dq.check_results keeps each measured value, and the repository is one file that
     * Deequ reads and rewrites whole at every save, so a save per check grew each night's cost with the
     * warehouse's age.
     */
    List<CheckOutcome> verify(String table, Dataset<Row> data, List<CheckSpec> specs) {
        Map<Check, CheckSpec> checks = new LinkedHashMap<>();
        for (CheckSpec spec : specs) {
            checks.put(build(spec), spec);
        }
        VerificationResult result = new VerificationSuite().onData(data)
                .addChecks(JavaConverters.asScalaBuffer(new ArrayList<>(checks.keySet())).toSeq())
                .run();
        List<CheckOutcome> outcomes = new ArrayList<>();
        Map<Check, CheckResult> results = JavaConverters.mapAsJavaMap(result.checkResults());
        checks.forEach((check, spec) -> outcomes.add(outcome(table, spec, results.get(check))));
        return outcomes;
    }

    /**
     * An anomaly check of tonight's volume against earlier nights: Deequ's relative rate of
     * change against the previous night in the repository (only nights before the run date, so
     * reruns and backfills compare like the nightly run did). Until {@code min_history} nights
     * are stored the check is skipped rather than failed: a new table has nothing to compare with.
     * One at a time: tables are checked side by side, and each save reads and rewrites the repository file whole.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    synchronized CheckOutcome anomaly(String table, Dataset<Row> data, CheckSpec spec, LocalDate runDate) {
        Map<String, String> tags = Map.of("table", table, "check", spec.name());
        long runMillis = millis(runDate);
        int history = JavaConverters.seqAsJavaList(repository.load().withTagValues(scalaMap(tags))
                .before(runMillis - 1).get()).size();
        Analyzer analyzer = analyzer(spec.text("metric"));
        Option<Object> minRatio = Option.apply((Object) spec.number("min_ratio", 0.5));
        Option<Object> maxRatio = Option.apply((Object) spec.number("max_ratio", 3.0));
        AnomalyCheckConfig config = new AnomalyCheckConfig(level(spec), spec.name(), scalaMap(tags),
                Option.empty(), Option.apply((Object) (runMillis - 1)));
        VerificationResult result = new VerificationSuite().onData(data)
                .useRepository(repository)
                .saveOrAppendResult(new ResultKey(runMillis, scalaMap(tags)))
                .addAnomalyCheck(new RelativeRateOfChangeStrategy(minRatio, maxRatio, 1), analyzer, Option.apply(config))
                .run();
        CheckResult checkResult = JavaConverters.mapAsJavaMap(result.checkResults()).values().iterator().next();
        CheckOutcome outcome = outcome(table, spec, checkResult);
        int minHistory = (int) spec.number("min_history", 1);
        if (history < minHistory) {
            return new CheckOutcome(table, spec, CheckOutcome.Status.SKIPPED, outcome.measuredValue(),
                    "not enough history yet (" + history + " earlier night(s), needs " + minHistory + ")");
        }
        return outcome;
    }

    @SuppressWarnings("rawtypes")
    private static Analyzer analyzer(String metric) {
        if (metric.equals("row_count")) {
            return new Size(Option.empty());
        }
        if (metric.startsWith("sum:")) {
            return new Sum(metric.substring(4), Option.empty());
        }
        if (metric.startsWith("max:")) {
            return new Maximum(metric.substring(4), Option.empty(), Option.empty());
        }
        throw new IllegalArgumentException("anomaly metric must be row_count, sum:<column> or max:<column>, got " + metric);
    }

    private static Check build(CheckSpec spec) {
        Check check = new Check(level(spec), spec.name(), JavaConverters.asScalaBuffer(new ArrayList<com.amazon.deequ.constraints.Constraint>()).toSeq());
        return switch (spec.rule()) {
            case "complete" -> check.isComplete(spec.text("column"), Option.apply(spec.why()), Option.empty());
            case "unique" -> check.hasUniqueness(JavaConverters.asScalaBuffer(spec.list("columns")).toSeq(),
                    atLeast(1.0), Option.apply(spec.why()));
            case "contained_in" -> check.isContainedIn(spec.text("column"), spec.list("values").toArray(new String[0]),
                    atLeast(1.0), Option.apply(spec.why()));
            case "non_negative" -> check.isNonNegative(spec.text("column"), atLeast(1.0), Option.apply(spec.why()));
            // references are rewritten to a satisfies over a joined flag column by the caller
            // group sums are rewritten to one row per group with the sum by the caller
            case "satisfies", "references", "group_sum" -> check.satisfies(predicate(spec), spec.name(),
                    atLeast(spec.number("min_fraction", 1.0)), Option.apply(spec.why()),
                    JavaConverters.asScalaBuffer(new ArrayList<String>()).toList(), Option.empty());
            case "min_rows" -> check.hasSize(atLeastCount((long) spec.number("min", 1)), Option.apply(spec.why()));
            default -> throw new IllegalArgumentException("rule " + spec.rule() + " is not a constraint check");
        };
    }

    static String predicate(CheckSpec spec) {
        return switch (spec.rule()) {
            case "references" -> "`" + referenceFlag(spec) + "`";
            case "group_sum" -> "abs(`" + GROUP_SUM + "` - (" + spec.number("expected", 0) + ")) <= "
                    + spec.number("tolerance", 1e-9);
            default -> spec.text("predicate");
        };
    }

    /** The column holding each group's sum in the dataset of a group_sum check. */
    static final String GROUP_SUM = "__group_sum";

    static String referenceFlag(CheckSpec spec) {
        return "__resolves_" + spec.name();
    }

    private static CheckOutcome outcome(String table, CheckSpec spec, CheckResult result) {
        ConstraintResult constraint = JavaConverters.seqAsJavaList(result.constraintResults()).get(0);
        Double measured = null;
        if (constraint.metric().isDefined()) {
            Metric<?> metric = constraint.metric().get();
            if (metric.value().isSuccess() && metric.value().get() instanceof Number number) {
                measured = number.doubleValue();
            }
        }
        boolean passed = constraint.status() == ConstraintStatus.Success();
        String message = constraint.message().isDefined() ? constraint.message().get() : (passed ? "ok" : "failed");
        // A rule about rows holds for no rows: a quiet night without fraud flags must not fail the gate.
        // Deequ reports an empty input as a failed metric; only min_rows is about there being rows at all.
        if (!passed && !spec.rule().equals("min_rows") && emptyInput(constraint)) {
            return new CheckOutcome(table, spec, CheckOutcome.Status.PASSED, null, "no rows to check: holds vacuously");
        }
        return new CheckOutcome(table, spec, passed ? CheckOutcome.Status.PASSED : CheckOutcome.Status.FAILED, measured,
                message);
    }

    private static boolean emptyInput(ConstraintResult constraint) {
        if (!constraint.metric().isDefined() || !constraint.metric().get().value().isFailure()) {
            return false;
        }
        Throwable failure = constraint.metric().get().value().failed().get();
        return failure instanceof com.amazon.deequ.analyzers.runners.EmptyStateException
                || String.valueOf(failure.getMessage()).startsWith("Empty state for analyzer");
    }

    private static scala.Enumeration.Value level(CheckSpec spec) {
        return spec.level() == CheckSpec.Level.ERROR ? CheckLevel.Error() : CheckLevel.Warning();
    }

    private static Function1<Object, Object> atLeast(double threshold) {
        return value -> ((Number) value).doubleValue() >= threshold;
    }

    private static Function1<Object, Object> atLeastCount(long threshold) {
        return value -> ((Number) value).longValue() >= threshold;
    }

    private static long millis(LocalDate date) {
        return date.atStartOfDay().toInstant(ZoneOffset.UTC).toEpochMilli();
    }

    private static scala.collection.immutable.Map<String, String> scalaMap(Map<String, String> map) {
        scala.collection.immutable.Map<String, String> out = scala.collection.immutable.Map$.MODULE$.empty();
        for (Map.Entry<String, String> e : map.entrySet()) {
            out = out.$plus(new scala.Tuple2<>(e.getKey(), e.getValue()));
        }
        return out;
    }
}
