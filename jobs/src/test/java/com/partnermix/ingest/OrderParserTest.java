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
