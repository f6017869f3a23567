package com.partnermix.ingest;

import com.fasterxml.jackson.databind.JsonNode;

import org.apache.spark.sql.types.DecimalType;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Instant;
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
    /**
     * Times and dates the warehouse can store faithfully. Parquet refuses (Spark's rebase check) timestamps
     * before 1900 and dates before 1582, which would fail the whole night's write; Spark's microseconds end in
     * the year 294247 and its dates at 9999.
     */
    static final LocalDate EARLIEST_DATE = LocalDate.parse("1900-01-01");
    static final LocalDate LATEST_DATE = LocalDate.parse("9999-12-31");
    private static final Instant EARLIEST = Instant.parse("1900-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999999Z");
    /** A decimal written with more characters than this is no amount (and parsing huge ones costs time). */
    private static final int MAX_DECIMAL_CHARS = 64;

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
        return checkText(field, value);
    }

    /**
     * An identifier must survive storage unchanged. Bytes that are not UTF-8 are read as U+FFFD, and a lone
     * surrogate (half a pair, written as a JSON escape) is stored as '?': two different ids would become
     * one and the second be dropped as its duplicate.
     */
    static String checkText(String field, String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean broken = c == '\uFFFD'
                    || (Character.isHighSurrogate(c) && (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))))
                    || (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(value.charAt(i - 1))));
            if (broken) {
                throw new Rejection("invalid_utf8:" + field, field + " holds bytes that are not UTF-8 (or an unpaired"
                        + " surrogate) at character " + i + ": it would not be stored as delivered");
            }
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
        Instant instant = commonInstant(text);
        if (instant == null) {
            try {
                // RFC 3339 requires an offset; ISO_OFFSET_DATE_TIME rejects local times without one.
                instant = OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                throw new Rejection("bad_timestamp:" + field, "'" + text + "' is not an RFC 3339 timestamp with offset");
            }
        }
        if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
            throw new Rejection("out_of_range:" + field, "'" + text + "' is before " + EARLIEST_DATE + " or after "
                    + LATEST_DATE + ": outside what the warehouse stores");
        }
        return Timestamp.from(instant);
    }

    /**
     * The instant of the shape nearly every landing line has, {@code 2026-11-20T13:45:12[.345]Z} or with
     * {@code +08:00}, read without the formatter (it cost a tenth of a line's parsing); null for anything else, a
     * valid shape holding an invalid field included, which the formatter then accepts or rejects as before.
     */
    static Instant commonInstant(String text) {
        int n = text.length();
        if (n < 20 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T' || text.charAt(13) != ':'
                || text.charAt(16) != ':') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        int at = 19;
        int nanos = 0;
        if (text.charAt(at) == '.') {
            int start = ++at;
            while (at < n && at - start < 9 && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
                nanos = nanos * 10 + (text.charAt(at++) - '0');
            }
            if (at == start) {
                return null;
            }
            for (int k = at - start; k < 9; k++) {
                nanos *= 10;
            }
        }
        int offsetSeconds;
        if (at == n - 1 && text.charAt(at) == 'Z') {
            offsetSeconds = 0;
        } else if (at == n - 6 && (text.charAt(at) == '+' || text.charAt(at) == '-') && text.charAt(at + 3) == ':') {
            int offsetHours = digits(text, at + 1, 2);
            int offsetMinutes = digits(text, at + 4, 2);
            if (offsetHours < 0 || offsetMinutes < 0 || offsetHours > 18 || offsetMinutes > 59) {
                return null;
            }
            offsetSeconds = (text.charAt(at) == '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
            if (Math.abs(offsetSeconds) > 18 * 3600) {
                return null;
            }
        } else {
            return null;
        }
        if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) {
            return null;
        }
        try {
            return java.time.LocalDateTime.of(year, month, day, hour, minute, second, nanos)
                    .toInstant(java.time.ZoneOffset.ofTotalSeconds(offsetSeconds));
        } catch (java.time.DateTimeException invalidField) {
            return null;
        }
    }

    /** The non-negative number of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String text, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
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
        if (text.trim().length() > MAX_DECIMAL_CHARS) {
            throw new Rejection("bad_number:" + field, field + " has " + text.trim().length()
                    + " characters: not a decimal amount");
        }
        try {
            return new BigDecimal(text.trim());
        } catch (NumberFormatException e) {
            throw new Rejection("bad_number:" + field, "'" + text + "' is not a decimal number");
        }
    }

    /**
     * The value rounded (half up) to the column's scale, or a rejection when it does not fit the column:
     * Spark would store a value with too many digits as NULL without a word. Tiny values (1e-999999999) are
     * zero; rounding them by {@code setScale} would first compute a power of ten with a billion digits.
     */
    static BigDecimal fit(String field, BigDecimal value, DecimalType type) {
        if (value == null) {
            return null;
        }
        long integerDigits = (long) value.precision() - value.scale();
        if (integerDigits < -type.scale()) {
            return BigDecimal.ZERO.setScale(type.scale());
        }
        BigDecimal rounded = integerDigits > type.precision() - type.scale() ? null
                : value.setScale(type.scale(), RoundingMode.HALF_UP);
        if (rounded == null || rounded.precision() > type.precision()) {
            throw new Rejection("bad_number:" + field, field + " " + (integerDigits > 40 ? "with " + integerDigits
                    + " integer digits" : value.toPlainString()) + " does not fit " + type.simpleString()
                    + " (at most " + (type.precision() - type.scale()) + " digits before the point)");
        }
        return rounded;
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
        LocalDate date;
        try {
            date = LocalDate.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new Rejection("bad_value:" + field, "'" + text + "' is not a YYYY-MM-DD date");
        }
        if (date.isBefore(EARLIEST_DATE) || date.isAfter(LATEST_DATE)) {
            throw new Rejection("out_of_range:" + field, "'" + text.trim() + "' is before " + EARLIEST_DATE
                    + " or after " + LATEST_DATE + ": outside what the warehouse stores");
        }
        return Date.valueOf(date);
    }
}
