package com.partnermix.verify;

import com.partnermix.common.PersonalDataPatterns;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.marts.PartnerDaily;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.apache.spark.sql.functions.abs;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

/**
 * The invariants {@code verify} checks, as functions of the tables they read: each takes DataFrames and
 * returns what it measured, so a test feeds it a few handmade rows. Only counts, sums and ids are reported,
 * never a value that could be personal data.
 */
public final class Invariants {

    private Invariants() {}

    /** The gold gate's tolerance for credit sums (data-quality/gold.attribution_credit.yaml). */
    public static final double CREDIT_TOLERANCE = 1e-9;
    /** The gold gate's tolerances for the reconciliation (data-quality/gold.marts_reconciliation.yaml). */
    public static final double GMV_TOLERANCE = 0.01;
    public static final double ORDERS_TOLERANCE = 1e-6;

    private static final int EXAMPLES = 5;

    /** Per order and model the credits sum to 1: no revenue is credited twice or lost. */
    public static Invariant creditsSumToOne(Dataset<Row> credit, LocalDate date) {
        Row r = credit.where(col("order_date").leq(Date.valueOf(date)))
                .groupBy("order_id", "model").agg(sum("credit").as("total"))
                .withColumn("deviation", abs(coalesce(col("total"), lit(0.0)).minus(1.0)))
                .agg(count(lit(1)), sum(when(col("deviation").gt(CREDIT_TOLERANCE), 1).otherwise(0)), max("deviation"))
                .first();
        long groups = r.getLong(0);
        long bad = r.isNullAt(1) ? 0 : r.getLong(1);
        double worst = r.isNullAt(2) ? 0.0 : r.getDouble(2);
        return Invariant.of("credit_sums", bad == 0,
                String.format(Locale.ROOT, "%,d order x model groups, %,d off by more than %.0e (max |sum - 1| = %.3e)",
                        groups, bad, CREDIT_TOLERANCE, worst),
                "each order's revenue is credited exactly once per model in gold.attribution_credit");
    }

    /**
     * GMV and orders of gold.partner_daily against gold.attribution_credit per date and model, recomputed here
     * (the marts' own reconciliation table is not trusted to check itself).
     */
    public static Invariant gmvReconciles(Dataset<Row> partnerDaily, Dataset<Row> credit, Dataset<Row> toReporting,
                                          LocalDate date) {
        Row r = PartnerDaily.reconcile(partnerDaily, credit, toReporting, null, date, date)
                .agg(count(lit(1)),
                        sum(when(abs(col("gmv_diff")).gt(GMV_TOLERANCE).or(abs(col("orders_diff")).gt(ORDERS_TOLERANCE)), 1)
                                .otherwise(0)),
                        max(abs(col("gmv_diff"))), max(abs(col("orders_diff"))))
                .first();
        long rows = r.getLong(0);
        long bad = r.isNullAt(1) ? 0 : r.getLong(1);
        return Invariant.of("gmv_reconciliation", bad == 0,
                String.format(Locale.ROOT, "%,d date x model rows, %,d differ (max |GMV diff| = %.4f, max |orders diff| = %.2e)",
                        rows, bad, r.isNullAt(2) ? 0.0 : r.getDouble(2), r.isNullAt(3) ? 0.0 : r.getDouble(3)),
                "BI totals of gold.partner_daily equal the revenue and orders the models credited");
    }

    /**
     * Ingest accounting up to D: every run's landing lines = accepted + quarantined + duplicates, the quarantine
     * holds exactly the lines the runs say they quarantined, and D itself was ingested.
     */
    public static Invariant ingestBalances(Dataset<Row> ingestRuns, Dataset<Row> quarantine, LocalDate date) {
        Date d = Date.valueOf(date);
        Dataset<Row> runs = ingestRuns.where(col("delivery_date").leq(d));
        Row totals = runs.agg(count(lit(1)), sum("landing_lines"), sum("accepted"), sum("quarantined"), sum("duplicates"),
                sum(when(col("landing_lines").notEqual(col("accepted").plus(col("quarantined")).plus(col("duplicates"))), 1)
                        .otherwise(0)),
                sum(when(col("delivery_date").equalTo(d), 1).otherwise(0))).first();
        long unbalanced = totals.isNullAt(5) ? 0 : totals.getLong(5);
        boolean dIngested = !totals.isNullAt(6) && totals.getLong(6) > 0;
        Dataset<Row> stored = quarantine.where(col("delivery_date").leq(d)).groupBy("delivery_date", "feed")
                .agg(count(lit(1)).as("stored"));
        List<String> mismatches = runs.select("delivery_date", "feed", "quarantined")
                .join(stored, ScalaSeqs.of("delivery_date", "feed"), "full_outer")
                .where(coalesce(col("quarantined"), lit(0L)).notEqual(coalesce(col("stored"), lit(0L))))
                .orderBy("delivery_date", "feed").limit(EXAMPLES).collectAsList().stream()
                .map(r -> r.get(0) + " " + r.get(1) + ": run says " + r.get(2) + ", table holds " + r.get(3))
                .toList();
        boolean holds = unbalanced == 0 && mismatches.isEmpty() && dIngested;
        String measured = String.format(Locale.ROOT, "%,d runs: landing %,d = accepted %,d + quarantined %,d + duplicates %,d;"
                        + " %,d unbalanced; quarantine mismatches %s; %s %s",
                totals.getLong(0), nz(totals, 1), nz(totals, 2), nz(totals, 3), nz(totals, 4), unbalanced,
                mismatches.isEmpty() ? "none" : mismatches, date, dIngested ? "ingested" : "NOT ingested");
        return Invariant.of("ingest_accounting", holds, measured,
                "no landing line was lost: each one is in bronze, in bronze.quarantine with its reason, or a duplicate");
    }

    /**
     * No orphans between silver and gold: every credited order has its converting journey in silver.journeys,
     * and every converting journey has credit rows under every model gold.attribution_credit holds.
     */
    public static Invariant noOrphans(Dataset<Row> credit, Dataset<Row> journeys, LocalDate date) {
        Date d = Date.valueOf(date);
        Dataset<Row> credited = credit.where(col("order_date").leq(d)).select("order_id", "model").distinct();
        Dataset<Row> converted = journeys.where(col("is_converted").and(col("order_date").leq(d)))
                .select("order_id").distinct();
        List<String> models = credit.select("model").distinct().orderBy("model").collectAsList().stream()
                .map(r -> r.getString(0)).toList();
        Dataset<Row> withoutJourney = credited.select("order_id").distinct()
                .join(converted, ScalaSeqs.of("order_id"), "left_anti");
        Dataset<Row> expected = converted.crossJoin(credit.select("model").distinct());
        Dataset<Row> withoutCredit = expected.join(credited, ScalaSeqs.of("order_id", "model"),
                "left_anti");
        long orphanCredit = withoutJourney.count();
        long missingCredit = withoutCredit.count();
        long journeysChecked = converted.count();
        boolean holds = orphanCredit == 0 && missingCredit == 0 && (journeysChecked == 0 || !models.isEmpty());
        String measured = String.format(Locale.ROOT, "%,d converting journeys x %d models; %,d credited orders without a journey%s;"
                        + " %,d journey x model without credit%s", journeysChecked, models.size(), orphanCredit,
                examples(withoutJourney.orderBy("order_id")), missingCredit,
                examples(withoutCredit.selectExpr("concat(order_id, '/', model) id").orderBy("id")));
        return Invariant.of("silver_gold_orphans", holds, measured,
                "every order in gold.attribution_credit comes from silver.journeys and no converting journey is left uncredited");
    }

    private static String examples(Dataset<Row> ids) {
        List<String> first = ids.limit(EXAMPLES).collectAsList().stream().map(r -> String.valueOf(r.get(0))).toList();
        return first.isEmpty() ? "" : " (e.g. " + String.join(", ", first) + ")";
    }

    private static long nz(Row r, int i) {
        return r.isNullAt(i) ? 0 : r.getLong(i);
    }

    private static final Map<String, String> PII_PATTERNS = Map.of("ipv4", PersonalDataPatterns.RAW_IPV4,
            "ipv6", PersonalDataPatterns.RAW_IPV6, "user_agent", PersonalDataPatterns.RAW_USER_AGENT,
            "email", PersonalDataPatterns.RAW_EMAIL);

    /** Columns of one table whose values look like a raw IP address or user agent, as "column: n kind values". */
    public static List<String> personalDataColumns(Dataset<Row> rows) {
        List<Column> probes = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (StructField field : rows.schema().fields()) {
            Column text = textOf(field);
            if (text == null) {
                continue;
            }
            for (Map.Entry<String, String> p : new java.util.TreeMap<>(PII_PATTERNS).entrySet()) {
                probes.add(sum(when(text.rlike(p.getValue()), 1).otherwise(0)));
                labels.add(field.name() + ": %,d " + p.getKey() + " values");
            }
        }
        if (probes.isEmpty()) {
            return List.of();
        }
        Row counts = rows.agg(probes.get(0), probes.subList(1, probes.size()).toArray(Column[]::new)).first();
        List<String> found = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            if (!counts.isNullAt(i) && counts.getLong(i) > 0) {
                found.add(String.format(Locale.ROOT, labels.get(i), counts.getLong(i)));
            }
        }
        return found;
    }

    /** A string column as it is, a nested one (evidence timelines, maps) as JSON; other types hold no text. */
    private static Column textOf(StructField field) {
        Column c = col("`" + field.name() + "`");
        if (field.dataType().equals(DataTypes.StringType)) {
            return c;
        }
        if (field.dataType() instanceof StructType || field.dataType() instanceof ArrayType
                || field.dataType() instanceof MapType) {
            return to_json(c);
        }
        return null;
    }

    /** Every table of every schema scanned for raw IPs and user agents (the contract keeps them hashed only). */
    public static Invariant noRawPersonalData(Map<String, Dataset<Row>> tables) {
        List<String> leaks = new ArrayList<>();
        for (Map.Entry<String, Dataset<Row>> table : new java.util.TreeMap<>(tables).entrySet()) {
            personalDataColumns(table.getValue()).forEach(c -> leaks.add(table.getKey() + "." + c));
        }
        return Invariant.of("no_raw_personal_data", leaks.isEmpty(),
                String.format(Locale.ROOT, "%d tables scanned; %s", tables.size(),
                        leaks.isEmpty() ? "no raw IP, user agent or e-mail address" : String.join("; ", leaks)),
                "IP and user agent are stored only as keyed hashes (and network prefixes), e-mail addresses not at all"
                        + " (contract, privacy)");
    }
}
