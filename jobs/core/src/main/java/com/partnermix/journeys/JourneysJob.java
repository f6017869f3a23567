package com.partnermix.journeys;

import com.partnermix.job.Job;
import com.partnermix.job.JobContext;
import com.partnermix.common.DeltaWrites;
import com.partnermix.common.FxRates;
import com.partnermix.common.Parallel;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.common.StepTimer;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.storage.StorageLevel;

import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.when;

/**
 * {@code journeys --date D}: identity stitching, sessions and customer journeys (silver).
 *
 * <p>Everything is derived from the bronze rows delivered up to D, so the result depends on the
 * data, not on the order nights ran in. The identity map is recomputed whole (it is small: one
 * row per device); sessions and journeys are rebuilt only for the affected persons: those with
 * rows delivered on D (late touches and order updates included), those whose identity changed,
 * and those with a touch whose lookback window ends on D (a non-converting journey closes). Their
 * rows are replaced in one MERGE per table; nothing else is rewritten. The first run rebuilds all.
 */
public final class JourneysJob implements Job {

    @Override
    public String name() {
        return "journeys";
    }

    @Override
    public String summary() {
        return "identity stitching, sessions and journeys for --date -> silver tables";
    }

    @Override
    public int run(JobContext context) {
        System.out.println(build(context.warehouse(), context.config(), context.date()).format());
        return 0;
    }

    /** What one night did, for the console and the benchmark. */
    public record Report(LocalDate date, long touchpoints, long devices, long guardedIds, int identityRounds, long affectedPersons,
                         long sessions, long journeys, long converting, long touches, String timings) {
        public String format() {
            return String.format("journeys %s: %,d touchpoints, %,d devices (%,d ids guarded, %d rounds), %,d persons "
                            + "rebuilt: %,d sessions, %,d journeys (%,d converting), %,d touches [%s]",
                    date, touchpoints, devices, guardedIds, identityRounds, affectedPersons, sessions, journeys, converting,
                    touches, timings);
        }
    }

    /**
     * Spark's switch for its object-hash aggregate, which it picks for collect_list. Sessions and journeys group rows
     * that come sorted by person into very many small groups (5.6M sessions of about two events at bench size):
     * there the object-hash aggregate outgrows its map after 128 groups, sorts anyway and builds a new buffer for
     * every group, where the sort-based aggregate reuses one (measured on 10.6M touchpoints: the sessions stage
     * 129 -> 103 s of task time). Off while this job runs; the session's own value is put back after.
     */
    private static final String OBJECT_HASH_AGGREGATE = "spark.sql.execution.useObjectHashAggregateExec";

    public static Report build(Warehouse wh, PartnermixConfig config, LocalDate date) {
        StepTimer timer = new StepTimer();
        List<Dataset<Row>> cached = new ArrayList<>();
        UnaryOperator<Dataset<Row>> persistForTheNight = rows -> {
            Dataset<Row> persisted = rows.persist(StorageLevel.MEMORY_AND_DISK());
            cached.add(persisted);
            return persisted;
        };
        Runnable releaseTheNight = () -> {
            // Newest first: uncaching a dataset another cached one is built on makes Spark re-plan the dependent.
            java.util.Collections.reverse(cached);
            cached.forEach(Dataset::unpersist);
            cached.clear();
        };
        try (var sortAggregate = com.partnermix.common.SparkSessions.withSettings(wh.spark(),
                Map.of(OBJECT_HASH_AGGREGATE, "false"))) {
            return new Night(wh, config, date, timer, persistForTheNight, releaseTheNight,
                    new TouchRules(config.journeys())).execute();
        } finally {
            releaseTheNight.run();
        }
    }

    /** The bronze rows delivered by D: the touchpoints (not cached) and the order versions (cached). */
    private record Bronze(Dataset<Row> touchpoints, Dataset<Row> orderVersions, long touchpointCount) {}

    /** What the night rebuilds for the affected persons. */
    private record Rebuilt(Dataset<Row> sessions, Dataset<Row> journeys, Dataset<Row> journeyTouches,
                           Dataset<Row> openJourneys) {}

    /**
     * @param persistForTheNight caches a dataset until the night ends (several later steps read it)
     * @param releaseTheNight    drops those caches
     */
    private record Night(Warehouse wh, PartnermixConfig config, LocalDate date, StepTimer timer,
                         UnaryOperator<Dataset<Row>> persistForTheNight, Runnable releaseTheNight, TouchRules rules) {

        Report execute() {
            Bronze bronze = readBronze();
            timer.lap("read");
            String checkpoints = config.paths().checkpoints() + "/identity/" + date;
            IdentityStitching.Result identity = stitch(bronze, checkpoints);
            long devices = identity.identityMap().count();
            timer.lap("identity");

            Dataset<Row> persons = IdentityStitching.personsForJoin(identity.identityMap(), devices, config.identity());
            Dataset<Row> events = eventsWithRegion(bronze.touchpoints(), persons, rules);
            Dataset<Row> partnerVersions = partnerVersions(wh.read(Tables.SILVER_DIM_PARTNER));
            Dataset<Row> affected = persistForTheNight.apply(affectedPersons(persons,
                    asTouches(events, partnerVersions, rules), identity.identityMap(), bronze.orderVersions()));
            long affectedCount = affected.count();
            timer.lap("affected");

            Rebuilt rebuilt = rebuild(events, bronze.orderVersions(), persons, partnerVersions, affected, devices);
            long sessionCount = rebuilt.sessions().count();
            timer.lap("sessions");
            Row journeyCounts = rebuilt.journeys().agg(count(lit(1)), count(when(col("is_converted"), 1))).first();
            long journeyCount = journeyCounts.getLong(0);
            long converting = journeyCounts.getLong(1);
            long touchCount = rebuilt.journeyTouches().count();
            timer.lap("build");

            writeRebuilt(rebuilt, affected);
            timer.lap("write");
            // Spark plans every cached dataset that reads a table again when the table is written, and most of
            // tonight's read the identity map: they go first.
            releaseTheNight.run();
            writeIdentity(identity);
            timer.lap("identity_write");
            deleteFolder(checkpoints);   // scratch of this run only: every table is written
            return new Report(date, bronze.touchpointCount(), devices, identity.guarded().count(), identity.iterations(),
                    affectedCount, sessionCount, journeyCount, converting, touchCount, timer.toString());
        }

        Bronze readBronze() {
            // Not cached: building an in-memory copy of every touchpoint cost more (about a minute at 10M rows)
            // than the scans of the Delta files it saves (identity reads three columns; the events are read for
            // the affected persons and for the sessions).
            Dataset<Row> touchpoints = touchpointColumns(deliveredBy(wh.read(Tables.BRONZE_TOUCHPOINTS), date));
            Dataset<Row> orderVersions = persistForTheNight.apply(deliveredBy(wh.read(Tables.BRONZE_ORDERS), date));
            long touchpointCount = touchpoints.count();
            orderVersions.count();
            return new Bronze(touchpoints, orderVersions, touchpointCount);
        }

        /**
         * The identity map and guard list, checkpointed by the stitching, not cached: that cuts the propagation
         * rounds out of every later plan (whose text Spark would otherwise render again for each cached dataset
         * built on it).
         */
        IdentityStitching.Result stitch(Bronze bronze, String checkpoints) {
            wh.spark().sparkContext().setCheckpointDir(checkpoints);
            UnaryOperator<Dataset<Row>> checkpoint = config.identity().reliableCheckpoints()
                    ? rows -> rows.checkpoint(true) : rows -> rows.localCheckpoint(true);
            return IdentityStitching.stitch(IdentityStitching.sightings(bronze.touchpoints(), bronze.orderVersions()),
                    config.identity(), checkpoint);
        }

        /** Sessions, journeys and journey touches of the affected persons. */
        Rebuilt rebuild(Dataset<Row> events, Dataset<Row> orderVersions, Dataset<Row> persons,
                        Dataset<Row> partnerVersions, Dataset<Row> affected, long devices) {
            // A full rebuild (first run) needs no filtering: it would only shuffle every event once more.
            boolean everyone = !wh.exists(Tables.SILVER_JOURNEYS) || !wh.exists(Tables.SILVER_IDENTITY_MAP)
                    || !wh.exists(Tables.SILVER_OPEN_JOURNEYS);
            UnaryOperator<Dataset<Row>> ofAffected = rows -> everyone ? rows
                    : rows.join(affected, ScalaSeqs.of("person_id"), "left_semi");
            // One pass over the events gives the sessions and each session's touches: only those are kept, not
            // every event (the touches still come partitioned by person, as the journeys need them).
            Dataset<Row> sessionRows = persistForTheNight.apply(Sessionizer.sessionsWithTouches(
                    Sessionizer.withSessionStart(ofAffected.apply(events), rules.sessionGapSeconds())));
            Dataset<Row> affectedTouches = asTouches(Sessionizer.touches(sessionRows), partnerVersions, rules)
                    .withColumnRenamed("event_ts", "touch_ts");
            Dataset<Row> orders = ofAffected.apply(
                    currentOrders(orderVersions, persons, wh.read(Tables.BRONZE_FX_RATES), rules, date));
            Timestamp runEnd = Timestamp.from(date.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC));
            // A person's order list is smaller than the person's identity map rows: broadcast under the same limit.
            boolean fewOrders = devices <= config.identity().broadcastMaxDevices();
            JourneyBuilder.Built built = JourneyBuilder.build(affectedTouches, orders, runEnd,
                    rules.defaultLookbackSeconds(), fewOrders, persistForTheNight);
            // The journey touches are an explode of the cached per-journey rows: not cached again.
            return new Rebuilt(sessionRows.drop("touches"), persistForTheNight.apply(built.journeys()), built.touches(),
                    built.openJourneys());
        }

        /**
         * Journeys first, the identity map last (see {@link #writeIdentity}): a crash in between leaves the old map,
         * so a rerun sees the same identity changes and rebuilds the same persons.
         */
        void writeRebuilt(Rebuilt rebuilt, Dataset<Row> affected) {
            Parallel.run(List.of(
                    () -> {
                        recordChanges(rebuilt.journeys(), affected);   // reads the journeys as they were before ...
                        DeltaWrites.replaceGroups(wh, Tables.SILVER_JOURNEYS, rebuilt.journeys(), affected,  // ... this
                                "person_id", List.of("journey_id"));
                    },
                    () -> DeltaWrites.replaceGroups(wh, Tables.SILVER_SESSIONS, rebuilt.sessions(), affected,
                            "person_id", List.of("session_id")),
                    () -> DeltaWrites.replaceGroups(wh, Tables.SILVER_JOURNEY_TOUCHES, rebuilt.journeyTouches(),
                            affected, "person_id", List.of("journey_id", "event_id")),
                    () -> DeltaWrites.replaceGroups(wh, Tables.SILVER_OPEN_JOURNEYS, rebuilt.openJourneys(),
                            affected, "person_id", List.of("journey_id"))));
        }

        /** run_date: the night whose state the silver tables now hold (see affectedPersons). */
        void writeIdentity(IdentityStitching.Result identity) {
            Parallel.run(List.of(
                    () -> DeltaWrites.overwrite(wh, Tables.SILVER_IDENTITY_MAP,
                            identity.identityMap().withColumn("run_date", lit(java.sql.Date.valueOf(date)))),
                    () -> DeltaWrites.overwrite(wh, Tables.SILVER_IDENTITY_GUARDED,
                            identity.guarded().withColumn("run_date", lit(java.sql.Date.valueOf(date))))));
        }

        private void deleteFolder(String location) {
            try {
                org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(location);
                path.getFileSystem(wh.spark().sparkContext().hadoopConfiguration()).delete(path, true);
            } catch (java.io.IOException e) {
                System.err.println("journeys: could not remove scratch checkpoints " + location + ": " + e.getMessage());
            }
        }

        /**
         * Persons to rebuild tonight (everyone on the first run). The stored silver tables hold the state of the
         * night that last wrote the identity map (its {@code run_date}, S); tonight must leave them in the state of
         * D. Every input that differs between the two is in the span (spanStart, spanEnd] = (min(S, D - 1), max(S, D)]: rows
         * delivered then, touch windows ending then (a non-converting journey closes), FX rates corrected then,
         * and devices whose person moved. Going forward S is D - 1 (or older after skipped nights); a rerun of D
         * finds S = D, or D - 1 after a crash before the map was written; a backfill of an earlier D finds a later
         * S and so rebuilds everyone whose rows came after D, which puts the tables back in the state of D.
         */
        private Dataset<Row> affectedPersons(Dataset<Row> persons, Dataset<Row> touches, Dataset<Row> identityMap,
                                             Dataset<Row> orderVersions) {
            Optional<LocalDate> stateDate = storedStateDate();
            // A warehouse from before silver.open_journeys: everyone once, so that table holds every open run.
            if (!wh.exists(Tables.SILVER_JOURNEYS) || !wh.exists(Tables.SILVER_OPEN_JOURNEYS) || stateDate.isEmpty()) {
                return identityMap.select("person_id").distinct();   // not persons: that may carry a join hint
            }
            LocalDate spanStart = stateDate.get().isBefore(date.minusDays(1)) ? stateDate.get() : date.minusDays(1);
            LocalDate spanEnd = stateDate.get().isAfter(date) ? stateDate.get() : date;
            Column inSpan = col("delivery_date").gt(lit(java.sql.Date.valueOf(spanStart)))
                    .and(col("delivery_date").leq(lit(java.sql.Date.valueOf(spanEnd))));
            Dataset<Row> storedMap = wh.read(Tables.SILVER_IDENTITY_MAP).select("anonymous_id", "person_id");
            // Rows delivered in the span, also after D (read here unfiltered): their devices' persons now and as stored.
            Dataset<Row> devices = wh.read(Tables.BRONZE_TOUCHPOINTS).where(inSpan).select("anonymous_id")
                    .unionByName(wh.read(Tables.BRONZE_ORDERS).where(inSpan).select("anonymous_id"))
                    .unionByName(ordersWithChangedRates(orderVersions, spanStart, spanEnd).select("anonymous_id"))
                    .distinct();
            Dataset<Row> newData = devices.join(persons, ScalaSeqs.of("anonymous_id")).select("person_id")
                    .unionByName(devices.join(storedMap, ScalaSeqs.of("anonymous_id")).select("person_id"));
            // A non-converting journey closes when the last of its touches' windows ends.
            Column windowEnd = to_date(expr("timestamp_micros(unix_micros(event_ts) + lookback_seconds * 1000000)"));
            Dataset<Row> windowsEnding = touches
                    .where(windowEnd.gt(lit(java.sql.Date.valueOf(spanStart)))
                            .and(windowEnd.leq(lit(java.sql.Date.valueOf(spanEnd)))))
                    .select("person_id");
            Dataset<Row> identityChanged = IdentityStitching.changedPersons(storedMap, identityMap);
            return newData.unionByName(windowsEnding).unionByName(identityChanged).distinct();
        }

        /** The run date of the stored identity map: the night whose state the silver tables hold. */
        private Optional<LocalDate> storedStateDate() {
            if (!wh.exists(Tables.SILVER_IDENTITY_MAP)) {
                return Optional.empty();
            }
            Dataset<Row> stored = wh.read(Tables.SILVER_IDENTITY_MAP);
            if (!List.of(stored.columns()).contains("run_date")) {
                return Optional.empty();   // written before the map carried its night: rebuild everyone once
            }
            Row max = stored.agg(org.apache.spark.sql.functions.max("run_date")).first();
            return max.isNullAt(0) ? Optional.empty() : Optional.of(max.getDate(0).toLocalDate());
        }

        /** Order versions (delivered by D) whose day's USD rate differs between the rates known at spanStart and at spanEnd. */
        private Dataset<Row> ordersWithChangedRates(Dataset<Row> orderVersions, LocalDate spanStart, LocalDate spanEnd) {
            Dataset<Row> fx = wh.read(Tables.BRONZE_FX_RATES);
            Dataset<Row> before = FxRates.dailyCalendar(fx, spanStart, spanEnd.plusDays(2))
                    .withColumnRenamed("usd_per_unit", "before");
            Dataset<Row> after = FxRates.dailyCalendar(fx, spanEnd, spanEnd.plusDays(2))
                    .withColumnRenamed("usd_per_unit", "after");
            Dataset<Row> changed = before.join(after, ScalaSeqs.of("rate_date", "currency"), "full_outer")
                    .where(not(col("before").eqNullSafe(col("after"))))
                    .select(col("rate_date").as("order_date"), col("currency"));
            return orderVersions.join(broadcast(changed), ScalaSeqs.of("order_date", "currency"), "left_semi");
        }

        /** Journeys rebuilt tonight (and those of affected persons that vanished): what attribution must redo. */
        private void recordChanges(Dataset<Row> journeys, Dataset<Row> affected) {
            Dataset<Row> rebuilt = journeys.select("journey_id", "person_id", "order_id");
            if (wh.exists(Tables.SILVER_JOURNEYS)) {
                rebuilt = rebuilt.unionByName(wh.read(Tables.SILVER_JOURNEYS)
                        .join(affected, ScalaSeqs.of("person_id"), "left_semi")
                        .select("journey_id", "person_id", "order_id"));
            }
            Dataset<Row> changes = rebuilt.dropDuplicates("journey_id")
                    .withColumn("run_date", lit(java.sql.Date.valueOf(date)));
            if (!wh.exists(Tables.SILVER_JOURNEY_CHANGES)) {
                DeltaWrites.append(wh, Tables.SILVER_JOURNEY_CHANGES, changes);
                return;
            }
            // A rerun of the night adds to the night's list and never shrinks it: a rerun after a crash
            // between journeys and attribution must still tell attribution everything that changed.
            wh.delta(Tables.SILVER_JOURNEY_CHANGES).as("t")
                    .merge(changes.as("s"), "t.run_date = s.run_date AND t.journey_id = s.journey_id")
                    .whenNotMatched().insertAll()
                    .execute();
        }
    }

    /** Rows delivered by D: a night sees nothing delivered after it, so a backfill sees what D saw. */
    static Dataset<Row> deliveredBy(Dataset<Row> bronzeRows, LocalDate date) {
        return bronzeRows.where(col("delivery_date").leq(lit(java.sql.Date.valueOf(date))));
    }

    /** The touchpoint columns identity, sessions and journeys read. */
    static Dataset<Row> touchpointColumns(Dataset<Row> touchpoints) {
        return touchpoints.select("event_id", "event_ts", "event_date", "event_type", "channel", "partner_id",
                "anonymous_id", "user_id", "page_type", "coupon_code", "device_type", "country", "delivery_date");
    }

    /** The events with their person and region. */
    static Dataset<Row> eventsWithRegion(Dataset<Row> touchpoints, Dataset<Row> persons, TouchRules rules) {
        return touchpoints.join(persons, ScalaSeqs.of("anonymous_id")).withColumn("region", rules.region(col("country")));
    }

    /** Every version of every partner, as {@link #withPartner} matches them (few: broadcast). */
    static Dataset<Row> partnerVersions(Dataset<Row> dimPartner) {
        return broadcast(dimPartner.select(col("partner_id").as("dim_partner_id"), col("partner_type"),
                col("region").as("partner_region"), col("valid_from"), col("valid_to")));
    }

    /** The impressions and clicks among the events, with their partner, funnel stage and lookback. */
    static Dataset<Row> asTouches(Dataset<Row> events, Dataset<Row> partnerVersions, TouchRules rules) {
        return withPartner(events.where(col("event_type").isin("impression", "click")), partnerVersions)
                .withColumn("funnel_stage", rules.funnelStage(col("partner_id"), col("partner_type"), col("channel")))
                .withColumn("lookback_seconds", rules.lookbackSeconds(col("channel"), col("partner_type")));
    }

    /** The partner version valid at the touch's time gives its type and region. */
    static Dataset<Row> withPartner(Dataset<Row> touches, Dataset<Row> partners) {
        Column validAtTouch = col("partner_id").equalTo(col("dim_partner_id"))
                .and(col("valid_from").leq(col("event_date")))
                .and(col("valid_to").isNull().or(col("event_date").lt(col("valid_to"))));
        return touches.join(partners, validAtTouch, "left").drop("dim_partner_id", "valid_from", "valid_to");
    }

    /**
     * The current state of every order (the latest version wins), its person, revenue in USD at the
     * order day's rate, the new-customer flag (the shop's, else the person's first order) and its region.
     */
    static Dataset<Row> currentOrders(Dataset<Row> orderVersions, Dataset<Row> persons, Dataset<Row> fx,
                                      TouchRules rules, LocalDate date) {
        Dataset<Row> current = orderVersions
                .withColumn("version_rank", row_number().over(Window.partitionBy("order_id")
                        .orderBy(col("updated_ts").desc(), col("delivery_date").asc())))
                .where(col("version_rank").equalTo(1))
                .join(persons, ScalaSeqs.of("anonymous_id"));
        Dataset<Row> rates = broadcast(FxRates.dailyCalendar(fx, date, date.plusDays(2)));
        Column firstOrderOfPerson = row_number().over(Window.partitionBy("person_id").orderBy("order_ts", "order_id"))
                .equalTo(1);
        return current
                .join(rates, current.col("currency").equalTo(rates.col("currency"))
                        .and(current.col("order_date").equalTo(rates.col("rate_date"))), "left")
                .select(current.col("order_id"), current.col("person_id"), current.col("order_ts"),
                        current.col("order_date"), current.col("status").as("order_status"), current.col("revenue"),
                        current.col("currency"),
                        current.col("revenue").multiply(rates.col("usd_per_unit")).cast(JourneyBuilder.MONEY)
                                .as("revenue_usd"),
                        current.col("is_new_customer").as("shop_new_customer_flag"), current.col("country"))
                .withColumn("is_new_customer", coalesce(col("shop_new_customer_flag"), firstOrderOfPerson))
                .withColumn("region", rules.region(col("country")))
                .drop("shop_new_customer_flag", "country");
    }
}
