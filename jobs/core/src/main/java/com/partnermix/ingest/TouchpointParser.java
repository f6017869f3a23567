package com.partnermix.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * One touchpoint line -> one typed row, or a rejection with its reason. Pure Java, no Spark
 * context needed, so every contract rule is tested directly on strings.
 */
public final class TouchpointParser implements Serializable {

    /** Parsed columns; the ingest job adds the delivery metadata. */
    public static final StructType SCHEMA = new StructType()
            .add("event_id", DataTypes.StringType)
            .add("event_ts", DataTypes.TimestampType)
            .add("event_date", DataTypes.DateType)
            .add("event_type", DataTypes.StringType)
            .add("channel", DataTypes.StringType)
            .add("partner_id", DataTypes.StringType)
            .add("anonymous_id", DataTypes.StringType)
            .add("user_id", DataTypes.StringType)
            .add("page_type", DataTypes.StringType)
            .add("click_id", DataTypes.StringType)
            .add("campaign_id", DataTypes.StringType)
            .add("creative_id", DataTypes.StringType)
            .add("sub_id", DataTypes.StringType)
            .add("coupon_code", DataTypes.StringType)
            .add("landing_url", DataTypes.StringType)
            .add("referrer_url", DataTypes.StringType)
            .add("ip_hash", DataTypes.StringType)
            .add("ip_prefix", DataTypes.StringType)
            .add("user_agent_hash", DataTypes.StringType)
            .add("device_type", DataTypes.StringType)
            .add("country", DataTypes.StringType);

    /**
     * Strict where lenient reading would let a line say two things: a duplicate key (which value wins differs
     * between readers) and anything after the first value ({@code {..}{..}}: the second object would be dropped
     * silently) are malformed. Numbers are read exactly (a double would round money with 16+ digits).
     */
    private static final ObjectMapper JSON = com.fasterxml.jackson.databind.json.JsonMapper.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .build();

    private final Pii pii;
    private final int maxIdLength;
    private final Timestamp latestAllowed;

    /**
     * @param deliveryDate       the dt folder being ingested
     * @param maxFutureSkewHours events stamped later than the end of that day plus this are rejected
     */
    public TouchpointParser(Pii pii, int maxIdLength, LocalDate deliveryDate, int maxFutureSkewHours) {
        this.pii = pii;
        this.maxIdLength = maxIdLength;
        this.latestAllowed = Timestamp.from(deliveryDate.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC)
                .plusSeconds(3600L * maxFutureSkewHours));
    }

    /** @throws Rejection when the line breaks the contract */
    public Row parse(String line) {
        JsonNode node = JsonLines.object(line);
        FieldReader f = new FieldReader(node, maxIdLength);
        String eventId = f.id("event_id", true);
        String eventTsText = f.required("event_ts");
        String eventType = f.enumValue("event_type", Contract.EVENT_TYPES, true);
        String anonymousId = f.id("anonymous_id", true);
        boolean isTouch = !eventType.equals("page_view");
        String channel = f.enumValue("channel", Contract.CHANNELS, isTouch);
        String partnerId = f.id("partner_id", false);
        if ("affiliate".equals(channel) && partnerId == null) {
            throw new Rejection("affiliate_without_partner", "affiliate " + eventType + " has no partner_id");
        }
        String pageType = f.enumValue("page_type", Contract.PAGE_TYPES, !isTouch);
        String deviceType = f.enumValue("device_type", Contract.DEVICE_TYPES, false);
        Timestamp eventTs = FieldReader.parseTimestamp("event_ts", eventTsText);
        if (eventTs.after(latestAllowed)) {
            throw new Rejection("event_after_delivery", "event_ts " + eventTsText + " is after its delivery day");
        }
        String country = f.country("country");
        String ip = f.text("ip");
        String userAgent = f.text("user_agent");
        String landingUrl = pii.sanitizeUrl(f.text("landing_url"));
        String referrerUrl = pii.sanitizeUrl(f.text("referrer_url"));
        return RowFactory.create(
                eventId,
                eventTs,
                Date.valueOf(eventTs.toInstant().atZone(ZoneOffset.UTC).toLocalDate()),
                eventType,
                channel,
                partnerId,
                anonymousId,
                f.id("user_id", false),
                pageType,
                f.id("click_id", false),
                f.id("campaign_id", false),
                f.id("creative_id", false),
                f.id("sub_id", false),
                f.id("coupon_code", false),
                landingUrl,
                referrerUrl,
                pii.hash(ip),
                pii.storedPrefix(ip),
                pii.hash(userAgent),
                deviceType,
                country);
    }

    /** Shared by the JSON Lines feeds. */
    static final class JsonLines {
        private JsonLines() {}

        static JsonNode object(String line) {
            String text = line == null ? "" : stripBom(line).trim();
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (Exception e) {
                throw new Rejection("malformed_json", "not valid JSON: " + firstLine(e.getMessage()));
            }
            if (node == null || !node.isObject()) {
                throw new Rejection("malformed_json", "a line must hold one JSON object");
            }
            return node;
        }

        private static String firstLine(String message) {
            if (message == null) {
                return "";
            }
            int nl = message.indexOf('\n');
            return nl < 0 ? message : message.substring(0, nl);
        }
    }

    /** A byte-order mark at the start of a file ends up at the start of its first line. */
    static String stripBom(String line) {
        return !line.isEmpty() && line.charAt(0) == '\uFEFF' ? line.substring(1) : line;
    }
}
