package com.partnermix.dq;

import java.util.List;
import java.util.Map;

/**
 * One declarative check of a table, as written in a {@code data-quality/*.yaml} file.
 *
 * @param scope  {@code run}: the rows of the file's run slice (this night's data); {@code table}: every row
 * @param where  optional SQL filter applied before the check (e.g. only affiliate touches)
 * @param params the rule's own keys (column, columns, values, predicate, ...), validated by {@link Rules}
 * @param line   where the check starts in its file, for error messages
 */
public record CheckSpec(String name, String rule, Level level, String why, String scope, String where,
                        Map<String, Object> params, int line) {

    public enum Level { ERROR, WARNING }

    /** The check with {@code {date}} replaced by the run date in its filter and predicate. */
    public CheckSpec forDate(java.time.LocalDate date) {
        Map<String, Object> resolved = new java.util.LinkedHashMap<>();
        params.forEach((k, v) -> resolved.put(k, v instanceof String text ? text.replace("{date}", date.toString()) : v));
        return new CheckSpec(name, rule, level, why, scope, where == null ? null : where.replace("{date}", date.toString()),
                Map.copyOf(resolved), line);
    }

    public String text(String key) {
        Object value = params.get(key);
        return value == null ? null : value.toString();
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String key) {
        Object value = params.get(key);
        return value instanceof List<?> list ? (List<String>) list : List.of();
    }

    public double number(String key, double fallback) {
        Object value = params.get(key);
        return value == null ? fallback : Double.parseDouble(value.toString());
    }
}
