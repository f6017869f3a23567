package com.partnermix.ingest;

import com.fasterxml.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.regex.Pattern;

/** Typed, validating reads of one landing record's fields; every failure is a {@link Rejection}. */
final class FieldReader {

    private static final Pattern COUNTRY = Pattern.compile("[A-Z]{2}");
    private static final Pattern CURRENCY = Pattern.compile("[A-Z]{3}");

    private final JsonNode node;
    private final int maxIdLength;

    FieldReader(JsonNode node, int maxIdLength) {
        this.node = node;
        this.maxIdLength = maxIdLength;
    }

    /** The field as text (numbers and booleans as written), or null when absent, null or blank. */
    String text(String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.isMissingNode()) {
            return null;
        }
        String text = value.isValueNode() ? value.asText() : value.toString();
        return text.isBlank() ? null : text;
    }

    String required(String field) {
        String value = text(field);
        if (value == null) {
            throw Rejection.missing(field);
        }
        return value;
    }

    String id(String field, boolean required) {
        String value = required ? required(field) : text(field);
        if (value != null && value.length() > maxIdLength) {
            throw new Rejection("id_too_long:" + field, field + " has " + value.length() + " characters, over "
                    + maxIdLength);
        }
        return value;
    }

    String enumValue(String field, Set<String> allowed, boolean required) {
        String value = required ? required(field) : text(field);
        if (value != null && !allowed.contains(value)) {
            throw Rejection.unknownEnum(field, value);
        }
        return value;
    }

    Timestamp timestamp(String field) {
        return parseTimestamp(field, required(field));
    }

    static Timestamp parseTimestamp(String field, String text) {
        try {
            // RFC 3339 requires an offset; ISO_OFFSET_DATE_TIME rejects local times without one.
            return Timestamp.from(OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            throw new Rejection("bad_timestamp:" + field, "'" + text + "' is not an RFC 3339 timestamp with offset");
        }
    }

    String country(String field) {
        String value = text(field);
        if (value != null && !COUNTRY.matcher(value).matches()) {
            throw new Rejection("bad_value:" + field, "'" + value + "' is not an ISO 3166-1 alpha-2 code");
        }
        return value;
    }

    static String currency(String field, String value) {
        if (value != null && !CURRENCY.matcher(value).matches()) {
            throw new Rejection("bad_value:" + field, "'" + value + "' is not an ISO 4217 code");
        }
        return value;
    }

    BigDecimal decimal(String field, boolean required) {
        return parseDecimal(field, required ? required(field) : text(field));
    }

    static BigDecimal parseDecimal(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new Rejection("bad_number:" + field, "'" + text + "' is not a decimal number");
        }
    }

    static Long parseLong(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new Rejection("bad_number:" + field, "'" + text + "' is not a whole number");
        }
    }

    Integer positiveInt(String field) {
        Long value = parseLong(field, text(field));
        if (value != null && (value < 1 || value > Integer.MAX_VALUE)) {
            throw new Rejection("bad_value:" + field, field + " must be >= 1, got " + value);
        }
        return value == null ? null : value.intValue();
    }

    Boolean bool(String field) {
        return parseBoolean(field, text(field));
    }

    static Boolean parseBoolean(String field, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        return switch (text.trim().toLowerCase()) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new Rejection("bad_value:" + field, "'" + text + "' is not true or false");
        };
    }

    static Date parseDate(String field, String text) {
        if (text == null || text.isBlank()) {
            throw Rejection.missing(field);
        }
        try {
            return Date.valueOf(LocalDate.parse(text.trim()));
        } catch (DateTimeParseException e) {
            throw new Rejection("bad_value:" + field, "'" + text + "' is not a YYYY-MM-DD date");
        }
    }
}
