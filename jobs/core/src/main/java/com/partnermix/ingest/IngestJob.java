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
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

/**
 * {@code ingest --date D} (or {@code --from D1 --to D2}: the delivery days of a range in one pass, as if each
 * had been ingested in order): reads delivery day D of every landing feed into the bronze Delta tables. Each line
 * is accepted, quarantined with its reason, or dropped as a duplicate of a record already stored, and the job
 * prints those counts per feed and delivery day (they always add up to the landing lines). Rerunning a date gives
 * the same tables.
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

    /** Delivery days of a range read in one pass unless --days-per-pass says otherwise (a month). */
    public static final int DAYS_PER_PASS = 31;

    /**
     * A backfill of many delivery days is one job and, per {@code --days-per-pass} days, one pass over the feeds:
     * the fixed cost of a run (listing, planning, Delta commits) is paid once per pass instead of once per day.
     */
    public static final class Options {
        @Option(names = "--from", paramLabel = "YYYY-MM-DD", converter = Args.DateConverter.class,
                description = "first delivery day of a range (with --to, instead of --date)")
        LocalDate from;

        @Option(names = "--to", paramLabel = "YYYY-MM-DD", converter = Args.DateConverter.class,
                description = "last delivery day of the range, included")
        LocalDate to;

        @Option(names = "--days-per-pass", paramLabel = "N", defaultValue = "" + DAYS_PER_PASS,
                description = "delivery days read in one pass of a range (default " + DAYS_PER_PASS
                        + "; 1 = one run per day)")
        int daysPerPass = DAYS_PER_PASS;
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
        Options options = context.options(Options.class);
        List<LocalDate> days = deliveryDays(context.args().date(), options);
        for (List<LocalDate> pass : passes(days, options.daysPerPass)) {
            // Each day holds its own run lock, as `ingest --date` does through the launcher.
            List<RunLock> locks = new ArrayList<>();
            try {
                if (context.args().date() == null) {
                    pass.forEach(day -> locks.add(RunLock.acquire(context.config(), day, name())));
                }
                ingestDays(context.spark(), context.warehouse(), context.config(), pass)
                        .forEach(report -> System.out.println(report.format()));
            } finally {
                java.util.Collections.reverse(locks);
                locks.forEach(RunLock::close);
            }
        }
        return 0;
    }

    /** The days cut into passes of at most {@code daysPerPass} consecutive days, in order. */
    public static List<List<LocalDate>> passes(List<LocalDate> days, int daysPerPass) {
        if (daysPerPass < 1) {
            throw new Args.UsageException("--days-per-pass must be at least 1 (got " + daysPerPass + ")");
        }
        List<List<LocalDate>> passes = new ArrayList<>();
        for (int first = 0; first < days.size(); first += daysPerPass) {
            passes.add(days.subList(first, Math.min(days.size(), first + daysPerPass)));
        }
        return passes;
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
        return ingestDays(spark, wh, config, List.of(date)).get(0);
    }

    /**
     * Delivery days in one pass, with the tables and counts that ingesting them one by one in date order gives:
     * the first delivery of a key wins, a copy delivered on a later day of the pass is that day's duplicate, and
     * each day is checked against the partner catalog and clock of its own delivery. One report per day.
     */
    public static List<IngestReport> ingestDays(SparkSession spark, Warehouse wh, PartnermixConfig config,
                                                List<LocalDate> days) {
        List<LocalDate> sorted = days.stream().distinct().sorted().toList();
        if (sorted.isEmpty()) {
            throw new IllegalArgumentException("no delivery day to ingest");
        }
        return new Run(spark, wh, config, sorted).execute();
    }

    /** Spark's switch for compressing cached columns (see {@code Run.execute}). */
    static final String CACHE_COMPRESSED = "spark.sql.inMemoryColumnarStorage.compressed";

    /** Each parsed line's delivery day (from its dt= folder); the day of the rows it gives. */
    static final String DELIVERY_DATE = "delivery_date";

    /** The HMAC key of this run; refuses an empty salt, and the demo salt outside the embedded demo. */
    static String salt(PartnermixConfig config) {
        return config.privacy().saltFor(config.paths(), System.getenv().getOrDefault("PARTNERMIX_HOME", "."));
    }

    /**
     * One pass over delivery days (one night's ingest, or a range); a class so that the per-feed steps share their
     * inputs without long argument lists. Every row carries its delivery day, read from its dt= folder.
     */
    private static final class Run {
        private final SparkSession spark;
        private final Warehouse wh;
        private final PartnermixConfig config;
        private final List<LocalDate> days;
        private final LocalDate last;
        private final Map<LocalDate, Landing> landings = new java.util.LinkedHashMap<>();
        private final Pii pii;
        private final List<Dataset<Row>> quarantined = java.util.Collections.synchronizedList(new ArrayList<>());
        private final List<Dataset<Row>> cached = java.util.Collections.synchronizedList(new ArrayList<>());
        private final Map<LocalDate, List<IngestReport.FeedCounts>> counts = new java.util.concurrent.ConcurrentHashMap<>();
        private final com.partnermix.common.StepTimer timer = new com.partnermix.common.StepTimer();

        Run(SparkSession spark, Warehouse wh, PartnermixConfig config, List<LocalDate> days) {
            this.spark = spark;
            this.wh = wh;
            this.config = config;
            this.days = days;
            this.last = days.get(days.size() - 1);
            days.forEach(day -> landings.put(day, new Landing(spark, config.paths().landing(), day)));
            this.pii = new Pii(salt(config), config.privacy().ipv4PrefixBits(), config.privacy().ipv6PrefixBits(),
                    config.privacy().hashIpPrefix(), config.privacy().urlParamsKept());
            days.forEach(day -> counts.put(day, java.util.Collections.synchronizedList(new ArrayList<>())));
        }

        List<IngestReport> execute() {
            // The parsed lines are cached once and read by every later step: an uncompressed cache is quicker to
            // build and read (the 10M-line month: about 189 -> 176 s, docs/benchmarks.md) and is dropped when the
            // run ends. A value named in spark.settings wins; the session's own value is put back after.
            boolean chosenByUser = config.spark().settings().containsKey(CACHE_COMPRESSED);
            try (var uncompressed = com.partnermix.common.SparkSessions.withSettings(spark,
                    chosenByUser ? Map.of() : Map.of(CACHE_COMPRESSED, "false"))) {
                return executeSteps();
            } finally {
                release();
            }
        }

        private List<IngestReport> executeSteps() {
            // List and check every feed of every day first: a missing feed or a truncated file stops the run
            // before anything is written.
            Map<Landing.Feed, DayFiles> files = new HashMap<>();
            for (Landing.Feed feed : Landing.Feed.values()) {
                DayFiles byDay = new DayFiles();
                landings.forEach((day, landing) -> {
                    byDay.put(day, landing.files(feed));
                    landing.checkComplete(byDay.get(day));
                });
                files.put(feed, byDay);
            }
            timer.lap("list");
            ingestPartners(files.get(Landing.Feed.PARTNERS));
            Map<String, LocalDate> knownPartners = partnersKnownSince();
            timer.lap("partners");
            // The other feeds write different tables and need only the catalog: they run side by
            // side, so Spark overlaps their many small jobs and Delta commits.
            inParallel(List.of(
                    this::rebuildPartnerDimension,
                    () -> ingestCsvFeed(Landing.Feed.FX_RATES, files.get(Landing.Feed.FX_RATES), Contract.FX_COLUMNS,
                            CsvRecords.FX_SCHEMA, CsvRecords::fxRate, Tables.BRONZE_FX_RATES),
                    () -> ingestCsvFeed(Landing.Feed.SPEND, files.get(Landing.Feed.SPEND), Contract.SPEND_COLUMNS,
                            CsvRecords.SPEND_SCHEMA, CsvRecords::spend, Tables.BRONZE_SPEND),
                    () -> ingestCsvFeed(Landing.Feed.EXPERIMENTS, files.get(Landing.Feed.EXPERIMENTS),
                            Contract.EXPERIMENT_COLUMNS, CsvRecords.EXPERIMENT_SCHEMA, CsvRecords::experiment,
                            Tables.BRONZE_EXPERIMENTS),
                    () -> ingestTouchpoints(files.get(Landing.Feed.TOUCHPOINTS), knownPartners),
                    () -> ingestOrders(files.get(Landing.Feed.ORDERS))));
            timer.lap("feeds");
            Map<LocalDate, Map<String, Long>> reasons = new java.util.concurrent.ConcurrentHashMap<>();
            inParallel(List.of(() -> reasons.putAll(writeQuarantine()), this::writeRunCounts));
            timer.lap("quarantine+runs");
            String timing = days.size() == 1 ? timer.toString() : "one pass over " + days.size() + " delivery days: " + timer;
            List<IngestReport> reports = new ArrayList<>();
            for (LocalDate day : days) {
                List<IngestReport.FeedCounts> ordered = new ArrayList<>(counts.get(day));
                ordered.sort(java.util.Comparator.comparing(c -> Landing.Feed.valueOf(c.feed().toUpperCase()).ordinal()));
                reports.add(new IngestReport(day, ordered, reasons.getOrDefault(day, new java.util.TreeMap<>()), timing,
                        landings.get(day).warnings()));
            }
            return reports;
        }

        /** A feed's files per delivery day, in date order. */
        private static final class DayFiles extends java.util.TreeMap<LocalDate, List<String>> {
            List<String> all() {
                return values().stream().flatMap(List::stream).toList();
            }

            /** Each file's delivery day, by the name its lines carry ({@link Landing#relative}): known from the listing. */
            HashMap<String, LocalDate> dayOfFile() {
                HashMap<String, LocalDate> days = new HashMap<>();
                forEach((day, files) -> files.forEach(file -> days.put(Landing.relative(file), day)));
                return days;
            }
        }

        /** The rows' SQL predicate for the slice of these delivery days (the tables' replaceWhere). */
        private String slice(String dateColumn) {
            return dateColumn + " IN (" + String.join(", ", days.stream().map(d -> "DATE'" + d + "'").toList()) + ")";
        }

        private Dataset<Row> linesOf(DayFiles byDay) {
            return landings.get(last).lines(byDay.all());
        }

        private void ingestPartners(DayFiles partnerFiles) {
            Map<String, CsvRecords.Header> headers = headers(partnerFiles.all(), Contract.PARTNER_COLUMNS);
            Dataset<Row> parsed = stage(Landing.Feed.PARTNERS, ParsedLines.parse(linesOf(partnerFiles),
                    csvParser(headers, CsvRecords::partner), CsvRecords.PARTNER_SCHEMA, pii));
            // A snapshot is the whole catalog of its day: one row per partner, the first copy wins.
            Dataset<Row> classified = IngestTransforms.classifyDuplicates(valid(parsed), null,
                    List.of(DELIVERY_DATE, "partner_id"), col(DELIVERY_DATE));
            Dataset<Row> snapshot = accepted(classified.where(col(IngestTransforms.DISPOSITION)
                            .equalTo(IngestTransforms.NEW)), CsvRecords.PARTNER_SCHEMA, col(DELIVERY_DATE).as("snapshot_date"));
            DeltaWrites.replaceSlice(wh, Tables.BRONZE_PARTNER_SNAPSHOTS, snapshot, slice("snapshot_date"));
            record(Landing.Feed.PARTNERS, partnerFiles, linesPerDay(parsed, null).perDay(), classified);
        }

        /** The dimension as of the last day: a rerun or a backfill of it must not see the catalog of a later day. */
        private void rebuildPartnerDimension() {
            DeltaWrites.overwrite(wh, Tables.SILVER_DIM_PARTNER,
                    IngestTransforms.partnerDimension(wh.read(Tables.BRONZE_PARTNER_SNAPSHOTS)
                            .where(col("snapshot_date").leq(lit(java.sql.Date.valueOf(last))))));
        }

        /**
         * Each partner id of the catalog snapshots up to the last day, with its first snapshot: a touch delivered
         * on day D may name it from that day on. A small, bounded map (the catalog's size).
         */
        private Map<String, LocalDate> partnersKnownSince() {
            List<Row> ids = wh.read(Tables.BRONZE_PARTNER_SNAPSHOTS)
                    .where(col("snapshot_date").leq(lit(java.sql.Date.valueOf(last))))
                    .groupBy("partner_id").agg(org.apache.spark.sql.functions.min("snapshot_date")).collectAsList();
            Map<String, LocalDate> known = new HashMap<>();
            ids.forEach(r -> known.put(r.getString(0), r.getDate(1).toLocalDate()));
            return known;
        }

        private void ingestCsvFeed(Landing.Feed feed, DayFiles feedFiles, List<String> columns, StructType schema,
                                   CsvRowParser rowParser, Table table) {
            Map<String, CsvRecords.Header> headers = headers(feedFiles.all(), columns);
            Dataset<Row> parsed = stage(feed, ParsedLines.parse(linesOf(feedFiles),
                    csvParser(headers, rowParser), schema, pii));
            // Rates, spend and lift tests may be corrected by a later delivery: exact copies are duplicates,
            // a changed value is a new row, and readers take the latest delivery per natural key.
            List<String> keys = Arrays.asList(schema.fieldNames());
            insertOnce(feed, table, feedFiles, parsed, keys, null);
        }

        private void ingestTouchpoints(DayFiles touchFiles, Map<String, LocalDate> partnersKnownSince) {
            // The clock check is relative to each line's own delivery day.
            Map<LocalDate, TouchpointParser> parsers = new HashMap<>();
            days.forEach(day -> parsers.put(day, new TouchpointParser(pii, config.ingest().maxIdLength(), day,
                    config.ingest().maxFutureSkewHours())));
            HashMap<String, LocalDate> dayOfFile = touchFiles.dayOfFile();
            LineParser withPartnerCheck = (file, line) -> {
                LocalDate day = dayOfFile.get(file);
                Row row = parsers.get(day).parse(line);
                String partnerId = row.getString(5);
                if (partnerId != null && "affiliate".equals(row.getString(4))) {
                    LocalDate since = partnersKnownSince.get(partnerId);
                    if (since == null || since.isAfter(day)) {
                        throw new Rejection("unknown_partner", "partner_id " + partnerId + " is not in the partner catalog");
                    }
                }
                return row;
            };
            Dataset<Row> parsed = stage(Landing.Feed.TOUCHPOINTS,
                    ParsedLines.parse(linesOf(touchFiles), withPartnerCheck, TouchpointParser.SCHEMA, pii));
            // Re-deliveries repeat the event, so its event_date: only the batch's dates need to be scanned.
            insertOnce(Landing.Feed.TOUCHPOINTS, Tables.BRONZE_TOUCHPOINTS, touchFiles, parsed,
                    List.of("event_id"), "event_date", "event_date");
        }

        private void ingestOrders(DayFiles orderFiles) {
            OrderParser parser = new OrderParser(config.ingest().maxIdLength());
            Dataset<Row> parsed = stage(Landing.Feed.ORDERS,
                    ParsedLines.parse(linesOf(orderFiles), (file, line) -> parser.parse(line), OrderParser.SCHEMA, pii));
            // An order version is (order_id, updated_ts); the history of versions is kept.
            insertOnce(Landing.Feed.ORDERS, Tables.BRONZE_ORDERS, orderFiles, parsed,
                    List.of("order_id", "updated_ts"), null);
        }

        /**
         * @param prunedBy a column every copy of a key repeats (touchpoints: {@code event_date}): only the stored
         *                 rows with this run's values of it are read to find copies; null reads every stored key
         */
        private void insertOnce(Landing.Feed feed, Table table, DayFiles feedFiles, Dataset<Row> parsed,
                                List<String> keys, String prunedBy, String... partitionBy) {
            StructType schema = dataSchema(parsed);
            LinesPerDay lines = linesPerDay(parsed, prunedBy);
            Column pruning = prunedBy == null ? null
                    : lines.values().isEmpty() ? lit(false) : col("t." + prunedBy).isin(lines.values().toArray());
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
            long validRows = lines.perDay().values().stream().mapToLong(l -> l[0] - l[1]).sum();
            Dataset<Row> classified = classify(valid(parsed), stored, keys, validRows);
            Map<String, Long> dispositions = record(feed, feedFiles, lines.perDay(), classified);
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

        /**
         * From {@code ingest.rank_keys_only_from_rows} valid rows on, a feed ranks only the keys delivered twice or
         * already stored, found first by shuffling keys alone: the whole rows are then read from the cache, not
         * shuffled and sorted (with the parser's blank-line check, the 10M-line month: about 191 -> 166 s,
         * docs/benchmarks.md). When those keys are few, Spark broadcasts them (it knows a cached table's size).
         * A smaller delivery ranks all its rows in one step: finding the keys first costs more Spark jobs than its
         * shuffle. So does a run where most keys need ranking (a rerun of a stored night).
         */
        private Dataset<Row> classify(Dataset<Row> valid, Dataset<Row> stored, List<String> keys, long validRows) {
            if (validRows < config.ingest().rankKeysOnlyFromRows()) {
                return IngestTransforms.classifyDuplicates(valid, stored, keys, col(DELIVERY_DATE));
            }
            Dataset<Row> toRank = IngestTransforms.keysToRank(valid, stored, keys).persist(StorageLevel.MEMORY_AND_DISK());
            if (toRank.count() * 2 > validRows) {
                toRank.unpersist();
                return IngestTransforms.classifyDuplicates(valid, stored, keys, col(DELIVERY_DATE));
            }
            cached.add(toRank);
            // The ranked rows are cached: record() counts them and the write writes them without ranking them again.
            Dataset<Row> ranked = IngestTransforms.classifyDuplicates(IngestTransforms.rowsToRank(valid, keys, toRank),
                    stored, keys, col(DELIVERY_DATE)).persist(StorageLevel.MEMORY_AND_DISK());
            cached.add(ranked);
            return IngestTransforms.rowsDeliveredOnce(valid, keys, toRank).unionByName(ranked);
        }

        private Dataset<Row> withMetadata(Dataset<Row> rows, StructType schema) {
            return accepted(rows, schema, col(DELIVERY_DATE).as("delivery_date"), runId(col(DELIVERY_DATE)));
        }

        /** The run id of a delivery day's rows: {@code ingest:YYYY-MM-DD}, whether ingested alone or in a range. */
        private static Column runId(Column deliveryDate) {
            return org.apache.spark.sql.functions.concat(lit("ingest:"), deliveryDate.cast("string")).as("ingest_run_id");
        }

        private Dataset<Row> accepted(Dataset<Row> classified, StructType schema, Column... after) {
            List<Column> columns = new ArrayList<>();
            for (String name : schema.fieldNames()) {
                columns.add(col(name));
            }
            columns.add(col(ParsedLines.SOURCE_FILE));
            columns.addAll(Arrays.asList(after));
            return classified.select(columns.toArray(Column[]::new));
        }

        private static StructType dataSchema(Dataset<Row> parsed) {
            StructType schema = new StructType();
            for (var field : parsed.schema().fields()) {
                if (!List.of(ParsedLines.SOURCE_FILE, ParsedLines.LINE_HASH, ParsedLines.RAW_LINE, ParsedLines.REJECT_REASON,
                        ParsedLines.REJECT_DETAIL, DELIVERY_DATE).contains(field.name())) {
                    schema = schema.add(field);
                }
            }
            return schema;
        }

        private static Dataset<Row> valid(Dataset<Row> parsed) {
            return parsed.where(col(ParsedLines.REJECT_REASON).isNull());
        }

        /**
         * Parsing runs once: its result, with each line's delivery day, is cached (spilling to disk when large)
         * and every later step of the feed reads the cache; {@link #release()} drops it at the end of the run.
         */
        private Dataset<Row> stage(Landing.Feed feed, Dataset<Row> parsed) {
            Dataset<Row> staged = parsed.withColumn(DELIVERY_DATE, Landing.deliveryDay(col(ParsedLines.SOURCE_FILE)))
                    .persist(StorageLevel.MEMORY_AND_DISK());
            cached.add(staged);
            quarantined.add(staged.where(col(ParsedLines.REJECT_REASON).isNotNull())
                    .select(col(DELIVERY_DATE).as("delivery_date"), lit(feed.folder).as("feed"),
                            col(ParsedLines.SOURCE_FILE), col(ParsedLines.REJECT_REASON).as("reason"),
                            col(ParsedLines.REJECT_DETAIL).as("detail"), col(ParsedLines.RAW_LINE),
                            runId(col(DELIVERY_DATE))));
            return staged;
        }

        private void release() {
            // Newest first: uncaching a dataset another cached one is built on makes Spark re-plan the dependent.
            java.util.Collections.reverse(cached);
            cached.forEach(Dataset::unpersist);
        }

        /**
         * @param perDay the lines and rejected lines of each delivery day
         * @param values the distinct values of the valid rows' {@code prunedBy} column (empty without one)
         */
        private record LinesPerDay(Map<LocalDate, long[]> perDay, List<Object> values) {}

        /** The feed's lines and rejected lines per delivery day, and the valid rows' values of {@code prunedBy}: one pass. */
        private static LinesPerDay linesPerDay(Dataset<Row> parsed, String prunedBy) {
            Map<LocalDate, long[]> lines = new HashMap<>();
            java.util.Set<Object> values = new java.util.LinkedHashSet<>();
            Column valueOf = prunedBy == null ? lit(null) : col(prunedBy);
            // A rejected line's columns are null, so a non-null value is a valid row's.
            parsed.groupBy(col(DELIVERY_DATE), valueOf.as("value"))
                    .agg(count(lit(1)), count(col(ParsedLines.REJECT_REASON))).collectAsList()
                    .forEach(r -> {
                        long[] day = lines.computeIfAbsent(r.getDate(0).toLocalDate(), d -> new long[2]);
                        day[0] += r.getLong(2);
                        day[1] += r.getLong(3);
                        if (!r.isNullAt(1)) {
                            values.add(r.get(1));
                        }
                    });
            return new LinesPerDay(lines, new ArrayList<>(values));
        }

        /**
         * Counts the classification per delivery day (one pass over it) and checks that the counts add up to the
         * feed's {@link #linesPerDay}, before anything is written; returns the dispositions over all days.
         */
        private Map<String, Long> record(Landing.Feed feed, DayFiles feedFiles, Map<LocalDate, long[]> lines,
                                         Dataset<Row> classified) {
            Map<LocalDate, Map<String, Long>> byDay = new HashMap<>();
            Map<String, Long> dispositions = new HashMap<>();
            classified.groupBy(col(DELIVERY_DATE), col(IngestTransforms.DISPOSITION)).count().collectAsList()
                    .forEach(r -> {
                        byDay.computeIfAbsent(r.getDate(0).toLocalDate(), d -> new HashMap<>()).put(r.getString(1), r.getLong(2));
                        dispositions.merge(r.getString(1), r.getLong(2), Long::sum);
                    });
            for (LocalDate day : days) {
                long[] totals = lines.getOrDefault(day, new long[2]);
                Map<String, Long> dayDispositions = byDay.getOrDefault(day, Map.of());
                long duplicates = dayDispositions.getOrDefault(IngestTransforms.DUPLICATE, 0L);
                long accepted = dayDispositions.values().stream().mapToLong(Long::longValue).sum() - duplicates;
                var feedCounts = new IngestReport.FeedCounts(feed.folder, feedFiles.getOrDefault(day, List.of()).size(),
                        totals[0], accepted, totals[1], duplicates);
                if (!feedCounts.balanced()) {
                    throw new RunStoppedException("counts of " + feed.folder + " for " + day + " do not add up: " + feedCounts);
                }
                counts.get(day).add(feedCounts);
            }
            return dispositions;
        }

        /** @return the quarantine count per delivery day and reason */
        private Map<LocalDate, Map<String, Long>> writeQuarantine() {
            Dataset<Row> all = quarantined.stream().reduce(Dataset::unionByName).orElseThrow();
            DeltaWrites.replaceSlice(wh, Tables.BRONZE_QUARANTINE, all, slice("delivery_date"));
            Map<LocalDate, Map<String, Long>> reasons = new HashMap<>();
            all.groupBy("delivery_date", "reason").count().collectAsList().forEach(r -> reasons
                    .computeIfAbsent(r.getDate(0).toLocalDate(), d -> new java.util.TreeMap<>())
                    .put(r.getString(1), r.getLong(2)));
            return reasons;
        }

        private void inParallel(List<Runnable> steps) {
            com.partnermix.common.Parallel.run(steps);
        }

        private void writeRunCounts() {
            List<Row> rows = new ArrayList<>();
            for (LocalDate day : days) {
                for (IngestReport.FeedCounts c : counts.get(day)) {
                    rows.add(org.apache.spark.sql.RowFactory.create(java.sql.Date.valueOf(day), c.feed(), c.files(),
                            c.landingLines(), c.accepted(), c.quarantined(), c.duplicates(), "ingest:" + day));
                }
            }
            StructType schema = new StructType()
                    .add("delivery_date", "date").add("feed", "string").add("files", "int")
                    .add("landing_lines", "long").add("accepted", "long").add("quarantined", "long")
                    .add("duplicates", "long").add("ingest_run_id", "string");
            DeltaWrites.replaceSlice(wh, Tables.BRONZE_INGEST_RUNS, spark.createDataFrame(rows, schema),
                    slice("delivery_date"));
        }

        private Map<String, CsvRecords.Header> headers(List<String> feedFiles, List<String> columns) {
            Map<String, CsvRecords.Header> headers = new HashMap<>();
            for (String file : feedFiles) {
                String header = landings.get(last).header(file);
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
