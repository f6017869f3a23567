package com.partnermix.common;

import com.partnermix.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One run per warehouse and date: a second run of a date held by another process stops at once with exit 1 naming
 * the holder; of runs racing for a date exactly one gets it; a run that was killed blocks the date only until its
 * lease expires, and the run that takes it over says whose it was. No Spark: a lease is a file.
 */
class RunLockTest {

    private static final LocalDate D = LocalDate.parse("2026-11-20");

    @TempDir
    Path tmp;

    private RunLock acquire(Path warehouse, LocalDate date, Duration lease) {
        return RunLock.acquire(RunLock.lockRoot(warehouse.toString(), ""), warehouse.toString(), date, "ingest", lease,
                Map.of());
    }

    @Test
    void aSecondRunOfADateAnotherProcessHoldsExitsOneNamingItAndAKilledHolderIsTakenOverAfterItsLease()
            throws Exception {
        Path wh = tmp.resolve("warehouse");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process holder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                RunLockHolder.class.getName(), wh.toString(), D.toString(), "3")
                .redirectError(tmp.resolve("holder.err").toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            String held = out.readLine();
            assertEquals("HELD " + holder.pid(), held, () -> "the holder did not take the lock: " + readQuietly(
                    tmp.resolve("holder.err")));

            // The launcher, as a retry or a manual run would start it beside the holder.
            String[] ingest = {"ingest", "--date", D.toString(), "--set", "paths.warehouse=" + wh,
                    "--set", "paths.landing=" + tmp.resolve("landing"), "--set", "privacy.salt=test-salt"};
            PrintStream savedErr = System.err;
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code;
            try {
                code = Main.execute(ingest);
            } finally {
                System.setErr(savedErr);
            }
            String message = err.toString(StandardCharsets.UTF_8);
            assertEquals(1, code, message);
            assertTrue(message.contains("partnermix ingest STOPPED: another run of 2026-11-20 holds the run lock of "
                    + "warehouse " + wh + ": ingest on host " + InetAddress.getLocalHost().getHostName() + ", pid "
                    + holder.pid() + ", started 20"), message);
            assertTrue(message.contains("stopped without reading or writing anything"), message);
            assertFalse(Files.exists(wh.resolve("bronze")), "the second run wrote to the warehouse");

            // Another date of the same warehouse is free.
            try (RunLock other = acquire(wh, D.plusDays(1), Duration.ofMinutes(1))) {
                assertNull(other.tookOver());
            }

            // Killed: nothing gives the date back, so its lease holds the date until it expires (3 s after its last
            // renewal), and then the next run takes it over and says whose it was.
            holder.destroyForcibly().waitFor();
            assertThrows(RunLock.HeldException.class, () -> acquire(wh, D, Duration.ofMinutes(1)).close());
            RunLock taken = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (taken == null && System.nanoTime() < deadline) {
                try {
                    taken = acquire(wh, D, Duration.ofMinutes(1));
                } catch (RunLock.HeldException e) {
                    Thread.sleep(200);
                }
            }
            assertNotNull(taken, "the killed holder's lease never expired");
            try (RunLock lock = taken) {
                assertTrue(lock.tookOver().contains("took over the expired lease of ingest on host ")
                        && lock.tookOver().contains("pid " + holder.pid() + ","), lock.tookOver());
                assertEquals(List.of("lease-000002"), leases(wh, D));
            }
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void ofRunsRacingForTheSameDateExactlyOneGetsIt() throws Exception {
        Path wh = tmp.resolve("race");
        int runs = 8;
        ExecutorService pool = Executors.newFixedThreadPool(runs);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<RunLock>> results = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            results.add(pool.submit(() -> {
                start.await();
                try {
                    return acquire(wh, D, Duration.ofMinutes(1));
                } catch (RunLock.HeldException e) {
                    return null;
                }
            }));
        }
        start.countDown();
        List<RunLock> winners = new ArrayList<>();
        for (Future<RunLock> result : results) {
            if (result.get() != null) {
                winners.add(result.get());
            }
        }
        pool.shutdown();
        assertEquals(1, winners.size());
        // Released at the end of the job: the date is free again and no lease is left behind.
        winners.get(0).close();
        assertEquals(List.of(), leases(wh, D));
        acquire(wh, D, Duration.ofMinutes(1)).close();
    }

    @Test
    void anExpiredLeaseIsTakenOverAndALeaseBeingWrittenCounts() throws Exception {
        Path wh = tmp.resolve("expired");
        Path dir = Path.of(RunLock.lockRoot(wh.toString(), "")).resolve(D.toString());
        Files.createDirectories(dir);
        Path dead = dir.resolve("lease-000007");
        Files.writeString(dead, "job=journeys\ndate=2026-11-20\nwarehouse=" + wh + "\nhost=old-host\npid=4242\n"
                + "started_at=2026-11-21T00:10:00Z\nlease_seconds=600\n");
        Files.setLastModifiedTime(dead, FileTime.from(Instant.now().minus(Duration.ofMinutes(11))));
        try (RunLock lock = acquire(wh, D, Duration.ofMinutes(10))) {
            assertTrue(lock.tookOver().startsWith("took over the expired lease of journeys on host old-host, pid 4242, "
                    + "started 2026-11-21T00:10:00Z (last renewed 66"), lock.tookOver());
            assertEquals(List.of("lease-000008"), leases(wh, D));
        }

        // A lease whose holder has created it but not written it yet is live: the run stops.
        Files.writeString(dir.resolve("lease-000009"), "");
        RunLock.HeldException e = assertThrows(RunLock.HeldException.class,
                () -> acquire(wh, D, Duration.ofMinutes(10)));
        assertTrue(e.getMessage().contains("a run that is still writing its lease file"), e.getMessage());
    }

    @Test
    void aHolderWhoseLeaseWasTakenOverSaysSo() throws Exception {
        Path wh = tmp.resolve("lost");
        try (RunLock lock = acquire(wh, D, Duration.ofMillis(400))) {
            Files.delete(Path.of(lock.lease()));   // as a run that took it over after a long stall would have
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (lock.lost() == null && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals("the lease file " + lock.lease() + " is gone", lock.lost());
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static List<String> leases(Path wh, LocalDate date) throws Exception {
        try (var files = Files.list(Path.of(RunLock.lockRoot(wh.toString(), "")).resolve(date.toString()))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
