package com.partnermix.marts;

import com.partnermix.common.DeltaWrites;
import com.partnermix.common.RunStoppedException;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CommissionCloseJobTest extends SparkTestBase {

    private static final String STATEMENT = "statement_month DATE, partner_id STRING, currency STRING, "
            + "commission_gross DOUBLE, withheld_fraud DOUBLE, reversals DOUBLE, net_payable DOUBLE, "
            + "is_locked BOOLEAN, locks_on DATE, computed_on DATE";

    private static String row(String month, String partner, double gross, double withheld, double reversals,
                              boolean locked, String locksOn, String computedOn) {
        return String.format(java.util.Locale.ROOT, "{\"statement_month\":\"%s\",\"partner_id\":\"%s\",\"currency\":\"USD\","
                        + "\"commission_gross\":%s,\"withheld_fraud\":%s,\"reversals\":%s,\"net_payable\":%s,"
                        + "\"is_locked\":%s,\"locks_on\":\"%s\",\"computed_on\":\"%s\"}", month, partner, gross, withheld,
                reversals, gross - withheld - reversals, locked, locksOn, computedOn);
    }

    @Test
    void theNewestLockableMonthIsTheOneWhoseLockDayHasCome() {
        assertEquals(YearMonth.of(2026, 10), CommissionCloseJob.newestLockable(LocalDate.parse("2026-11-10"), 10));
        assertEquals(YearMonth.of(2026, 9), CommissionCloseJob.newestLockable(LocalDate.parse("2026-11-09"), 10));
        assertEquals(YearMonth.of(2026, 11), CommissionCloseJob.newestLockable(LocalDate.parse("2026-12-10"), 10));
        assertEquals(YearMonth.of(2027, 2), CommissionCloseJob.newestLockable(LocalDate.parse("2027-03-10"), 10));
        assertEquals(YearMonth.of(2026, 10), CommissionCloseJob.newestLockable(LocalDate.parse("2026-10-31"), 0));
    }

    @Test
    void closesEveryLockedMonthOnceAndNeverRewritesAClosedOne() {
        Warehouse wh = new Warehouse(spark(), config(tmp.resolve("close")).paths().warehouse());
        // Nightly marts of 2026-11-10: September and October are locked, November is open.
        DeltaWrites.overwrite(wh, Tables.GOLD_COMMISSION_STATEMENT, Rows.of(spark(), STATEMENT,
                row("2026-09-01", "P-CR-007", 100, 0, 10, true, "2026-10-10", "2026-11-10"),
                row("2026-10-01", "P-CR-007", 200, 20, 0, true, "2026-11-10", "2026-11-10"),
                row("2026-10-01", "P-BX-001", 50, 0, 5, true, "2026-11-10", "2026-11-10"),
                row("2026-11-01", "P-CR-007", 30, 0, 0, false, "2026-12-10", "2026-11-10")));

        CommissionCloseJob.Report first = CommissionCloseJob.close(wh, 10, LocalDate.parse("2026-11-10"));
        assertEquals(List.of("2026-09-01 1 100.0 0.0 10.0 90.0", "2026-10-01 2 250.0 20.0 5.0 225.0"),
                first.closed().stream().map(c -> c.month() + " " + c.partners() + " " + c.gross() + " " + c.withheld()
                        + " " + c.reversals() + " " + c.netPayable()).toList());
        assertEquals(List.of("[2026-09-01,P-CR-007,90.0,2026-11-10,0]", "[2026-10-01,P-BX-001,45.0,2026-11-10,0]",
                        "[2026-10-01,P-CR-007,180.0,2026-11-10,0]"),
                Rows.sorted(wh.read(Tables.GOLD_COMMISSION_CLOSINGS).select("statement_month", "partner_id",
                        "net_payable", "closed_on", "statement_version")));

        // A rerun (or a backfill) of the close finds nothing left to close and writes nothing.
        long version = wh.version(Tables.GOLD_COMMISSION_CLOSINGS);
        assertTrue(CommissionCloseJob.close(wh, 10, LocalDate.parse("2026-11-10")).closed().isEmpty());
        assertEquals(version, wh.version(Tables.GOLD_COMMISSION_CLOSINGS));

        // December 10th: November has locked meanwhile; only November is closed.
        DeltaWrites.overwrite(wh, Tables.GOLD_COMMISSION_STATEMENT, Rows.of(spark(), STATEMENT,
                row("2026-09-01", "P-CR-007", 100, 0, 10, true, "2026-10-10", "2026-11-10"),
                row("2026-11-01", "P-CR-007", 40, 0, 0, true, "2026-12-10", "2026-12-10")));
        CommissionCloseJob.Report december = CommissionCloseJob.close(wh, 10, LocalDate.parse("2026-12-10"));
        assertEquals(List.of(LocalDate.parse("2026-11-01")), december.closed().stream().map(c -> c.month()).toList());
        assertEquals(4, wh.read(Tables.GOLD_COMMISSION_CLOSINGS).count());
    }

    @Test
    void stopsWhenTheMonthThatShouldHaveLockedIsStillOpen() {
        Warehouse wh = new Warehouse(spark(), config(tmp.resolve("not-locked")).paths().warehouse());
        // The nightly of 2026-11-10 has not run yet: October's statement was last computed on the 9th.
        DeltaWrites.overwrite(wh, Tables.GOLD_COMMISSION_STATEMENT, Rows.of(spark(), STATEMENT,
                row("2026-10-01", "P-CR-007", 200, 0, 0, false, "2026-11-10", "2026-11-09")));
        RunStoppedException stopped = assertThrows(RunStoppedException.class,
                () -> CommissionCloseJob.close(wh, 10, LocalDate.parse("2026-11-10")));
        assertTrue(stopped.getMessage().contains("the statement of 2026-10 should have locked on 2026-11-10"),
                stopped.getMessage());
        assertFalse(wh.exists(Tables.GOLD_COMMISSION_CLOSINGS));
    }
}
