package com.partnermix.serve;

import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

/**
 * The current publication: the rows of {@code dq.publications} with the greatest {@code published_at}
 * (one per table: its pinned Delta version). {@code publish} writes them only after the gold gate passed.
 *
 * @param runDate  the night that was published
 * @param versions {@code gold.partner_daily} -> pinned Delta version
 */
public record Publication(LocalDate runDate, Map<Table, Long> versions) {

    /** Only gold and dq tables are served, whatever else a publication row might name. */
    private static final java.util.Set<String> SERVED_SCHEMAS = java.util.Set.of("gold", "dq");

    /** @return null when nothing was published yet */
    public static Publication current(Warehouse wh) {
        if (!wh.exists(Tables.DQ_PUBLICATIONS)) {
            return null;
        }
        Dataset<Row> all = wh.read(Tables.DQ_PUBLICATIONS);
        Row latest = all.agg(max("published_at")).first();
        if (latest.isNullAt(0)) {
            return null;
        }
        Map<Table, Long> versions = new LinkedHashMap<>();
        LocalDate runDate = null;
        for (Row row : all.where(col("published_at").equalTo(latest.getTimestamp(0)))
                .select("run_date", "table_name", "delta_version").orderBy("table_name").collectAsList()) {
            runDate = row.getDate(0).toLocalDate();
            String[] name = row.getString(1).split("\\.", 2);
            if (name.length == 2 && SERVED_SCHEMAS.contains(name[0])) {
                versions.put(new Table(name[0], name[1]), row.getLong(2));
            }
        }
        return new Publication(runDate, versions);
    }
}
