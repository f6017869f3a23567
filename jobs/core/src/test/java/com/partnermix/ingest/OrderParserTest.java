package com.partnermix.ingest;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OrderParserTest {

    private final OrderParser parser = new OrderParser(128);

    private static final String ORDER = "{\"order_id\":\"o-1\",\"order_ts\":\"2026-11-20T10:09:40.000-05:00\","
            + "\"updated_ts\":\"2026-11-20T10:09:40.000-05:00\",\"status\":\"placed\",\"revenue\":120.00,"
            + "\"currency\":\"USD\",\"anonymous_id\":\"a-1\",\"coupon_code\":\"MAYA20\",\"items\":2,"
            + "\"is_new_customer\":true,\"country\":\"US\"}";

    private String reasonOf(String json) {
        return assertThrows(Rejection.class, () -> parser.parse(json)).reason();
    }

    @Test
    void revenueMayBeANumberOrAString() {
        assertEquals(new BigDecimal("120.0000"), parser.parse(ORDER).get(5));
        assertEquals(new BigDecimal("89.9000"), parser.parse(ORDER.replace("120.00", "\"89.90\"")).get(5));
    }

    @Test
    void optionalFieldsMayBeAbsent() {
        Row row = parser.parse("{\"order_id\":\"o-4870\",\"order_ts\":\"2026-10-30T14:00:00.000+00:00\","
                + "\"updated_ts\":\"2026-11-20T09:00:00.000+00:00\",\"status\":\"returned\",\"revenue\":0,"
                + "\"currency\":\"EUR\",\"anonymous_id\":\"a-0b2e\",\"country\":\"DE\"}");
        assertEquals("returned", row.get(4));
        assertNull(row.get(11));
        assertEquals(java.sql.Date.valueOf("2026-10-30"), row.get(2));
    }

    @ParameterizedTest(name = "missing {0}")
    @CsvSource({"order_id", "order_ts", "updated_ts", "status", "revenue", "currency", "anonymous_id"})
    void everyRequiredFieldIsRequired(String field) {
        String json = ORDER.replaceAll("\"" + field + "\":(\"[^\"]*\"|[0-9.]+),", "");
        assertEquals("missing_field:" + field, reasonOf(json));
    }

    @Test
    void revenueIsReadExactlyNotThroughADouble() {
        // 17 significant digits: a double would store 1234567890123.4568
        assertEquals(new BigDecimal("1234567890123.4567"), parser.parse(ORDER.replace("120.00", "1234567890123.4567")).get(5));
        assertEquals(new BigDecimal("1000.0000"), parser.parse(ORDER.replace("120.00", "1e3")).get(5));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"\"99999999999999.99995\"", "99999999999999.99995", "\"123456789012345\"", "1e15", "\"1E+999999999\""})
    void revenueThatDoesNotFitTheMoneyColumnIsRejectedNotStoredAsNull(String revenue) {
        // decimal(18,4) holds 14 digits before the point; Spark stores a value that does not fit as NULL, silently
        assertEquals("bad_number:revenue", reasonOf(ORDER.replace("120.00", revenue)));
    }

    @Test
    void theLargestAmountThatFitsIsKept() {
        assertEquals(new BigDecimal("99999999999999.9999"), parser.parse(ORDER.replace("120.00", "99999999999999.99994")).get(5));
    }

    @Test
    void aTinyRevenueIsZeroWithoutComputingABillionDigits() {
        // BigDecimal.setScale on 1e-999999999 would first build 10^999999995 (minutes of CPU, gigabytes)
        Row row = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(30),
                () -> parser.parse(ORDER.replace("120.00", "\"1e-999999999\"")));
        assertEquals(new BigDecimal("0.0000"), row.get(5));
        assertEquals(new BigDecimal("0.0000"), parser.parse(ORDER.replace("120.00", "1e-999999999")).get(5));
        assertEquals("bad_number:revenue", reasonOf(ORDER.replace("120.00", "\"0." + "0".repeat(100) + "1\"")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"order_ts,1850-06-01T10:00:00Z", "order_ts,1500-01-01T00:00:00+01:00", "order_ts,+300000-01-01T00:00:00Z",
            "updated_ts,0999-12-31T23:00:00-02:00"})
    void timestampsOutsideWhatParquetAndSparkStoreAreOutOfRange(String field, String ts) {
        String json = ORDER.replace("\"" + field + "\":\"2026-11-20T10:09:40.000-05:00\"", "\"" + field + "\":\"" + ts + "\"");
        assertEquals("out_of_range:" + field, reasonOf(json));
    }

    @Test
    void negativeRevenueIsRejected() {
        assertEquals("negative_revenue", reasonOf(ORDER.replace("120.00", "-5")));
    }

    @Test
    void unknownStatusIsRejected() {
        assertEquals("unknown_enum:status", reasonOf(ORDER.replace("placed", "shipped")));
    }

    @Test
    void badNumbersTimestampsAndCodesAreRejected() {
        assertEquals("bad_number:revenue", reasonOf(ORDER.replace("120.00", "\"12O.00\"")));
        assertEquals("bad_timestamp:updated_ts", reasonOf(ORDER.replace("\"updated_ts\":\"2026-11-20T10:09:40.000-05:00\"",
                "\"updated_ts\":\"20/11/2026\"")));
        assertEquals("bad_value:currency", reasonOf(ORDER.replace("\"USD\"", "\"dollars\"")));
        assertEquals("bad_value:items", reasonOf(ORDER.replace("\"items\":2", "\"items\":0")));
        assertEquals("bad_value:is_new_customer", reasonOf(ORDER.replace("\"is_new_customer\":true", "\"is_new_customer\":\"maybe\"")));
    }
}
