package com.partnermix.reliability;

import com.partnermix.generate.GenerateJob;
import com.partnermix.common.Checksums;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Warehouse;
import com.partnermix.pipeline.NightlyPipeline;
import com.partnermix.pipeline.Stage;
import com.partnermix.verify.VerifyJob;
import com.partnermix.common.Table;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Whole nights of the real pipeline for the reliability tests, and what they compare. */
final class Nights {

    private Nights() {}

    /** A generated landing zone: {@code days} delivery days ending at {@code last}, late deliveries unless on time. */
    static void generate(SparkSession spark, PartnermixConfig config, LocalDate last, int days, int persons,
                         boolean onTime) throws Exception {
        List<String> argv = new ArrayList<>(List.of("--date", last.toString(), "--days",
                Integer.toString(days), "--persons", Integer.toString(persons)));
        if (onTime) {
            argv.add("--on-time");
        }
        assertEquals(0, GenerateJob.run(argv, config, spark));
    }

    /**
     * Every stage of the night in the order the DAG runs them but the {@code skipped} ones: the data-quality gates
     * only read and record, so tests about table content may leave them out to stay fast.
     */
    static void run(Warehouse wh, PartnermixConfig config, LocalDate date, List<String> skipped) {
        for (Stage stage : NightlyPipeline.stages()) {
            if (!skipped.contains(stage.name())) {
                long t0 = System.nanoTime();
                stage.run(wh, config, date);
                System.out.printf("   %s %-10s %5.1f s%n", date, stage.name(), (System.nanoTime() - t0) / 1e9);
            }
        }
    }

    static void runAll(Warehouse wh, PartnermixConfig config, LocalDate first, LocalDate last, List<String> skipped) {
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            run(wh, config, d, skipped);
        }
    }

    /** The latest Delta version of every table of the given schemas, by qualified name. */
    static Map<String, Long> versions(Warehouse wh, String... schemas) {
        Map<String, Long> out = new TreeMap<>();
        for (Table t : allTables()) {
            if (List.of(schemas).contains(t.schema()) && wh.exists(t)) {
                out.put(t.qualifiedName(), wh.version(t));
            }
        }
        return out;
    }

    /**
     * For a failing comparison: the rows of each differing table that only one side has, the earlier side read
     * by time travel at {@code before}'s versions (a few rows each, enough to see which column moved).
     */
    static void printDifferences(Warehouse wh, Map<String, Long> before, Map<String, Checksums.Checksum> expected,
                                 Map<String, Checksums.Checksum> actual) {
        for (Table t : allTables()) {
            String name = t.qualifiedName();
            if (!before.containsKey(name) || java.util.Objects.equals(expected.get(name), actual.get(name))) {
                continue;
            }
            Dataset<Row> was = wh.readAt(t, before.get(name));
            Dataset<Row> now = wh.read(t).selectExpr(was.columns());
            System.out.println("== differs: " + name + " (" + expected.get(name) + " -> " + actual.get(name) + ")");
            System.out.println("   only before:");
            was.except(now).limit(5).collectAsList().forEach(r -> System.out.println("     " + r));
            System.out.println("   only after:");
            now.except(was).limit(5).collectAsList().forEach(r -> System.out.println("     " + r));
        }
    }

    private static List<Table> allTables() {
        List<Table> all = new ArrayList<>(com.partnermix.common.Tables.SILVER);
        all.addAll(com.partnermix.common.Tables.GOLD);
        return all;
    }

    /**
     * Content checksums of the tables of the given schemas (silver, gold), by qualified name: only those tables are
     * read (bronze holds most of the rows and is never compared).
     */
    static Map<String, Checksums.Checksum> checksums(Warehouse wh, String... schemas) {
        Map<String, Dataset<Row>> named = new TreeMap<>();
        for (Table t : VerifyJob.tables(wh)) {
            if (List.of(schemas).contains(t.schema())) {
                named.put(t.qualifiedName(), wh.read(t));
            }
        }
        return Checksums.ofEach(named);
    }
}
