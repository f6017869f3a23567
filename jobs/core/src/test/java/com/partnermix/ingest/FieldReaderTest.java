package com.partnermix.ingest;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class FieldReaderTest {

    @Test
    void theCommonTimestampShapeIsReadAsTheFormatterReadsIt() {
        assertEquals(Instant.parse("2026-11-20T05:45:12.345Z"), FieldReader.commonInstant("2026-11-20T13:45:12.345+08:00"));
        assertEquals(Instant.parse("2026-11-20T13:45:12Z"), FieldReader.commonInstant("2026-11-20T13:45:12Z"));
        assertEquals(Instant.parse("2026-11-21T02:15:00.000000001Z"),
                FieldReader.commonInstant("2026-11-20T23:45:00.000000001-02:30"));
        assertEquals(Instant.parse("2026-11-20T13:45:12.500Z"), FieldReader.commonInstant("2026-11-20T13:45:12.5-00:00"));
        // every other spelling goes to the formatter, which accepts or rejects it as before
        for (String other : List.of("2026-11-20t13:45:12z", "2026-11-20T13:45Z", "2026-11-20T13:45:12", "+2026-11-20T13:45:12Z",
                "2026-11-20T13:45:12.Z", "2026-11-20T13:45:12.1234567891Z", "2026-11-20T13:45:12+0800",
                "2026-11-20T13:45:12+08:00:30", "2026-02-30T13:45:12Z", "2026-11-20T24:00:00Z", "2026-11-20T13:45:60Z",
                "2026-13-20T13:45:12Z", "2026-11-20T13:45:12+19:00", "2026-11-20T13:45:12+08:60", "2026-11-2OT13:45:12Z",
                "2026-11-20T13:45:12 Z", "20261120T134512Z")) {
            assertNull(FieldReader.commonInstant(other), other);
        }
    }

    @Test
    void parseTimestampAgreesWithTheFormatterOnAcceptedAndRejectedStamps() {
        for (String stamp : List.of("2026-11-20T13:45:12.345+08:00", "2026-11-20T13:45:12Z", "2026-11-20t13:45:12z",
                "2026-11-20T13:45Z", "2026-11-20T13:45:12.123456789-11:59", "2026-02-29T00:00:00Z", "2024-02-29T00:00:00Z",
                "2026-11-20T13:45:12", "2026-11-20T13:45:12+18:00", "1899-12-31T23:59:59Z")) {
            String expected;
            try {
                Instant instant = OffsetDateTime.parse(stamp, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
                expected = instant.isBefore(Instant.parse("1900-01-01T00:00:00Z")) ? "out_of_range:ts" : instant.toString();
            } catch (DateTimeParseException e) {
                expected = "bad_timestamp:ts";
            }
            String actual;
            try {
                actual = FieldReader.parseTimestamp("ts", stamp).toInstant().toString();
            } catch (Rejection rejection) {
                actual = rejection.reason();
            }
            assertEquals(expected, actual, stamp);
        }
    }
}
