package com.partnermix.ingest;

import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class TouchpointParserTest {

    private final TouchpointParser parser =
            new TouchpointParser(new Pii("salt", 24, 48), 128, LocalDate.parse("2026-11-20"), 24);

    private static final String CLICK = "{\"event_id\":\"e-1\",\"event_ts\":\"2026-11-19T21:15:03.000+08:00\","
            + "\"event_type\":\"click\",\"channel\":\"affiliate\",\"partner_id\":\"P-1\",\"anonymous_id\":\"a-1\","
            + "\"user_id\":\"c-1\",\"ip\":\"203.0.113.7\",\"user_agent\":\"Mozilla/5.0\",\"device_type\":\"desktop\","
            + "\"country\":\"SG\"";

    private static Row parse(TouchpointParser p, String json) {
        return p.parse(json);
    }

    private String reasonOf(String json) {
        return assertThrows(Rejection.class, () -> parser.parse(json)).reason();
    }

    @Test
    void validClickIsTypedAndStoredInUtc() {
        Row row = parse(parser, CLICK + "}");
        assertEquals("e-1", row.getAs(0));
        assertEquals(Timestamp.from(Instant.parse("2026-11-19T13:15:03Z")), row.get(1));
        assertEquals(java.sql.Date.valueOf("2026-11-19"), row.get(2));
        assertEquals("affiliate", row.get(4));
        assertEquals("P-1", row.get(5));
        assertEquals(new Pii("salt", 24, 48).hash("203.0.113.7"), row.get(16));
    }

    @Test
    void theIpPrefixIsStoredAsTheKeyedHashOfTheNetworkNotInClear() {
        // A clear /24 next to the address's keyed hash leaves 256 addresses to try: ip_prefix groups by network,
        // but shows it to no one without the key.
        Row row = parse(parser, CLICK + "}");
        assertEquals(new Pii("salt", 24, 48).hash("203.0.113.0/24"), row.get(17));
        Row sameNetwork = parse(parser, CLICK.replace("203.0.113.7", "203.0.113.200") + "}");
        assertEquals(row.get(17), sameNetwork.get(17));
    }

    @Test
    void landingAndReferrerUrlsKeepOnlyAllowListedQueryValues() {
        Pii pii = new Pii("salt", 24, 48);
        Row row = parse(parser, CLICK + ",\"landing_url\":\"https://shop.example.com/mats?afsrc=1&utm_source=nl"
                + "&email=jane%40example.com#token=abc\",\"referrer_url\":\"https://deals.example.net/out?uid=42\"}");
        assertEquals("https://shop.example.com/mats?afsrc=1&utm_source=nl&email=" + pii.token("jane%40example.com")
                + "#" + pii.token("token=abc"), row.get(14));
        assertEquals("https://deals.example.net/out?uid=" + pii.token("42"), row.get(15));
    }

    @Test
    void aSecondJsonValueOnTheLineIsMalformed() {
        // the second event would otherwise be dropped without a trace
        assertEquals("malformed_json", reasonOf(CLICK + "}" + CLICK.replace("e-1", "e-2") + "}"));
        assertEquals("malformed_json", reasonOf(CLICK + "} 42"));
    }

    @Test
    void duplicateKeysAreMalformed() {
        // which of two event_ids counts differs between JSON readers: neither is trusted
        assertEquals("malformed_json", reasonOf(CLICK.replace("{\"event_id\":\"e-1\"", "{\"event_id\":\"e-1\",\"event_id\":\"e-9\"") + "}"));
        assertEquals("malformed_json", reasonOf(CLICK + ",\"ip\":\"198.51.100.1\"}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"1899-12-31T23:59:59Z", "1582-10-04T00:00:00Z", "0001-01-01T00:00:00Z",
            "+300000-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z"})
    void timestampsTheWarehouseCannotStoreAreOutOfRange(String ts) {
        // Before 1900 Parquet's rebase check fails the night's write; after 294247 Spark's microseconds overflow.
        assertEquals("out_of_range:event_ts", reasonOf(CLICK.replace("2026-11-19T21:15:03.000+08:00", ts) + "}"));
    }

    @Test
    void theFirstStorableInstantIsAccepted() {
        Row row = parse(parser, CLICK.replace("2026-11-19T21:15:03.000+08:00", "1900-01-01T00:00:00Z") + "}");
        assertEquals(Timestamp.from(Instant.parse("1900-01-01T00:00:00Z")), row.get(1));
    }

    @Test
    void identifiersThatWouldNotBeStoredAsDeliveredAreRejected() {
        // invalid UTF-8 bytes arrive as U+FFFD: e-\xff and e-\xfe would both become "e-\uFFFD", one id
        assertEquals("invalid_utf8:event_id", reasonOf(CLICK.replace("\"e-1\"", "\"e-\uFFFD\"") + "}"));
        // a lone surrogate is written to Parquet as '?'
        assertEquals("invalid_utf8:anonymous_id", reasonOf(CLICK.replace("\"a-1\"", "\"a-\\ud800\"") + "}"));
        assertEquals("invalid_utf8:coupon_code", reasonOf(CLICK + ",\"coupon_code\":\"SAVE\\udc00\"}"));
        // a whole pair (an emoji) is fine
        assertEquals("e-\uD83D\uDE00", parse(parser, CLICK.replace("\"e-1\"", "\"e-\\ud83d\\ude00\"") + "}").get(0));
    }

    @Test
    void unknownExtraFieldsAndByteOrderMarkAreTolerated() {
        Row row = parse(parser, "\uFEFF" + CLICK + ",\"tracker_version\":\"9.1\",\"nested\":{\"x\":1}}");
        assertEquals("e-1", row.get(0));
    }

    @Test
    void pageViewNeedsPageTypeButNoChannel() {
        Row row = parse(parser, "{\"event_id\":\"e-2\",\"event_ts\":\"2026-11-19T21:16:10Z\",\"event_type\":\"page_view\","
                + "\"page_type\":\"cart\",\"anonymous_id\":\"a-1\"}");
        assertEquals("cart", row.get(8));
        assertNull(row.get(4));
        assertEquals("missing_field:page_type", reasonOf("{\"event_id\":\"e-2\",\"event_ts\":\"2026-11-19T21:16:10Z\","
                + "\"event_type\":\"page_view\",\"anonymous_id\":\"a-1\"}"));
    }

    @ParameterizedTest(name = "missing {0}")
    @CsvSource({"event_id", "event_ts", "event_type", "anonymous_id"})
    void everyRequiredFieldIsRequired(String field) {
        String json = CLICK.replaceAll("\"" + field + "\":\"[^\"]*\",?", "") + "}";
        assertEquals("missing_field:" + field, reasonOf(json));
    }

    @Test
    void clickAndImpressionNeedAChannel() {
        assertEquals("missing_field:channel", reasonOf(CLICK.replace("\"channel\":\"affiliate\",", "") + "}"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource({"event_type,hover", "channel,tv", "device_type,fridge"})
    void unknownEnumValuesAreRejected(String field, String value) {
        String json = CLICK.replaceAll("\"" + field + "\":\"[^\"]*\"", "\"" + field + "\":\"" + value + "\"") + "}";
        assertEquals("unknown_enum:" + field, reasonOf(json));
    }

    @Test
    void unknownPageTypeIsRejected() {
        assertEquals("unknown_enum:page_type", reasonOf("{\"event_id\":\"e\",\"event_ts\":\"2026-11-19T21:16:10Z\","
                + "\"event_type\":\"page_view\",\"page_type\":\"basket\",\"anonymous_id\":\"a\"}"));
    }

    @Test
    void affiliateTouchWithoutPartnerIsRejected() {
        assertEquals("affiliate_without_partner", reasonOf(CLICK.replace("\"partner_id\":\"P-1\",", "") + "}"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"2026-11-19 21:15:03", "2026-11-19T21:15:03", "yesterday", "2026-13-40T00:00:00Z"})
    void timestampsMustBeRfc3339WithOffset(String ts) {
        assertEquals("bad_timestamp:event_ts", reasonOf(CLICK.replace("2026-11-19T21:15:03.000+08:00", ts) + "}"));
    }

    @Test
    void truncatedOrNonObjectJsonIsMalformed() {
        assertEquals("malformed_json", reasonOf(CLICK.substring(0, 60)));
        assertEquals("malformed_json", reasonOf("[1,2,3]"));
        assertEquals("malformed_json", reasonOf("not json"));
    }

    @Test
    void eventsStampedAfterTheirDeliveryDayPlusSkewAreRejected() {
        assertEquals("event_after_delivery", reasonOf(CLICK.replace("2026-11-19T21:15:03.000+08:00",
                "2026-11-22T00:00:01Z") + "}"));
        // Within the skew (the delivery day's end plus 24 hours) is accepted.
        assertEquals("e-1", parse(parser, CLICK.replace("2026-11-19T21:15:03.000+08:00", "2026-11-21T23:59:59Z") + "}").get(0));
    }

    @Test
    void identifiersOver128CharactersAreRejected() {
        assertEquals("id_too_long:anonymous_id", reasonOf(CLICK.replace("\"a-1\"", "\"" + "x".repeat(129) + "\"") + "}"));
    }
}
