package com.partnermix.generate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Set;

/** The landing contract as the tests read it: returns the reason a line breaks it, or null when it is valid. */
final class ContractCheck {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> EVENT_TYPES = Set.of("impression", "click", "page_view");
    static final Set<String> CHANNELS = Set.of("affiliate", "paid_search", "paid_social", "display", "email",
            "organic_search", "organic_social", "referral", "direct");
    static final Set<String> PAGE_TYPES = Set.of("home", "landing", "category", "product", "search", "content", "cart",
            "checkout");
    static final Set<String> STATUSES = Set.of("placed", "cancelled", "returned");
    static final Set<String> DEVICE_TYPES = Set.of("desktop", "mobile", "tablet", "other");
    static final Set<String> COUNTRIES = Set.of("US", "CA", "DE", "FR", "GB", "SG", "AU", "JP", "BR", "MX");

    private ContractCheck() {}

    static JsonNode parse(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            return n != null && n.isObject() ? n : null;
        } catch (Exception e) {
            return null;
        }
    }

    static String touchProblem(String line) {
        JsonNode n = parse(line);
        if (n == null) {
            return "malformed_json";
        }
        for (String f : new String[] {"event_id", "event_ts", "event_type", "anonymous_id"}) {
            if (!n.hasNonNull(f)) {
                return "missing_field:" + f;
            }
        }
        if (!isTimestamp(n.get("event_ts").asText())) {
            return "bad_timestamp:event_ts";
        }
        String type = n.get("event_type").asText();
        if (!EVENT_TYPES.contains(type)) {
            return "unknown_enum:event_type";
        }
        if (type.equals("page_view")) {
            if (!n.hasNonNull("page_type")) {
                return "missing_field:page_type";
            }
            if (!PAGE_TYPES.contains(n.get("page_type").asText())) {
                return "unknown_enum:page_type";
            }
        } else {
            if (!n.hasNonNull("channel")) {
                return "missing_field:channel";
            }
            if (!CHANNELS.contains(n.get("channel").asText())) {
                return "unknown_enum:channel";
            }
            if (n.get("channel").asText().equals("affiliate") && !n.hasNonNull("partner_id")) {
                return "affiliate_without_partner";
            }
        }
        if (n.hasNonNull("device_type") && !DEVICE_TYPES.contains(n.get("device_type").asText())) {
            return "unknown_enum:device_type";
        }
        if (n.hasNonNull("country") && !COUNTRIES.contains(n.get("country").asText())) {
            return "unknown_enum:country";
        }
        return null;
    }

    static String orderProblem(String line) {
        JsonNode n = parse(line);
        if (n == null) {
            return "malformed_json";
        }
        for (String f : new String[] {"order_id", "order_ts", "updated_ts", "status", "revenue", "currency", "anonymous_id"}) {
            if (!n.hasNonNull(f)) {
                return "missing_field:" + f;
            }
        }
        for (String f : new String[] {"order_ts", "updated_ts"}) {
            if (!isTimestamp(n.get(f).asText())) {
                return "bad_timestamp:" + f;
            }
        }
        if (!STATUSES.contains(n.get("status").asText())) {
            return "unknown_enum:status";
        }
        double revenue = Double.parseDouble(n.get("revenue").asText());
        if (revenue < 0) {
            return "negative_revenue";
        }
        if (n.has("items") && n.get("items").asInt() < 1) {
            return "bad_items";
        }
        if (!n.get("currency").asText().matches("[A-Z]{3}")) {
            return "bad_currency";
        }
        return null;
    }

    /** RFC 3339 with an explicit offset and milliseconds, as the contract and the samples show. */
    static boolean isTimestamp(String text) {
        try {
            OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            return text.matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}[+-]\\d{2}:\\d{2}");
        } catch (Exception e) {
            return false;
        }
    }
}
