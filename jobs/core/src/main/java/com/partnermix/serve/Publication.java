package com.partnermix.serve;

import com.partnermix.common.Table;
import com.partnermix.common.Warehouse;
import com.partnermix.publish.Publications;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The current publication as {@code serve} exposes it: the night and the pinned Delta version of each table
 * ({@link Publications#currentRows}: the rows of {@code dq.publications} with the greatest published_at).
 *
 * @param runDate  the night that was published
 * @param versions {@code gold.partner_daily} -> pinned Delta version
 */
public record Publication(LocalDate runDate, Map<Table, Long> versions) {

    /** Only gold and dq tables are served, whatever else a publication row might name. */
    private static final Set<String> SERVED_SCHEMAS = Set.of("gold", "dq");

    /** @return null when nothing was published yet */
    public static Publication current(Warehouse wh) {
        Dataset<Row> rows = Publications.currentRows(wh);
        if (rows == null) {
            return null;
        }
        Map<Table, Long> versions = new LinkedHashMap<>();
        LocalDate runDate = null;
        for (Row row : rows.select("run_date", "table_name", "delta_version").orderBy("table_name").collectAsList()) {
            runDate = row.getDate(0).toLocalDate();
            Table table = Table.parse(row.getString(1));
            if (SERVED_SCHEMAS.contains(table.schema())) {
                versions.put(table, row.getLong(2));
            }
        }
        return new Publication(runDate, versions);
    }
}
