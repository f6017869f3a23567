package com.partnermix.marts;

import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.RunStoppedException;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import java.sql.Date;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

/**
 * {@code commission-close --date D}: the monthly close. Every month whose statement has locked by D
 * ({@code marts.lock_days_after_month_end} after its last day; the nightly marts set the lock) and is not
 * closed yet is copied, partner by partner, into {@code gold.commission_closings} with the close date and the
 * statement's Delta version: the payable list finance pays from. A closed month is never closed again, so
 * reruns and backfills leave it as it was paid. It stops when the newest month that should have locked by D is
 * still open in the statement (the nightly run of D has not run marts yet).
 */
public final class CommissionCloseJob implements Job {

    @Override
    public String name() {
        return "commission-close";
    }

    @Override
    public String summary() {
        return "monthly close: the months locked by --date -> gold.commission_closings (the payable list)";
    }

    @Override
    public int run(JobContext context) {
        System.out.println(close(context.warehouse(), context.config().marts().lockDaysAfterMonthEnd(),
                context.date()).format());
        return 0;
    }

    /** One closed month. */
    public record Closed(LocalDate month, long partners, double gross, double withheld, double released,
                         double reversals, double netPayable, String currency) {}

    public record Report(LocalDate date, YearMonth newestLockable, long statementVersion, List<Closed> closed) {
        public String format() {
            if (closed.isEmpty()) {
                return String.format("commission-close %s: nothing to close (months up to %s are closed already or "
                        + "have no statement)", date, newestLockable);
            }
            return String.format("commission-close %s: closed %d month(s) from statement version %d%n", date,
                    closed.size(), statementVersion)
                    + closed.stream().map(c -> String.format("  %s  %,5d partners  gross %,14.2f  withheld %,12.2f  "
                                    + "released %,12.2f  reversals %,12.2f  net payable %,14.2f %s",
                            YearMonth.from(c.month()), c.partners(), c.gross(), c.withheld(), c.released(),
                            c.reversals(), c.netPayable(), c.currency()))
                    .collect(Collectors.joining(System.lineSeparator()));
        }
    }

    /** The newest month whose lock day ({@code lockDays} after its last day) is on or before {@code date}. */
    static YearMonth newestLockable(LocalDate date, int lockDays) {
        LocalDate lastDayCovered = date.minusDays(lockDays);
        YearMonth month = YearMonth.from(lastDayCovered);
        return lastDayCovered.equals(month.atEndOfMonth()) ? month : month.minusMonths(1);
    }

    public static Report close(Warehouse wh, int lockDays, LocalDate date) {
        YearMonth newest = newestLockable(date, lockDays);
        if (!wh.exists(Tables.GOLD_COMMISSION_STATEMENT)) {
            throw new RunStoppedException("commission-close " + date + " stopped: gold.commission_statement does not "
                    + "exist yet; the nightly marts write it");
        }
        long version = wh.version(Tables.GOLD_COMMISSION_STATEMENT);
        Dataset<Row> statement = wh.readAt(Tables.GOLD_COMMISSION_STATEMENT, version)
                .where(col("statement_month").leq(Date.valueOf(newest.atDay(1))));
        Dataset<Row> stillOpen = statement.where(col("statement_month").equalTo(Date.valueOf(newest.atDay(1)))
                .and(col("is_locked").equalTo(false)));
        if (!stillOpen.isEmpty()) {
            throw new RunStoppedException("commission-close " + date + " stopped: the statement of " + newest
                    + " should have locked on " + newest.atEndOfMonth().plusDays(lockDays) + " but is still open: "
                    + "run the nightly pipeline (marts) for " + date + " first. Nothing was closed.");
        }
        Dataset<Row> toClose = statement.where(col("is_locked"));
        if (wh.exists(Tables.GOLD_COMMISSION_CLOSINGS)) {
            toClose = toClose.join(wh.read(Tables.GOLD_COMMISSION_CLOSINGS).select("statement_month").distinct(),
                    "statement_month", "left_anti");
        }
        Dataset<Row> closings = toClose.withColumn("closed_on", lit(Date.valueOf(date)))
                .withColumn("statement_version", lit(version)).drop("computed_on");
        // Statements written before released_fraud existed have none (null): nothing was released then.
        Column released = java.util.Arrays.asList(closings.columns()).contains("released_fraud")
                ? coalesce(sum("released_fraud"), lit(0.0)) : lit(0.0);
        List<Closed> closed = closings.groupBy("statement_month", "currency")
                .agg(count("*"), sum("commission_gross"), sum("withheld_fraud"), released, sum("reversals"),
                        sum("net_payable"))
                .orderBy("statement_month").collectAsList().stream()
                .map(r -> new Closed(r.getDate(0).toLocalDate(), r.getLong(2), r.getDouble(3), r.getDouble(4),
                        r.getDouble(5), r.getDouble(6), r.getDouble(7), r.getString(1)))
                .toList();
        if (!closed.isEmpty()) {
            // mergeSchema: a payable list closed before the statement gained a column (released_fraud) gains it too.
            closings.write().format("delta").mode(org.apache.spark.sql.SaveMode.Append).option("mergeSchema", "true")
                    .save(wh.path(Tables.GOLD_COMMISSION_CLOSINGS));
        }
        return new Report(date, newest, version, closed);
    }
}
