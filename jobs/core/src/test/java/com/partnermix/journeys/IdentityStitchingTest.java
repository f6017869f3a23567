package com.partnermix.journeys;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdentityStitchingTest extends SparkTestBase {

    private static final String SIGHTINGS = "anonymous_id STRING, user_id STRING, seen_ts TIMESTAMP";
    private static final PartnermixConfig.Identity SETTINGS = new PartnermixConfig.Identity(3, 5, 20, 2, false, 1_000_000);

    private static String seen(String device, String login, String ts) {
        return "{\"anonymous_id\":\"" + device + "\"," + (login == null ? "" : "\"user_id\":\"" + login + "\",")
                + "\"seen_ts\":\"" + ts + "\"}";
    }

    private static Map<String, String> personOf(IdentityStitching.Result result) {
        Map<String, String> persons = new HashMap<>();
        result.identityMap().collectAsList().forEach(r -> persons.put(r.getAs("anonymous_id"), r.getAs("person_id")));
        return persons;
    }

    @Test
    void devicesLinkedThroughAChainOfLoginsAreOnePerson() {
        // phone and laptop share login u1, laptop and tablet share u2: all three are one person; tv never logs in.
        Dataset<Row> sightings = Rows.of(spark(), SIGHTINGS,
                seen("phone", "u1", "2026-11-01T10:00:00Z"),
                seen("laptop", "u1", "2026-11-02T10:00:00Z"),
                seen("laptop", "u2", "2026-11-03T10:00:00Z"),
                seen("tablet", "u2", "2026-11-04T10:00:00Z"),
                seen("tablet", null, "2026-11-04T11:00:00Z"),
                seen("tv", null, "2026-10-01T10:00:00Z"));
        IdentityStitching.Result result = IdentityStitching.stitch(sightings, SETTINGS, d -> d.localCheckpoint());
        Map<String, String> person = personOf(result);
        assertEquals(person.get("phone"), person.get("laptop"));
        assertEquals(person.get("phone"), person.get("tablet"));
        assertNotEquals(person.get("phone"), person.get("tv"));
        Row phone = result.identityMap().where(col("anonymous_id").equalTo("phone")).first();
        // The person is named after its earliest-seen device (the phone, seen on Nov 1).
        assertEquals("phone", phone.getAs("root_anonymous_id"));
        assertEquals(3L, (long) phone.<Long>getAs("person_device_count"));
        assertTrue(result.iterations() >= 2);
        assertEquals(0, result.guarded().count());
    }

    @Test
    void aSharedKioskIsNotUsedToLinkStrangers() {
        // The kiosk carries four logins (over the limit of 3): alice's and bob's phones must stay apart.
        Dataset<Row> sightings = Rows.of(spark(), SIGHTINGS,
                seen("kiosk", "alice", "2026-11-01T10:00:00Z"),
                seen("kiosk", "bob", "2026-11-01T11:00:00Z"),
                seen("kiosk", "carol", "2026-11-01T12:00:00Z"),
                seen("kiosk", "dave", "2026-11-01T13:00:00Z"),
                seen("alice-phone", "alice", "2026-11-02T10:00:00Z"),
                seen("bob-phone", "bob", "2026-11-02T10:00:00Z"));
        IdentityStitching.Result result = IdentityStitching.stitch(sightings, SETTINGS, d -> d.localCheckpoint());
        Map<String, String> person = personOf(result);
        assertNotEquals(person.get("alice-phone"), person.get("bob-phone"));
        assertNotEquals(person.get("kiosk"), person.get("alice-phone"));
        List<Row> guarded = result.guarded().collectAsList();
        assertEquals(1, guarded.size());
        assertEquals("kiosk", guarded.get(0).getAs("id"));
        assertEquals(4L, (long) guarded.get(0).<Long>getAs("linked_count"));
        assertTrue((Boolean) result.identityMap().where(col("anonymous_id").equalTo("kiosk")).first().getAs("is_guarded"));
    }

    @Test
    void aMergedPersonKeepsTheIdOfItsEarliestSeenDevice() {
        Dataset<Row> before = Rows.of(spark(), SIGHTINGS,
                seen("old-phone", "u1", "2026-10-01T10:00:00Z"),
                seen("new-laptop", "u2", "2026-11-01T10:00:00Z"));
        Map<String, String> first = personOf(IdentityStitching.stitch(before, SETTINGS, d -> d.localCheckpoint()));
        // A later night: the laptop logs in as u1 too, which merges the two persons.
        Dataset<Row> after = before.unionByName(Rows.of(spark(), SIGHTINGS, seen("new-laptop", "u1", "2026-11-05T10:00:00Z")));
        IdentityStitching.Result merged = IdentityStitching.stitch(after, SETTINGS, d -> d.localCheckpoint());
        Map<String, String> second = personOf(merged);
        assertEquals(first.get("old-phone"), second.get("old-phone"));
        assertEquals(first.get("old-phone"), second.get("new-laptop"));
        List<String> changed = Rows.sorted(IdentityStitching.changedPersons(
                Rows.of(spark(), "anonymous_id STRING, person_id STRING",
                        "{\"anonymous_id\":\"old-phone\",\"person_id\":\"" + first.get("old-phone") + "\"}",
                        "{\"anonymous_id\":\"new-laptop\",\"person_id\":\"" + first.get("new-laptop") + "\"}"),
                merged.identityMap()));
        // Only the laptop moved: its old person (to delete) and its new person (to rebuild).
        assertEquals(List.of("[" + first.get("new-laptop") + "]", "[" + first.get("old-phone") + "]").stream().sorted().toList(),
                changed);
    }
}
