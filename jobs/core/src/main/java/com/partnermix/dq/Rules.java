package com.partnermix.dq;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The rules a check file may use and the keys each one needs. */
public final class Rules {

    private Rules() {}

    /** rule -> required keys. */
    static final Map<String, List<String>> REQUIRED = Map.of(
            "complete", List.of("column"),
            "unique", List.of("columns"),
            "contained_in", List.of("column", "values"),
            "non_negative", List.of("column"),
            "satisfies", List.of("predicate"),
            "min_rows", List.of("min"),
            "references", List.of("column", "ref_table", "ref_column"),
            "anomaly", List.of("metric"),
            "group_sum", List.of("column", "group_by", "expected"));

    /** Optional keys per rule, besides the common ones. */
    static final Map<String, Set<String>> OPTIONAL = Map.of(
            "satisfies", Set.of("min_fraction"),
            "anomaly", Set.of("min_ratio", "max_ratio", "min_history"),
            "group_sum", Set.of("tolerance"));

    static final Set<String> COMMON = Set.of("name", "rule", "level", "why", "scope", "where");
}
