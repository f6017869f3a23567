package com.partnermix.maintain;

import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RetentionTest {

    private static final Instant NOW = Instant.parse("2026-11-22T06:00:00Z");

    private static long ago(Duration d) {
        return NOW.minus(d).toEpochMilli();
    }

    @Test
    void withoutPublishedFilesTheMinimumApplies() {
        assertEquals(168, Retention.hours(NOW, 168, List.of()));
    }

    @Test
    void theOldestFileOfAKeptVersionSetsTheHorizonRoundedUpPlusAnHourOfMargin() {
        // 239.5 h ago -> 240 whole hours, + 1 h margin: VACUUM's horizon (now - 241 h) lies before the file.
        assertEquals(241, Retention.hours(NOW, 24, List.of(ago(Duration.ofHours(10)),
                ago(Duration.ofHours(239).plusMinutes(30)), ago(Duration.ofHours(100)))));
        // exactly 240 h ago: 240 + 1
        assertEquals(241, Retention.hours(NOW, 24, List.of(ago(Duration.ofHours(240)))));
    }

    @Test
    void keptFilesYoungerThanTheMinimumLeaveTheMinimum() {
        assertEquals(168, Retention.hours(NOW, 168, List.of(ago(Duration.ofHours(30)))));
    }

    @Test
    void partitionPredicateQuotesValuesAndNames() {
        assertEquals("(`event_date` = '2026-11-20') OR (`event_date` IS NULL)", Layout.partitionPredicate(
                List.of("event_date"), List.of(RowFactory.create("2026-11-20"), RowFactory.create((Object) null))));
        assertEquals("(`a` = 'x\\'y' AND `b` = 'z')", Layout.partitionPredicate(List.of("a", "b"),
                List.of(RowFactory.create("x'y", "z"))));
    }
}
