package com.partnermix.common;

import java.time.Duration;
import java.time.LocalDate;
import java.util.Map;

/**
 * A second process for {@link RunLockTest}: takes the run lock of a warehouse and date, says so on stdout
 * ({@code HELD <pid>}), and holds it (renewing the lease) until its stdin closes or it is killed.
 * Arguments: warehouse, date, lease seconds.
 */
public final class RunLockHolder {

    private RunLockHolder() {}

    public static void main(String[] args) throws Exception {
        String warehouse = args[0];
        try (RunLock lock = RunLock.acquire(RunLock.lockRoot(warehouse, ""), warehouse, LocalDate.parse(args[1]),
                "ingest", Duration.ofSeconds(Long.parseLong(args[2])), Map.of())) {
            System.out.println("HELD " + lock.holder().pid());
            System.out.flush();
            while (System.in.read() >= 0) {
                // hold until the test closes stdin
            }
        }
    }
}
