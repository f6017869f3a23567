package com.partnermix.ingest;

/**
 * Why a landing record was quarantined. Reasons are stable codes (BI and tests group by
 * them): {@code malformed_json}, {@code missing_field:<f>}, {@code bad_timestamp:<f>},
 * {@code unknown_enum:<f>}, {@code negative_revenue}, {@code affiliate_without_partner},
 * {@code unknown_partner}, {@code bad_number:<f>}, {@code bad_value:<f>}, {@code id_too_long:<f>},
 * {@code event_after_delivery}, {@code wrong_column_count}, {@code out_of_range:<f>} (a date or time outside
 * 1900-01-01..9999-12-31), {@code invalid_utf8:<f>} (an identifier that would not be stored as delivered),
 * {@code parser_error} (an exception no rule foresaw).
 */
public final class Rejection extends RuntimeException {

    static final String PARSER_ERROR = "parser_error";

    private final String reason;

    public Rejection(String reason, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }

    public String detail() {
        return getMessage();
    }

    static Rejection missing(String field) {
        return new Rejection("missing_field:" + field, "required field '" + field + "' is missing or empty");
    }

    static Rejection unknownEnum(String field, String value) {
        return new Rejection("unknown_enum:" + field, "'" + value + "' is not an allowed value of " + field);
    }
}
