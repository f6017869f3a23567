package com.partnermix.publish;

import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

import java.sql.Timestamp;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

/**
 * What BI users and notebooks see: {@code dq.publications} pins, per published night, the Delta
 * version of every gold table (and of {@code dq.check_results}) that the gold gate passed. The
 * current publication is the one published last (a backfilled older night that is republished
 * becomes current: its versions hold every later night's data too, since jobs replace slices).
 * Jobs keep writing the latest versions; a night that fails half way changes nothing readers see.
 */
public final class Publications {

    private Publications() {}

    public static final StructType SCHEMA = new StructType()
            .add("run_date", "date").add("published_at", "timestamp").add("table_name", "string")
            .add("delta_version", "long").add("row_count", "long");

    /** The tables a publication pins: every gold table and the data-quality results. */
    public static List<Table> publishedTables() {
        return Stream.concat(Tables.GOLD.stream(), Stream.of(Tables.DQ_CHECK_RESULTS)).toList();
    }

    /** The current publication: table -> pinned Delta version; empty when nothing was published yet. */
    public static Map<Table, Long> current(Warehouse wh) {
        Map<Table, Long> versions = new LinkedHashMap<>();
        Dataset<Row> rows = currentRows(wh);
        if (rows != null) {
            for (Row r : rows.orderBy("table_name").collectAsList()) {
                versions.put(Table.parse(r.getAs("table_name")), r.getAs("delta_version"));
            }
        }
        return versions;
    }

    /** The rows of the current publication (null when nothing was published yet). */
    public static Dataset<Row> currentRows(Warehouse wh) {
        if (!wh.exists(Tables.DQ_PUBLICATIONS)) {
            return null;
        }
        Dataset<Row> all = wh.read(Tables.DQ_PUBLICATIONS);
        Row last = all.agg(max("published_at")).head();
        if (last.isNullAt(0)) {
            return null;
        }
        Timestamp at = last.getTimestamp(0);
        return all.where(col("published_at").equalTo(at));
    }

    /** A table as readers see it: at its version in the current publication. */
    public static Dataset<Row> readPublished(Warehouse wh, Table table) {
        Long version = current(wh).get(table);
        if (version == null) {
            throw new IllegalStateException(table + " has not been published yet: run the nightly pipeline up to "
                    + "`publish --date D`");
        }
        return wh.readAt(table, version);
    }
}
