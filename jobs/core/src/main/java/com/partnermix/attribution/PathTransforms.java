package com.partnermix.attribution;

import org.apache.spark.sql.Column;

import static org.apache.spark.sql.functions.expr;

/**
 * How a journey's states become the path a data-driven model learns from (configurable):
 * {@code all} keeps every touch, {@code collapse_repeats} merges consecutive repeats (exposure:
 * three coupon clicks in a row are one coupon step), {@code first_occurrence} keeps each state
 * where it first appears, {@code unique_with_counts} is the sorted set with counts
 * ({@code coupon(3)}).
 */
public final class PathTransforms {

    public static final java.util.List<String> NAMES =
            java.util.List.of("all", "collapse_repeats", "first_occurrence", "unique_with_counts");

    private PathTransforms() {}

    /** @param path an array&lt;string&gt; column name */
    public static Column apply(String transform, String path) {
        return switch (transform) {
            case "all" -> expr(path);
            case "collapse_repeats" -> expr("filter(" + path + ", (x, i) -> i = 0 OR x <> element_at(" + path + ", i))");
            case "first_occurrence" -> expr("array_distinct(" + path + ")");
            case "unique_with_counts" -> expr("transform(array_sort(array_distinct(" + path + ")), "
                    + "x -> concat(x, '(', size(filter(" + path + ", y -> y = x)), ')'))");
            default -> throw new IllegalArgumentException("unknown path transform '" + transform + "'; use one of " + NAMES);
        };
    }
}
