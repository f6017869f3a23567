package com.partnermix.dq;

import java.util.List;

/**
 * The checks of one table. {@code runSlice} is a SQL predicate with {@code {date}} for the run
 * date that selects this night's rows (e.g. {@code delivery_date = '{date}'}). {@code optional}: the
 * table may legitimately not exist yet (a stage that refuses to write with too little data, like the
 * media mix model): its checks are then skipped instead of stopping the gate.
 */
public record CheckFile(String path, String table, String runSlice, List<CheckSpec> checks, boolean optional) {

    public CheckFile(String path, String table, String runSlice, List<CheckSpec> checks) {
        this(path, table, runSlice, checks, false);
    }

    public String layer() {
        return table.substring(0, table.indexOf('.'));
    }

    public String runSliceFor(java.time.LocalDate date) {
        return runSlice == null ? null : runSlice.replace("{date}", date.toString());
    }
}
