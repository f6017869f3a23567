package com.partnermix.maintain;

import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Timestamp;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.col;

/**
 * The table versions BI and notebooks may still read: those pinned by the current publication of
 * {@code dq.publications} (the greatest {@code published_at}) and by the {@code keep} publications before it.
 */
final class PublishedVersions {

    private PublishedVersions() {}

    static Map<Table, SortedSet<Long>> toKeep(Warehouse wh, int keep) {
        Map<Table, SortedSet<Long>> versions = new HashMap<>();
        if (!wh.exists(Tables.DQ_PUBLICATIONS)) {
            return versions;
        }
        Dataset<Row> publications = wh.read(Tables.DQ_PUBLICATIONS);
        List<Timestamp> latest = publications.select("published_at").distinct()
                .orderBy(col("published_at").desc()).limit(keep + 1)
                .collectAsList().stream().map(r -> r.getTimestamp(0)).toList();
        if (latest.isEmpty()) {
            return versions;
        }
        for (Row r : publications.where(col("published_at").isin(latest.toArray()))
                .select("table_name", "delta_version").distinct().collectAsList()) {
            versions.computeIfAbsent(Table.parse(r.getString(0)), t -> new TreeSet<>()).add(r.getLong(1));
        }
        return versions;
    }
}
