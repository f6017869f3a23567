package com.partnermix.attribution;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Trains the data-driven models: Spark reduces the journeys (converting and not) to what the
 * models need, a few thousand transition counts or coalitions at most, and the driver solves.
 */
public final class DataDrivenWeights {

    /** Joins the base states of a chain state in a string column; a control character no id contains. */
    static final String TUPLE_SEPARATOR = "\u001f";

    private DataDrivenWeights() {}

    /** The state a touch stands for at a granularity (non-partner channels are states of their own). */
    public static Column state(String granularity) {
        return switch (granularity) {
            case "channel" -> col("channel");
            case "partner_type" -> coalesce(col("partner_type"), col("channel"));
            case "partner" -> coalesce(col("partner_id"), col("channel"));
            default -> throw new IllegalArgumentException("unknown granularity '" + granularity
                    + "'; use channel, partner_type or partner");
        };
    }

    /**
     * One row per journey with touches: one column of states in time order per entry of {@code states} (column
     * name -> the state of a touch), {@code is_converted} and {@code revenue_usd} (exact decimals, so sums do not
     * depend on partitioning). Models trained at different granularities share this one group-by over the touches.
     */
    public static Dataset<Row> paths(Dataset<Row> journeys, Dataset<Row> touches, Map<String, Column> states) {
        List<Column> steps = new ArrayList<>(List.of(col("position")));
        List<Column> sequences = new ArrayList<>(List.of(col("journey_id")));
        int i = 0;
        for (Map.Entry<String, Column> e : states.entrySet()) {
            steps.add(e.getValue().as("s" + i));
            sequences.add(expr("transform(steps, s -> s.s" + i + ")").as(e.getKey()));
            i++;
        }
        Dataset<Row> perJourney = touches.groupBy("journey_id")
                .agg(sort_array(collect_list(struct(steps.toArray(Column[]::new)))).as("steps"))
                .select(sequences.toArray(Column[]::new));
        return perJourney.join(journeys.select("journey_id", "is_converted", "revenue_usd"),
                com.partnermix.common.ScalaSeqs.of("journey_id"));
    }

    /** Removal effects of an order-k chain over the paths, after the path transform. */
    public static MarkovRemoval.Result markov(Dataset<Row> paths, int order, String pathTransform) {
        if (order < 1 || order > 3) {
            throw new IllegalArgumentException("attribution.markov.order must be 1..3, got " + order);
        }
        // Transitions and exits both read the paths: build them (a group-by over the touches) once.
        Dataset<Row> transformed = paths.withColumn("path", PathTransforms.apply(pathTransform, "states"))
                .where(expr("size(path) > 0"))
                .persist(org.apache.spark.storage.StorageLevel.MEMORY_AND_DISK());
        String k = Integer.toString(order);
        Column tupleAt = expr("concat_ws('" + TUPLE_SEPARATOR + "', slice(path, greatest(1, pos - " + k + " + 2), "
                + "least(pos + 1, " + k + ")))");
        Column tupleBefore = expr("CASE WHEN pos = 0 THEN '' ELSE concat_ws('" + TUPLE_SEPARATOR + "', slice(path, "
                + "greatest(1, pos - " + k + " + 1), least(pos, " + k + "))) END");
        List<MarkovRemoval.TransitionCount> transitions = new ArrayList<>();
        transformed.select(col("path"), expr("posexplode(path) AS (pos, state)"))
                .select(tupleBefore.as("from_state"), tupleAt.as("to_state"))
                .groupBy("from_state", "to_state").agg(count("*").as("journeys"))
                .collectAsList()
                .forEach(r -> transitions.add(new MarkovRemoval.TransitionCount(tuple(r.getString(0)),
                        tuple(r.getString(1)), r.getLong(2))));
        List<MarkovRemoval.ExitCount> exits = new ArrayList<>();
        transformed.withColumn("pos", expr("size(path) - 1"))
                .select(tupleAt.as("last_state"), col("is_converted"), col("revenue_usd"))
                .groupBy("last_state").agg(
                        sum(when(col("is_converted"), 1L).otherwise(0L)).as("conversions"),
                        sum(when(col("is_converted"), 0L).otherwise(1L)).as("non_conversions"),
                        coalesce(sum(when(col("is_converted"), col("revenue_usd"))), lit(BigDecimal.ZERO)).as("revenue"))
                .collectAsList()
                .forEach(r -> exits.add(new MarkovRemoval.ExitCount(tuple(r.getString(0)), r.getLong(1), r.getLong(2),
                        r.getDecimal(3).doubleValue())));
        transformed.unpersist();
        return MarkovRemoval.compute(transitions, exits);
    }

    /**
     * The converting paths as {@link GlobalAllocation.Pattern}s: per journey the summed touch weight of each state
     * ({@code states} and {@code touch_weights} side by side, untransformed: credit goes to every touch), counted
     * over journeys. At most {@code limit} patterns, the most frequent first (a bounded collect; at channel or
     * partner-type granularity there are far fewer); the fit then covers the journeys they hold.
     */
    public static List<GlobalAllocation.Pattern> allocationPatterns(Dataset<Row> paths, int limit) {
        List<GlobalAllocation.Pattern> patterns = new ArrayList<>();
        // A path is one row per journey already: its pattern is an expression over the row, no shuffle. Rounded:
        // a sum of 0.3s must not split one pattern in two.
        Column pattern = expr("array_sort(transform(array_distinct(states), s -> named_struct('state', s, 'weight', "
                + "round(aggregate(filter(arrays_zip(states, touch_weights), t -> t.states = s), 0D, "
                + "(total, t) -> total + t.touch_weights), 6))))");
        paths.where(col("is_converted"))
                .groupBy(pattern.as("pattern")).agg(count("*").as("journeys"))
                .orderBy(col("journeys").desc(), col("pattern"))
                .limit(limit)
                .collectAsList()
                .forEach(r -> {
                    Map<String, Double> weights = new java.util.TreeMap<>();
                    r.<Row>getList(0).forEach(t -> weights.put(t.getString(0), t.getDouble(1)));
                    patterns.add(new GlobalAllocation.Pattern(weights, r.getLong(1)));
                });
        return patterns;
    }

    /** Shapley values of the players (distinct states) over the coalitions seen in the paths. */
    public static Map<String, Double> shapley(Dataset<Row> paths) {
        List<ShapleyValues.Coalition> coalitions = new ArrayList<>();
        paths.withColumn("players", expr("array_sort(array_distinct(states))"))
                .groupBy("players").agg(count("*").as("journeys"),
                        sum(when(col("is_converted"), 1L).otherwise(0L)).as("conversions"))
                .collectAsList()
                .forEach(r -> coalitions.add(new ShapleyValues.Coalition(new TreeSet<>(r.<String>getList(0)),
                        r.getLong(1), r.getLong(2))));
        return ShapleyValues.compute(coalitions);
    }

    private static List<String> tuple(String encoded) {
        return encoded.isEmpty() ? List.of() : List.copyOf(Arrays.asList(encoded.split(TUPLE_SEPARATOR, -1)));
    }
}
