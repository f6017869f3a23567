package com.partnermix.common;

import org.apache.spark.sql.Column;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map;

/** Settings maps from conf/ (partner type -> stage, country -> region, ...) as column lookups. */
public final class Lookups {

    private Lookups() {}

    /** The value for the key, or null when the key is absent, null, or the map empty. */
    public static Column lookup(Map<String, ?> values, Column key) {
        if (values.isEmpty()) {
            return lit(null);
        }
        List<Column> pairs = new ArrayList<>();
        new TreeMap<>(values).forEach((k, v) -> {
            pairs.add(lit(k));
            pairs.add(lit(v));
        });
        return element_at(map(pairs.toArray(Column[]::new)), coalesce(key, lit("")));
    }
}
