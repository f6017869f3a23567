package com.partnermix.ingest;

import com.partnermix.job.Args;
import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.RunLock;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.RunStoppedException;
import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import picocli.CommandLine.Option;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code ingest --date D} (or {@code --from D1 --to D2}, each delivery day in order, in one JVM): reads
 * delivery day D of every landing feed into the bronze Delta tables. Each line is accepted, quarantined with its reason, or dropped as a duplicate of
 * a record already stored, and the job prints those counts per feed (they always add up to
 * the landing lines). Rerunning a date gives the same tables.
 */
public final class IngestJob implements Job {

    @Override
    public String name() {
        return "ingest";
    }

    @Override
    public String summary() {
        return "landing feeds of --date (or each day --from..--to) -> bronze Delta tables, bad lines to "
                + "bronze.quarantine";
    }

    /** A backfill of many delivery days is one job: one JVM and one Spark session instead of one per day. */
    public static final class Options {
        @Option(names = "--from", paramLabel = "YYYY-MM-DD", converter = Args.DateConverter.class,
                description = "first delivery day of a range (with --to, instead of --date)")
        LocalDate from;

        @Option(names = "--to", paramLabel = "YYYY-MM-DD", converter = Args.DateConverter.class,
                description = "last delivery day of the range, included")
        LocalDate to;
    }

    @Override
    public Options options() {
        return new Options();
    }

    @Override
    public int run(JobContext context) {
        try {
            salt(context.config());
        } catch (IllegalArgumentException e) {
            throw new com.partnermix.job.Args.UsageException(e.getMessage());   // a configuration error: exit 2
        }
        for (LocalDate day : deliveryDays(context.args().date(), context.options(Options.class))) {
            // Each day holds its own run lock, as `ingest --date` does through the launcher.
            try (RunLock lock = context.args().date() == null ? RunLock.acquire(context.config(), day, name()) : null) {
                System.out.println(ingest(context.spark(), context.warehouse(), context.config(), day).format());
            }
        }
        return 0;
    }

    /** The delivery days to ingest: --date, or every day from --from to --to; anything else is a usage error. */
    static List<LocalDate> deliveryDays(LocalDate date, Options range) {
        boolean ranged = range.from != null || range.to != null;
        if (date != null && ranged) {
            throw new Args.UsageException("give either --date or --from/--to, not both");
        }
        if (!ranged) {
            if (date == null) {
                throw new Args.UsageException("ingest needs --date YYYY-MM-DD or --from/--to (the delivery days; "
                        + "jobs never assume today)");
            }
            return List.of(date);
        }
        if (range.from == null || range.to == null || range.to.isBefore(range.from)) {
            throw new Args.UsageException("--from and --to go together, --from on or before --to (got " + range.from
                    + " .. " + range.to + ")");
        }
        return range.from.datesUntil(range.to.plusDays(1)).toList();
    }

    public static IngestReport ingest(SparkSession spark, Warehouse wh, PartnermixConfig config, LocalDate date) {
        return new Run(spark, wh, config, date).execute();
    }

    /** The HMAC key of this run; refuses an empty salt, and the demo salt outside the embedded demo. */
    static String salt(PartnermixConfig config) {
        return config.privacy().saltFor(config.paths(), System.getenv().getOrDefault("PARTNERMIX_HOME", "."));
    }

    /** One night's ingest; a class so that the per-feed steps share their inputs without long argument lists. */
    private static final class Run {
        private final SparkSession spark;
        private final Warehouse wh;
        private final PartnermixConfig config;
        private final LocalDate date;
        private final Landing landing;
        private final Pii pii;
        private final String runId;
        private final List<Dataset<Row>> quarantined = java.util.Collections.synchronizedList(new ArrayList<>());
        private final List<Dataset<Row>> cached = java.util.Collections.synchronizedList(new ArrayList<>());
        private final List<IngestReport.FeedCounts> counts = java.util.Collections.synchronizedList(new ArrayList<>());
        private final com.partnermix.common.StepTimer timer = new com.partnermix.common.StepTimer();

        Run(SparkSession spark, Warehouse wh, PartnermixConfig config, LocalDate date) {
            this.spark = spark;
            this.wh = wh;
            this.config = config;
            this.date = date;
            this.landing = new Landing(spark, config.paths().landing(), date);
            this.pii = new Pii(salt(config), config.privacy().ipv4PrefixBits(), config.privacy().ipv6PrefixBits(),
                    config.privacy().hashIpPrefix(), config.privacy().urlParamsKept());
            this.runId = "ingest:" + date;
        }

        IngestReport execute() {
            try {
                return executeSteps();
            } finally {
                release();
            }
        }

        private IngestReport executeSteps() {
            // List and check every feed first: a missing feed or a truncated file stops the run before anything is written.
            Map<Landing.Feed, List<String>> files = new HashMap<>();
            for (Landing.Feed feed : Landing.Feed.values()) {
                files.put(feed, landing.files(feed));
                landing.checkComplete(files.get(feed));
            }
            timer.lap("list");
            ingestPartners(files.get(Landing.Feed.PARTNERS));
            Set<String> knownPartners = knownPartnerIds();
            timer.lap("partners");
            // The other feeds write different tables and need only the catalog: they run side by
            // side, so Spark overlaps their many small jobs and Delta commits.
            inParallel(List.of(
                    this::rebuildPartnerDimension,
                    () -> ingestCsvFeed(Landing.Feed.FX_RATES, files.get(Landing.Feed.FX_RATES), Contract.FX_COLUMNS,
                            CsvRecords.FX_SCHEMA, CsvRecords::fxRate, Tables.BRONZE_FX_RATES),
                    () -> ingestCsvFeed(Landing.Feed.SPEND, files.get(Landing.Feed.SPEND), Contract.SPEND_COLUMNS,
                            CsvRecords.SPEND_SCHEMA, CsvRecords::spend, Tables.BRONZE_SPEND),
                    () -> ingestTouchpoints(files.get(Landing.Feed.TOUCHPOINTS), knownPartners),
                    () -> ingestOrders(files.get(Landing.Feed.ORDERS))));
            timer.lap("feeds");
            Map<String, Long> reasons = new java.util.TreeMap<>();
            inParallel(List.of(() -> reasons.putAll(writeQuarantine()), this::writeRunCounts));
            timer.lap("quarantine+runs");
            List<IngestReport.FeedCounts> ordered = new ArrayList<>(counts);
            ordered.sort(java.util.Comparator.comparing(c -> Landing.Feed.valueOf(c.feed().toUpperCase()).ordinal()));
            return new IngestReport(date, ordered, reasons, timer.toString(), landing.warnings());
        }

        private void ingestPartners(List<String> partnerFiles) {
            Map<String, CsvRecords.Header> headers = headers(partnerFiles, Contract.PARTNER_COLUMNS);
            Dataset<Row> parsed = stage(Landing.Feed.PARTNERS, ParsedLines.parse(landing.lines(partnerFiles),
                    csvParser(headers, CsvRecords::partner), CsvRecords.PARTNER_SCHEMA, pii));
            // A snapshot is the whole catalog: one row per partner, the first copy wins.
            Dataset<Row> classified = IngestTransforms.classifyDuplicates(valid(parsed), null, List.of("partner_id"), date);
            Dataset<Row> snapshot = accepted(classified.where(col(IngestTransforms.DISPOSITION)
                            .equalTo(IngestTransforms.NEW)), CsvRecords.PARTNER_SCHEMA)
                    .withColumn("snapshot_date", lit(java.sql.Date.valueOf(date)));
            DeltaWrites.replaceSlice(wh, Tables.BRONZE_PARTNER_SNAPSHOTS, snapshot,
                    "snapshot_date = '" + date + "'");
            record(Landing.Feed.PARTNERS, partnerFiles.size(), parsed, classified);
        }

        /** The dimension as of D: a rerun or a backfill of D must not see the catalog of a later day. */
        private void rebuildPartnerDimension() {
            DeltaWrites.overwrite(wh, Tables.SILVER_DIM_PARTNER,
                    IngestTransforms.partnerDimension(wh.read(Tables.BRONZE_PARTNER_SNAPSHOTS)
                            .where(col("snapshot_date").leq(lit(java.sql.Date.valueOf(date))))));
        }

        /** Partner ids of every catalog snapshot up to today: a small, bounded set (the catalog's size). */
        private Set<String> knownPartnerIds() {
            List<Row> ids = wh.read(Tables.BRONZE_PARTNER_SNAPSHOTS)
                    .where(col("snapshot_date").leq(lit(java.sql.Date.valueOf(date))))
                    .select("partner_id").distinct().collectAsList();
            Set<String> known = new HashSet<>();
            ids.forEach(r -> known.add(r.getString(0)));
            return known;
        }

        private void ingestCsvFeed(Landing.Feed feed, List<String> feedFiles, List<String> columns, StructType schema,
                                   CsvRowParser rowParser, Table table) {
            Map<String, CsvRecords.Header> headers = headers(feedFiles, columns);
            Dataset<Row> parsed = stage(feed, ParsedLines.parse(landing.lines(feedFiles),
                    csvParser(headers, rowParser), schema, pii));
            // Rates and spend may be corrected by a later delivery: exact copies are duplicates,
            // a changed value is a new row, and readers take the latest delivery per natural key.
            List<String> keys = Arrays.asList(schema.fieldNames());
            insertOnce(feed, table, feedFiles.size(), parsed, keys, null);
        }

        private void ingestTouchpoints(List<String> touchFiles, Set<String> knownPartners) {
            TouchpointParser parser = new TouchpointParser(pii, config.ingest().maxIdLength(), date,
                    config.ingest().maxFutureSkewHours());
            LineParser withPartnerCheck = (file, line) -> {
                Row row = parser.parse(line);
                String partnerId = row.getString(5);
                if (partnerId != null && "affiliate".equals(row.getString(4)) && !knownPartners.contains(partnerId)) {
                    throw new Rejection("unknown_partner", "partner_id " + partnerId + " is not in the partner catalog");
                }
                return row;
            };
            Dataset<Row> parsed = stage(Landing.Feed.TOUCHPOINTS,
                    ParsedLines.parse(landing.lines(touchFiles), withPartnerCheck, TouchpointParser.SCHEMA, pii));
            // Re-deliveries repeat the event, so its event_date: only the batch's dates need to be scanned.
            List<Object> eventDates = new ArrayList<>();
            valid(parsed).select("event_date").distinct().collectAsList().forEach(r -> eventDates.add(r.get(0)));
            Column pruning = eventDates.isEmpty() ? lit(false) : col("t.event_date").isin(eventDates.toArray());
            insertOnce(Landing.Feed.TOUCHPOINTS, Tables.BRONZE_TOUCHPOINTS, touchFiles.size(), parsed,
                    List.of("event_id"), pruning, "event_date");
        }

        private void ingestOrders(List<String> orderFiles) {
            OrderParser parser = new OrderParser(config.ingest().maxIdLength());
            Dataset<Row> parsed = stage(Landing.Feed.ORDERS,
                    ParsedLines.parse(landing.lines(orderFiles), (file, line) -> parser.parse(line), OrderParser.SCHEMA, pii));
            // An order version is (order_id, updated_ts); the history of versions is kept.
            insertOnce(Landing.Feed.ORDERS, Tables.BRONZE_ORDERS, orderFiles.size(), parsed,
                    List.of("order_id", "updated_ts"), null);
        }

        private void insertOnce(Landing.Feed feed, Table table, int fileCount, Dataset<Row> parsed, List<String> keys,
                                Column pruning, String... partitionBy) {
            StructType schema = dataSchema(parsed);
            Dataset<Row> stored = null;
            if (wh.exists(table)) {
                Dataset<Row> target = wh.read(table).as("t");
                if (pruning != null) {
                    target = target.where(pruning);
                }
                List<Column> storedCols = new ArrayList<>();
                keys.forEach(k -> storedCols.add(col("t." + k).as(k)));
                storedCols.add(col("t.delivery_date").as("delivery_date"));
                stored = target.select(storedCols.toArray(Column[]::new));
            }
            Dataset<Row> classified = IngestTransforms.classifyDuplicates(valid(parsed), stored, keys, date);
            Map<String, Long> dispositions = record(feed, fileCount, parsed, classified);
            Function<String[], Dataset<Row>> rowsOf = wanted -> withMetadata(
                    classified.where(col(IngestTransforms.DISPOSITION).isin((Object[]) wanted)), schema);
            if (dispositions.getOrDefault(IngestTransforms.REPLACES_LATER, 0L) > 0) {
                // A later delivery was ingested first: the earlier one replaces it (rare: backfills out of order).
                DeltaWrites.mergeEarliestDelivery(wh, table,
                        rowsOf.apply(new String[] {IngestTransforms.NEW, IngestTransforms.REPLACES_LATER}),
                        keys, "delivery_date", pruning);
            } else if (dispositions.getOrDefault(IngestTransforms.NEW, 0L) > 0 || !wh.exists(table)) {
                // The usual night: new keys only, a plain append (rows stored by an earlier run of this date stay).
                DeltaWrites.append(wh, table, rowsOf.apply(new String[] {IngestTransforms.NEW}), partitionBy);
            }
        }

        private Dataset<Row> withMetadata(Dataset<Row> rows, StructType schema) {
            return accepted(rows, schema)
                    .withColumn("delivery_date", lit(java.sql.Date.valueOf(date)))
                    .withColumn("ingest_run_id", lit(runId));
        }

        private Dataset<Row> accepted(Dataset<Row> classified, StructType schema) {
            List<Column> columns = new ArrayList<>();
            for (String name : schema.fieldNames()) {
                columns.add(col(name));
            }
            columns.add(col(ParsedLines.SOURCE_FILE));
            return classified.select(columns.toArray(Column[]::new));
        }

        private static StructType dataSchema(Dataset<Row> parsed) {
            StructType schema = new StructType();
            for (var field : parsed.schema().fields()) {
                if (!List.of(ParsedLines.SOURCE_FILE, ParsedLines.LINE_HASH, ParsedLines.RAW_LINE, ParsedLines.REJECT_REASON,
                        ParsedLines.REJECT_DETAIL).contains(field.name())) {
                    schema = schema.add(field);
                }
            }
            return schema;
        }

        private static Dataset<Row> valid(Dataset<Row> parsed) {
            return parsed.where(col(ParsedLines.REJECT_REASON).isNull());
        }

        /**
         * Parsing runs once: its result is cached (spilling to disk when large) and every later
         * step of the feed reads the cache; {@link #release()} drops it at the end of the run.
         */
        private Dataset<Row> stage(Landing.Feed feed, Dataset<Row> parsed) {
            Dataset<Row> staged = parsed.persist(StorageLevel.MEMORY_AND_DISK());
            cached.add(staged);
            quarantined.add(staged.where(col(ParsedLines.REJECT_REASON).isNotNull())
                    .select(lit(java.sql.Date.valueOf(date)).as("delivery_date"), lit(feed.folder).as("feed"),
                            col(ParsedLines.SOURCE_FILE), col(ParsedLines.REJECT_REASON).as("reason"),
                            col(ParsedLines.REJECT_DETAIL).as("detail"), col(ParsedLines.RAW_LINE),
                            lit(runId).as("ingest_run_id")));
            return staged;
        }

        private void release() {
            // Newest first: uncaching a dataset another cached one is built on makes Spark re-plan the dependent.
            java.util.Collections.reverse(cached);
            cached.forEach(Dataset::unpersist);
        }

        /** Counts the feed's lines (one pass over the stage, one over the classification) and checks they add up. */
        private Map<String, Long> record(Landing.Feed feed, int fileCount, Dataset<Row> parsed, Dataset<Row> classified) {
            Row totals = parsed.agg(count(lit(1)), count(col(ParsedLines.REJECT_REASON))).first();
            Map<String, Long> dispositions = new HashMap<>();
            classified.groupBy(IngestTransforms.DISPOSITION).count().collectAsList()
                    .forEach(r -> dispositions.put(r.getString(0), r.getLong(1)));
            long duplicates = dispositions.getOrDefault(IngestTransforms.DUPLICATE, 0L);
            long accepted = dispositions.values().stream().mapToLong(Long::longValue).sum() - duplicates;
            var feedCounts = new IngestReport.FeedCounts(feed.folder, fileCount, totals.getLong(0), accepted,
                    totals.getLong(1), duplicates);
            if (!feedCounts.balanced()) {
                throw new RunStoppedException("counts of " + feed.folder + " for " + date + " do not add up: " + feedCounts);
            }
            counts.add(feedCounts);
            return dispositions;
        }

        /** @return the quarantine count per reason */
        private Map<String, Long> writeQuarantine() {
            Dataset<Row> all = quarantined.stream().reduce(Dataset::unionByName).orElseThrow();
            DeltaWrites.replaceSlice(wh, Tables.BRONZE_QUARANTINE, all, "delivery_date = '" + date + "'");
            Map<String, Long> reasons = new java.util.TreeMap<>();
            all.groupBy("reason").count().collectAsList().forEach(r -> reasons.put(r.getString(0), r.getLong(1)));
            return reasons;
        }

        private void inParallel(List<Runnable> steps) {
            com.partnermix.common.Parallel.run(steps);
        }

        private void writeRunCounts() {
            List<Row> rows = counts.stream().map(c -> org.apache.spark.sql.RowFactory.create(
                    java.sql.Date.valueOf(date), c.feed(), c.files(), c.landingLines(), c.accepted(), c.quarantined(),
                    c.duplicates(), runId)).toList();
            StructType schema = new StructType()
                    .add("delivery_date", "date").add("feed", "string").add("files", "int")
                    .add("landing_lines", "long").add("accepted", "long").add("quarantined", "long")
                    .add("duplicates", "long").add("ingest_run_id", "string");
            DeltaWrites.replaceSlice(wh, Tables.BRONZE_INGEST_RUNS, spark.createDataFrame(rows, schema),
                    "delivery_date = '" + date + "'");
        }

        private Map<String, CsvRecords.Header> headers(List<String> feedFiles, List<String> columns) {
            Map<String, CsvRecords.Header> headers = new HashMap<>();
            for (String file : feedFiles) {
                String header = landing.header(file);
                headers.put(Landing.relative(file), CsvRecords.Header.of(header, columns, file));
            }
            return headers;
        }

        private static LineParser csvParser(Map<String, CsvRecords.Header> headers, CsvRowParser rowParser) {
            return (file, line) -> {
                CsvRecords.Header header = headers.get(file);
                if (header == null) {
                    throw new IllegalStateException("no header known for " + file);
                }
                if (header.isHeaderLine(line)) {
                    return null;
                }
                return rowParser.parse(header, line);
            };
        }
    }

    @FunctionalInterface
    interface CsvRowParser extends java.io.Serializable {
        Row parse(CsvRecords.Header header, String line);
    }
}
