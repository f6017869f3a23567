package com.partnermix.publish;

import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.RunStoppedException;
import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.max;

/**
 * {@code publish --date D}: the last step of the night (write, check, then publish). It makes the
 * night visible to readers by pinning, in {@code dq.publications}, the Delta versions of the gold
 * tables that the gold data-quality gate of D read and passed: readers get exactly what was checked,
 * even when something wrote a table after the gate (a rerun under way, the monthly close). It refuses,
 * publishing nothing, when that gate has not run for D or failed. Until it succeeds, readers keep the
 * previous publication: a night that fails or is killed half way changes nothing they see.
 */
public final class PublishJob implements Job {

    @Override
    public String name() {
        return "publish";
    }

    @Override
    public String summary() {
        return "makes night --date visible: pins the gold versions its gold gate passed in dq.publications";
    }

    @Override
    public int run(JobContext context) {
        System.out.println(publish(context.warehouse(), context.date()).format());
        return 0;
    }

    /** One published table. */
    public record Pinned(Table table, long version, long rows) {}

    public record Report(LocalDate date, Instant publishedAt, List<Pinned> tables, List<String> notes) {
        public String format() {
            StringBuilder out = new StringBuilder(String.format("publish %s: %d tables published at %s%n", date,
                    tables.size(), publishedAt));
            for (Pinned p : tables) {
                out.append(String.format("  %-32s version %6d  %,14d rows%n", p.table(), p.version(), p.rows()));
            }
            notes.forEach(n -> out.append("  note: ").append(n).append(System.lineSeparator()));
            return out.toString();
        }
    }

    public static Report publish(Warehouse wh, LocalDate date) {
        Map<Table, Long> checked = checkedVersions(wh, date);
        List<Pinned> pinned = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (Table table : Publications.publishedTables()) {
            if (!wh.exists(table)) {
                continue; // an optional stage that has not written yet (the gate skipped its checks)
            }
            long current = wh.version(table);
            // The gate's results are published as they are now; every gold table at the version the gate read.
            Long version = table.equals(Tables.DQ_CHECK_RESULTS) ? Long.valueOf(current) : checked.get(table);
            if (version == null) {
                notes.add(table + " was created after the gold gate of " + date + " ran: not published until a gate "
                        + "checks it");
                continue;
            }
            if (version != current) {
                // Written after the gate (a rerun under way, the monthly close): readers get what was checked.
                notes.add(table + ": version " + current + " is newer than the checked " + version
                        + "; it is published after the next gold gate");
            }
            pinned.add(new Pinned(table, version, wh.readAt(table, version).count()));
        }
        Instant now = Instant.now();
        Dataset<Row> rows = wh.spark().createDataFrame(pinned.stream().map(p -> RowFactory.create(Date.valueOf(date),
                Timestamp.from(now), p.table().qualifiedName(), p.version(), p.rows())).toList(), Publications.SCHEMA);
        DeltaWrites.replaceSlice(wh, Tables.DQ_PUBLICATIONS, rows, "run_date = '" + date + "'");
        return new Report(date, now, pinned, notes);
    }

    /**
     * The version of each gold table that the gold gate of {@code date} read, after making sure the gate
     * ran and passed (no failed Error-level check).
     */
    static Map<Table, Long> checkedVersions(Warehouse wh, LocalDate date) {
        Dataset<Row> gate = wh.exists(Tables.DQ_CHECK_RESULTS)
                ? wh.read(Tables.DQ_CHECK_RESULTS).where(col("run_date").equalTo(Date.valueOf(date))
                        .and(col("layer").equalTo("gold")))
                : null;
        if (gate == null || gate.isEmpty()) {
            throw new RunStoppedException("publish " + date + " stopped: the gold data-quality gate has not run for "
                    + date + " (run `dq --layer gold --date " + date + "` after the night's stages). Nothing was "
                    + "published; readers keep the previous night.");
        }
        List<String> blocking = gate.where(col("level").equalTo("error").and(col("status").equalTo("failed")))
                .orderBy("table_name", "check_name").collectAsList().stream()
                .map(r -> r.getAs("table_name") + " " + r.getAs("check_name") + ": " + r.getAs("message")).toList();
        if (!blocking.isEmpty()) {
            throw new RunStoppedException("publish " + date + " stopped: the gold gate of " + date + " failed:\n  "
                    + String.join("\n  ", blocking) + "\nNothing was published; readers keep the previous night.");
        }
        Map<Table, Long> versions = new HashMap<>();
        for (Row r : gate.where(col("table_version").isNotNull()).groupBy("table_name").agg(max("table_version"))
                .collectAsList()) {
            versions.put(Table.parse(r.getString(0)), r.getLong(1));
        }
        return versions;
    }
}
