package com.partnermix.ingest;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The CSV feeds of the contract (partners, spend, fx_rates) and the optional experiments feed: splitting, header mapping and typed rows. */
public final class CsvRecords {

    private CsvRecords() {}

    public static final DecimalType RATE = DataTypes.createDecimalType(18, 8);

    /** RFC 4180 fields of one line (quoted fields may hold commas and doubled quotes; no embedded newlines). */
    public static List<String> split(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    /** Column positions of one file, from its header; every contract column must be there. */
    public record Header(String line, Map<String, Integer> positions, int width) implements Serializable {

        public static Header of(String headerLine, List<String> required, String file) {
            List<String> names = split(TouchpointParser.stripBom(headerLine).trim());
            Map<String, Integer> positions = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                positions.put(names.get(i).trim(), i);
            }
            List<String> missing = required.stream().filter(c -> !positions.containsKey(c)).toList();
            if (!missing.isEmpty()) {
                throw new com.partnermix.common.RunStoppedException("File " + file + " lacks the column(s) " + missing
                        + " of the contract; its header is: " + headerLine.trim());
            }
            return new Header(TouchpointParser.stripBom(headerLine).trim(), Map.copyOf(positions), names.size());
        }

        /** Data lines are read together with the header line; this tells them apart. */
        boolean isHeaderLine(String text) {
            return TouchpointParser.stripBom(text).trim().equals(line);
        }

        Values values(String line) {
            List<String> fields = split(TouchpointParser.stripBom(line));
            if (fields.size() != width) {
                throw new Rejection("wrong_column_count", "expected " + width + " columns, found " + fields.size());
            }
            return new Values(this, fields);
        }
    }

    /** One data line's fields by column name. */
    record Values(Header header, List<String> fields) {
        String get(String column) {
            Integer at = header.positions().get(column);
            String value = at == null ? null : fields.get(at).trim();
            return value == null || value.isEmpty() ? null : value;
        }

        String required(String column) {
            String value = get(column);
            if (value == null) {
                throw Rejection.missing(column);
            }
            return value;
        }

        String enumValue(String column, java.util.Set<String> allowed) {
            String value = required(column);
            if (!allowed.contains(value)) {
                throw Rejection.unknownEnum(column, value);
            }
            return value;
        }

        BigDecimal nonNegative(String column, DecimalType type, boolean required) {
            BigDecimal value = FieldReader.parseDecimal(column, required ? required(column) : get(column));
            if (value == null) {
                return null;
            }
            if (value.signum() < 0) {
                throw new Rejection("bad_value:" + column, column + " must be >= 0, got " + get(column));
            }
            return FieldReader.fit(column, value, type);
        }

        Long count(String column) {
            Long value = FieldReader.parseLong(column, get(column));
            if (value != null && value < 0) {
                throw new Rejection("bad_value:" + column, column + " must be >= 0, got " + value);
            }
            return value;
        }
    }

    public static final StructType PARTNER_SCHEMA = new StructType()
            .add("partner_id", DataTypes.StringType)
            .add("partner_name", DataTypes.StringType)
            .add("partner_type", DataTypes.StringType)
            .add("region", DataTypes.StringType)
            .add("payment_model", DataTypes.StringType)
            .add("cps_rate", RATE)
            .add("cpc_rate", RATE)
            .add("cpm_rate", RATE)
            .add("flat_fee_monthly", OrderParser.MONEY)
            .add("rate_currency", DataTypes.StringType)
            .add("stand_down_required", DataTypes.BooleanType)
            .add("parent_partner_id", DataTypes.StringType)
            .add("owned_coupon_codes", DataTypes.createArrayType(DataTypes.StringType))
            .add("status", DataTypes.StringType)
            .add("joined_date", DataTypes.DateType);

    public static Row partner(Header header, String line) {
        Values v = header.values(line);
        String paymentModel = v.enumValue("payment_model", Contract.PAYMENT_MODELS);
        BigDecimal cps = v.nonNegative("cps_rate", RATE, false);
        BigDecimal cpc = v.nonNegative("cpc_rate", RATE, false);
        BigDecimal cpm = v.nonNegative("cpm_rate", RATE, false);
        BigDecimal flat = v.nonNegative("flat_fee_monthly", OrderParser.MONEY, false);
        requireRateFor(paymentModel, cps, cpc, cpm, flat);
        String codes = v.get("owned_coupon_codes");
        List<String> owned = codes == null ? List.of()
                : Arrays.stream(codes.split(";")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        owned.forEach(code -> FieldReader.checkText("owned_coupon_codes", code));
        return RowFactory.create(
                FieldReader.checkText("partner_id", v.required("partner_id")),
                v.get("partner_name"),
                v.enumValue("partner_type", Contract.PARTNER_TYPES),
                v.enumValue("region", Contract.REGIONS),
                paymentModel,
                cps, cpc, cpm, flat,
                FieldReader.currency("rate_currency", v.required("rate_currency")),
                Boolean.TRUE.equals(FieldReader.parseBoolean("stand_down_required", v.get("stand_down_required"))),
                FieldReader.checkText("parent_partner_id", v.get("parent_partner_id")),
                owned.toArray(new String[0]),
                v.enumValue("status", Contract.PARTNER_STATUSES),
                FieldReader.parseDate("joined_date", v.get("joined_date")));
    }

    /** A partner paid per sale must have a CPS rate, and so on: otherwise its commission cannot be computed. */
    private static void requireRateFor(String model, BigDecimal cps, BigDecimal cpc, BigDecimal cpm, BigDecimal flat) {
        String missing = switch (model) {
            case "cps" -> cps == null ? "cps_rate" : null;
            case "cpc" -> cpc == null ? "cpc_rate" : null;
            case "cpm" -> cpm == null ? "cpm_rate" : null;
            case "flat_fee" -> flat == null ? "flat_fee_monthly" : null;
            case "hybrid" -> cps == null ? "cps_rate" : flat == null ? "flat_fee_monthly" : null;
            default -> null;
        };
        if (missing != null) {
            throw new Rejection("missing_field:" + missing, "payment model " + model + " needs " + missing);
        }
    }

    public static final StructType SPEND_SCHEMA = new StructType()
            .add("date", DataTypes.DateType)
            .add("channel", DataTypes.StringType)
            .add("region", DataTypes.StringType)
            .add("currency", DataTypes.StringType)
            .add("spend", OrderParser.MONEY)
            .add("impressions", DataTypes.LongType)
            .add("clicks", DataTypes.LongType);

    public static Row spend(Header header, String line) {
        Values v = header.values(line);
        return RowFactory.create(
                FieldReader.parseDate("date", v.get("date")),
                v.enumValue("channel", Contract.SPEND_CHANNELS),
                v.enumValue("region", Contract.REGIONS),
                FieldReader.currency("currency", v.required("currency")),
                v.nonNegative("spend", OrderParser.MONEY, true),
                v.count("impressions"),
                v.count("clicks"));
    }

    public static final StructType FX_SCHEMA = new StructType()
            .add("date", DataTypes.DateType)
            .add("currency", DataTypes.StringType)
            .add("usd_per_unit", RATE);

    public static Row fxRate(Header header, String line) {
        Values v = header.values(line);
        BigDecimal rate = v.nonNegative("usd_per_unit", RATE, true);
        if (rate.signum() == 0) {
            throw new Rejection("bad_value:usd_per_unit", "usd_per_unit must be > 0");
        }
        return RowFactory.create(
                FieldReader.parseDate("date", v.get("date")),
                FieldReader.currency("currency", v.required("currency")),
                rate);
    }

    public static final StructType EXPERIMENT_SCHEMA = new StructType()
            .add("experiment_id", DataTypes.StringType)
            .add("group", DataTypes.StringType)
            .add("start_date", DataTypes.DateType)
            .add("end_date", DataTypes.DateType)
            .add("test_persons", DataTypes.LongType)
            .add("test_conversions", DataTypes.LongType)
            .add("control_persons", DataTypes.LongType)
            .add("control_conversions", DataTypes.LongType)
            .add("test_clicks", DataTypes.LongType)
            .add("test_impressions", DataTypes.LongType);

    /** The groups a lift test may name: the attribution groups (a partner type, or a channel other than affiliate). */
    public static final java.util.Set<String> EXPERIMENT_GROUPS = java.util.stream.Stream.concat(
                    Contract.PARTNER_TYPES.stream(), Contract.CHANNELS.stream().filter(c -> !c.equals("affiliate")))
            .collect(java.util.stream.Collectors.toUnmodifiableSet());

    /**
     * One lift test: over [start_date, end_date] the group's exposure was withheld from the control arm; conversions
     * are the arms' orders in that period (a person may order twice, so they may exceed the persons), clicks and
     * impressions the group's touches of the test arm. Numbers that cannot be a lift test (an arm of no persons, a
     * test arm never exposed, an end before the start) are refused.
     */
    public static Row experiment(Header header, String line) {
        Values v = header.values(line);
        java.sql.Date start = FieldReader.parseDate("start_date", v.required("start_date"));
        java.sql.Date end = FieldReader.parseDate("end_date", v.required("end_date"));
        if (end.before(start)) {
            throw new Rejection("bad_value:end_date", "end_date " + end + " is before start_date " + start);
        }
        Long testPersons = positive(v, "test_persons");
        Long controlPersons = positive(v, "control_persons");
        Long testConversions = required(v, "test_conversions");
        Long controlConversions = required(v, "control_conversions");
        Long clicks = required(v, "test_clicks");
        Long impressions = required(v, "test_impressions");
        if (clicks + impressions == 0) {
            throw new Rejection("bad_value:test_clicks", "a test arm without clicks or impressions measures no exposure");
        }
        return RowFactory.create(
                FieldReader.checkText("experiment_id", v.required("experiment_id")),
                v.enumValue("group", EXPERIMENT_GROUPS),
                start, end, testPersons, testConversions, controlPersons, controlConversions, clicks, impressions);
    }

    private static Long required(Values v, String column) {
        v.required(column);
        return v.count(column);
    }

    private static Long positive(Values v, String column) {
        Long value = required(v, column);
        if (value == 0) {
            throw new Rejection("bad_value:" + column, column + " must be > 0");
        }
        return value;
    }
}
