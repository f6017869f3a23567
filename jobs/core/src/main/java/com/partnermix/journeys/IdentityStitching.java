package com.partnermix.journeys;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;

import java.util.function.UnaryOperator;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.substring_index;

/**
 * Persons from devices: {@code anonymous_id}s linked through shared {@code user_id}s form a
 * connected component, found by label propagation over the bipartite device-login graph. Every
 * device starts with its own label {@code first_seen|anonymous_id}; each round a login takes the
 * smallest label of its devices and a device the smallest label of its logins, until no label
 * changes (about half the longest login chain in rounds). The plan is cut by a checkpoint every
 * few rounds so it does not grow with the iterations. Nothing is collected on the driver.
 *
 * <p>Stable ids: a person's id is a hash of its component's earliest-seen device (ties: the
 * smallest id). A new device joining later keeps the id; when a new login merges two persons,
 * the merged person keeps the id of the one seen first; only a guard that cuts a component apart
 * or a late event older than the first-seen device can move an id.
 */
public final class IdentityStitching {

    public static final String ANONYMOUS_ID = "anonymous_id";
    public static final String USER_ID = "user_id";
    public static final String PERSON_ID = "person_id";

    private IdentityStitching() {}

    /** The outcome (both cut from the sightings): one row per device, and the ids the guard kept out of stitching. */
    public record Result(Dataset<Row> identityMap, Dataset<Row> guarded, int iterations) {}

    /**
     * @param sightings   (anonymous_id, user_id nullable, seen_ts) from every touchpoint and order
     * @param checkpoint  cuts the lineage of a dataset (a reliable checkpoint on a cluster); eager, so the results
     *                    are computed when this returns
     */
    public static Result stitch(Dataset<Row> sightings, PartnermixConfig.Identity settings,
                                UnaryOperator<Dataset<Row>> checkpoint) {
        // One pass over every sighting (10M rows at bench size) gives each (device, login) pair once with its first
        // sighting; devices and links both come out of those few pairs, kept until the map and guard list are cut.
        Dataset<Row> pairs = sightings.groupBy(ANONYMOUS_ID, USER_ID).agg(min("seen_ts").as("first_seen_ts"))
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> devices = pairs.groupBy(ANONYMOUS_ID).agg(min("first_seen_ts").as("first_seen_ts"))
                .withColumn("label", concat(date_format(col("first_seen_ts"), "yyyyMMddHHmmssSSS"), lit("|"),
                        col(ANONYMOUS_ID)))
                .persist(StorageLevel.MEMORY_AND_DISK());
        Dataset<Row> links = pairs.where(col(USER_ID).isNotNull()).select(ANONYMOUS_ID, USER_ID)
                .persist(StorageLevel.MEMORY_AND_DISK());

        // Guard: a kiosk device (many logins) or a bot login (many devices) would glue strangers together.
        Dataset<Row> loginsPerDevice = links.groupBy(ANONYMOUS_ID).agg(count("*").as("linked_count"));
        Dataset<Row> devicesPerLogin = links.groupBy(USER_ID).agg(count("*").as("linked_count"));
        Dataset<Row> guardedDevices = loginsPerDevice.where(col("linked_count").gt(settings.maxUserIdsPerDevice()));
        Dataset<Row> guardedLogins = devicesPerLogin.where(col("linked_count").gt(settings.maxDevicesPerUser()));
        Dataset<Row> guarded = guardedDevices.select(lit("anonymous_id").as("id_kind"), col(ANONYMOUS_ID).as("id"),
                        col("linked_count"), lit(settings.maxUserIdsPerDevice()).as("threshold"),
                        lit("device linked to too many user ids (shared device)").as("reason"))
                .unionByName(guardedLogins.select(lit("user_id").as("id_kind"), col(USER_ID).as("id"),
                        col("linked_count"), lit(settings.maxDevicesPerUser()).as("threshold"),
                        lit("user id seen on too many devices (bot or shared account)").as("reason")));
        Dataset<Row> edges = links
                .join(guardedDevices.select(ANONYMOUS_ID), seq(ANONYMOUS_ID), "left_anti")
                .join(guardedLogins.select(USER_ID), seq(USER_ID), "left_anti")
                .persist(StorageLevel.MEMORY_AND_DISK());

        // Only linked devices take part in the propagation; the others are persons of their own.
        Dataset<Row> labels = checkpoint.apply(devices.join(edges.select(ANONYMOUS_ID).distinct(), seq(ANONYMOUS_ID),
                "left_semi").select(ANONYMOUS_ID, "label"));
        int iteration = 0;
        while (true) {
            iteration++;
            if (iteration > settings.maxIterations()) {
                throw new IllegalStateException("identity label propagation did not converge in "
                        + settings.maxIterations() + " rounds; raise identity.max_iterations or tighten the guard");
            }
            Dataset<Row> loginLabels = edges.join(labels, seq(ANONYMOUS_ID))
                    .groupBy(USER_ID).agg(min("label").as("login_label"));
            Dataset<Row> offered = edges.join(loginLabels, seq(USER_ID))
                    .groupBy(ANONYMOUS_ID).agg(min("login_label").as("offered"));
            Dataset<Row> next = labels.join(offered, seq(ANONYMOUS_ID), "left")
                    .select(col(ANONYMOUS_ID), least(col("label"), coalesce(col("offered"), col("label"))).as("label"),
                            coalesce(col("offered").lt(col("label")), lit(false)).as("changed"));
            next = iteration % Math.max(1, settings.checkpointEvery()) == 0
                    ? checkpoint.apply(next) : next.persist(StorageLevel.MEMORY_AND_DISK());
            long changed = next.where(col("changed")).count();
            labels.unpersist();
            labels = next.drop("changed");
            if (changed == 0) {
                break;
            }
        }
        edges.unpersist();

        Dataset<Row> components = labels.withColumnRenamed("label", "component_label");
        Dataset<Row> loginCounts = links.groupBy(ANONYMOUS_ID).agg(countDistinct(USER_ID).as("user_id_count"));
        Dataset<Row> map = devices
                .join(components, seq(ANONYMOUS_ID), "left")
                .join(loginCounts, seq(ANONYMOUS_ID), "left")
                .join(guardedDevices.select(col(ANONYMOUS_ID), lit(true).as("is_guarded")), seq(ANONYMOUS_ID), "left")
                .withColumn("component_label", coalesce(col("component_label"), col("label")))
                .withColumn("root_anonymous_id", substring_index(col("component_label"), "|", -1))
                .withColumn(PERSON_ID, concat(lit("p_"), substring(sha2(col("root_anonymous_id"), 256), 1, 24)))
                .withColumn("user_id_count", coalesce(col("user_id_count"), lit(0L)))
                .withColumn("is_guarded", coalesce(col("is_guarded"), lit(false)));
        Dataset<Row> identityMap = checkpoint.apply(map
                .withColumn("person_device_count", count("*").over(
                        org.apache.spark.sql.expressions.Window.partitionBy(PERSON_ID)))
                .select(col(ANONYMOUS_ID), col(PERSON_ID), col("first_seen_ts"), col("root_anonymous_id"),
                        col("user_id_count"), col("person_device_count"), col("is_guarded")));
        Dataset<Row> guardedIds = checkpoint.apply(guarded);
        links.unpersist();
        devices.unpersist();
        pairs.unpersist();
        return new Result(identityMap, guardedIds, iteration);
    }

    /**
     * The (anonymous_id, person_id) pairs of a map of {@code devices} rows, marked for broadcast when there are at
     * most {@code identity.broadcast_max_devices}: the events are then joined to their persons where they are
     * read, and shuffled once, by person, for the per-person sort that follows.
     */
    public static Dataset<Row> personsForJoin(Dataset<Row> identityMap, long devices, PartnermixConfig.Identity settings) {
        Dataset<Row> persons = identityMap.select(ANONYMOUS_ID, PERSON_ID);
        return devices <= settings.broadcastMaxDevices() ? broadcast(persons) : persons;
    }

    /** Sightings of devices and logins in the touchpoint and order feeds. */
    public static Dataset<Row> sightings(Dataset<Row> touchpoints, Dataset<Row> orders) {
        return touchpoints.select(col(ANONYMOUS_ID), col(USER_ID), col("event_ts").as("seen_ts"))
                .unionByName(orders.select(col(ANONYMOUS_ID), col(USER_ID), col("order_ts").as("seen_ts")));
    }

    /** Devices whose person changed between two identity maps: both the old and the new person must be rebuilt. */
    public static Dataset<Row> changedPersons(Dataset<Row> previousMap, Dataset<Row> currentMap) {
        Dataset<Row> moved = previousMap.select(col(ANONYMOUS_ID), col(PERSON_ID).as("old_person"))
                .join(currentMap.select(col(ANONYMOUS_ID), col(PERSON_ID).as("new_person")), seq(ANONYMOUS_ID))
                .where(col("old_person").notEqual(col("new_person")));
        return moved.select(col("old_person").as(PERSON_ID))
                .unionByName(moved.select(col("new_person").as(PERSON_ID)));
    }

    private static scala.collection.Seq<String> seq(String... columns) {
        return ScalaSeqs.of(columns);
    }
}
