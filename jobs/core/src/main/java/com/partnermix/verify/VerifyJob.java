package com.partnermix.verify;

import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.Checksums;
import com.partnermix.common.FxRates;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.marts.Costs;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;

/**
 * {@code verify --date D [--checksums]}: checks a warehouse's invariants as of run date D and prints one line per
 * invariant (PASS/FAIL/SKIPPED, what was measured, what it means); exit 1 when one fails. Read-only: a data
 * engineer runs it against a real warehouse after a repair or a restore. {@code --checksums} also prints a
 * content checksum per table, to compare two warehouses (a rerun, a restored copy) table by table.
 */
public final class VerifyJob implements Job {

    @Override
    public String name() {
        return "verify";
    }

    @Override
    public String summary() {
        return "check the warehouse's invariants for a date (credit sums, GMV, ingest counts, orphans, personal data)";
    }

    public static final class Options {
        @Option(names = "--checksums", description = "also print an order-independent content checksum per table, to "
                + "compare two warehouses")
        boolean checksums;
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public int run(JobContext context) {
        LocalDate date = context.date();
        Warehouse wh = context.warehouse();
        List<Invariant> results = verify(wh, context.config(), date);
        System.out.println(report(wh, date, results));
        if (context.options(Options.class).checksums) {
            System.out.println("content checksums (order-independent; equal content gives equal checksums)");
            checksums(wh).forEach((table, sum) -> System.out.printf("  %-32s %s%n", table, sum));
        }
        return results.stream().anyMatch(Invariant::failed) ? 1 : 0;
    }

    /** Every invariant, in report order; an invariant whose tables do not exist yet is skipped. */
    public static List<Invariant> verify(Warehouse wh, PartnermixConfig config, LocalDate date) {
        List<Invariant> out = new ArrayList<>();
        Table credit = Tables.GOLD_ATTRIBUTION_CREDIT;
        out.add(needs(wh, List.of(credit)) ? Invariants.creditsSumToOne(wh.read(credit), date)
                : missing(wh, "credit_sums", List.of(credit)));
        // FX rates are needed only to convert USD credit into another reporting currency.
        List<Table> recon = "USD".equals(config.marts().reportingCurrency())
                ? List.of(Tables.GOLD_PARTNER_DAILY, credit)
                : List.of(Tables.GOLD_PARTNER_DAILY, credit, Tables.BRONZE_FX_RATES);
        out.add(needs(wh, recon)
                ? Invariants.gmvReconciles(wh.read(Tables.GOLD_PARTNER_DAILY), wh.read(credit),
                        toReporting(wh, config, date), date)
                : missing(wh, "gmv_reconciliation", recon));
        List<Table> ingest = List.of(Tables.BRONZE_INGEST_RUNS, Tables.BRONZE_QUARANTINE);
        out.add(needs(wh, ingest)
                ? Invariants.ingestBalances(wh.read(Tables.BRONZE_INGEST_RUNS), wh.read(Tables.BRONZE_QUARANTINE), date)
                : missing(wh, "ingest_accounting", ingest));
        List<Table> orphans = List.of(credit, Tables.SILVER_JOURNEYS);
        out.add(needs(wh, orphans)
                ? Invariants.noOrphans(wh.read(credit), wh.read(Tables.SILVER_JOURNEYS), date)
                : missing(wh, "silver_gold_orphans", orphans));
        Map<String, Dataset<Row>> all = new LinkedHashMap<>();
        tables(wh).forEach(t -> all.put(t.qualifiedName(), wh.read(t)));
        out.add(Invariants.noRawPersonalData(all));
        return out;
    }

    /** The marts' conversion from USD to the reporting currency, from the FX rates delivered up to D. */
    static Dataset<Row> toReporting(Warehouse wh, PartnermixConfig config, LocalDate date) {
        if (!wh.exists(Tables.BRONZE_FX_RATES)) {
            return Costs.toReporting(null, config.marts().reportingCurrency());   // USD: no conversion, no rates read
        }
        Dataset<Row> fx = FxRates.dailyCalendar(wh.read(Tables.BRONZE_FX_RATES), date, date);
        return Costs.toReporting(fx, config.marts().reportingCurrency());
    }

    private static boolean needs(Warehouse wh, List<Table> tables) {
        return tables.stream().allMatch(wh::exists);
    }

    private static Invariant missing(Warehouse wh, String name, List<Table> tables) {
        return Invariant.skipped(name, "no table " + tables.stream().filter(t -> !wh.exists(t)).map(Table::toString)
                .reduce((a, b) -> a + ", " + b).orElse(""));
    }

    public static String report(Warehouse wh, LocalDate date, List<Invariant> results) {
        StringBuilder out = new StringBuilder("verify " + date + " on " + wh.root() + System.lineSeparator());
        results.forEach(r -> out.append(r.format()).append(System.lineSeparator()));
        long failed = results.stream().filter(Invariant::failed).count();
        out.append(failed == 0 ? "all invariants hold" : failed + " invariant(s) FAILED");
        return out.toString();
    }

    /**
     * Every Delta table found under the warehouse root ({@code <root>/<schema>/<table>}), including tables no
     * constant names (written by a newer version): the personal-data scan must not miss one.
     */
    public static List<Table> tables(Warehouse wh) {
        try {
            Path root = new Path(wh.root());
            FileSystem fs = root.getFileSystem(wh.spark().sparkContext().hadoopConfiguration());
            List<Table> found = new ArrayList<>();
            if (!fs.exists(root)) {
                return found;
            }
            for (FileStatus schema : sorted(fs.listStatus(root))) {
                if (!schema.isDirectory() || hidden(schema)) {
                    continue;
                }
                for (FileStatus table : sorted(fs.listStatus(schema.getPath()))) {
                    if (table.isDirectory() && !hidden(table) && fs.exists(new Path(table.getPath(), "_delta_log"))) {
                        found.add(new Table(schema.getPath().getName(), table.getPath().getName()));
                    }
                }
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the warehouse " + wh.root(), e);
        }
    }

    /** Content checksum of every table of the warehouse, by qualified name. */
    public static Map<String, Checksums.Checksum> checksums(Warehouse wh) {
        Map<String, Dataset<Row>> named = new LinkedHashMap<>();
        tables(wh).forEach(t -> named.put(t.qualifiedName(), wh.read(t)));
        return Checksums.ofEach(named);
    }

    private static boolean hidden(FileStatus status) {
        String name = status.getPath().getName();
        return name.startsWith("_") || name.startsWith(".");
    }

    private static FileStatus[] sorted(FileStatus[] statuses) {
        return Arrays.stream(statuses).sorted((a, b) -> a.getPath().getName().compareTo(b.getPath().getName()))
                .toArray(FileStatus[]::new);
    }
}
