package com.partnermix.reliability;

import com.partnermix.common.Checksums;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Warehouse;
import com.partnermix.testing.SparkTestBase;
import com.partnermix.verify.Invariant;
import com.partnermix.verify.VerifyJob;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Timing probe (replaced by the real class). */
class NightlyReliabilityTest extends SparkTestBase {

    static final LocalDate LAST = LocalDate.parse("2026-11-20");
    static final int DAYS = 3;
    static final int PERSONS = 150;
    static Warehouse wh;
    static PartnermixConfig config;
    static Map<String, Checksums.Checksum> after;
    static List<Invariant> verified;

    @BeforeAll
    static void nights() throws Exception {
        config = config(tmp.resolve("late"));
        wh = new Warehouse(spark(), config.paths().warehouse());
        long t0 = System.nanoTime();
        Nights.generate(spark(), config, LAST, DAYS, PERSONS, false);
        System.out.printf("generate %.1f s%n", (System.nanoTime() - t0) / 1e9);
        Nights.runAll(wh, config, LAST.minusDays(DAYS - 1), LAST, true);
        t0 = System.nanoTime();
        after = Nights.checksums(wh, "silver", "gold");
        System.out.printf("checksums %.1f s%n", (System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        verified = VerifyJob.verify(wh, config, LAST);
        System.out.printf("verify %.1f s%n", (System.nanoTime() - t0) / 1e9);
        System.out.println(VerifyJob.report(wh, LAST, verified));
        after.forEach((k, v) -> System.out.println(k + " " + v));
        t0 = System.nanoTime();
        Nights.run(wh, config, LAST, false);
        System.out.printf("rerun %.1f s%n", (System.nanoTime() - t0) / 1e9);
        Map<String, Checksums.Checksum> again = Nights.checksums(wh, "silver", "gold");
        again.forEach((k, v) -> System.out.println(k + " " + v + (v.equals(after.get(k)) ? "" : "  DIFFERENT")));
    }

    @Test
    void probe() {
        assertEquals(5, verified.size());
    }
}
