package com.partnermix.dq;

import java.util.List;

/**
 * The checks of one table. {@code runSlice} is a SQL predicate with {@code {date}} for the run
 * date that selects this night's rows (e.g. {@code delivery_date = '{date}'}).
 */
public record CheckFile(String path, String table, String runSlice, List<CheckSpec> checks) {

    public String layer() {
        return table.substring(0, table.indexOf('.'));
    }

    public String runSliceFor(java.time.LocalDate date) {
        return runSlice == null ? null : runSlice.replace("{date}", date.toString());
    }
}
