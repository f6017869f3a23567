package com.partnermix.ingest;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Applies a {@link LineParser} to {@code (source_file, line)} rows. Every input line comes out
 * exactly once (CSV headers and blank lines excepted): either with its typed columns, or with the columns
 * null and {@code reject_reason}/{@code reject_detail} and {@code raw_line} (personal data
 * redacted) set. {@code line_hash} orders copies of a duplicate deterministically.
 */
public final class ParsedLines {

    public static final String SOURCE_FILE = "source_file";
    public static final String RAW_LINE = "raw_line";
    public static final String LINE_HASH = "line_hash";
    public static final String REJECT_REASON = "reject_reason";
    public static final String REJECT_DETAIL = "reject_detail";

    private ParsedLines() {}

    public static StructType schemaOf(StructType parsed) {
        return new StructType(parsed.fields())
                .add(SOURCE_FILE, DataTypes.StringType)
                .add(LINE_HASH, DataTypes.LongType)
                .add(RAW_LINE, DataTypes.StringType)
                .add(REJECT_REASON, DataTypes.StringType)
                .add(REJECT_DETAIL, DataTypes.StringType);
    }

    public static Dataset<Row> parse(Dataset<Row> lines, LineParser parser, StructType parsedSchema, Pii pii) {
        int width = parsedSchema.size();
        MapPartitionsFunction<Row, Row> fn = (Iterator<Row> input) -> new Iterator<>() {
            private Row next = advance();

            private Row advance() {
                while (input.hasNext()) {
                    Row in = input.next();
                    String file = in.getString(0);
                    String line = in.getString(1);
                    if (blank(line)) {
                        continue;
                    }
                    Row out = parseOne(parser, pii, width, file, line);
                    if (out != null) {
                        return out;
                    }
                }
                return null;
            }

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public Row next() {
                Row current = next;
                next = advance();
                return current;
            }
        };
        return lines.mapPartitions(fn, Encoders.row(schemaOf(parsedSchema)));
    }

    /**
     * A line of spaces only, or empty, is no line (as Spark's {@code trim} sees it: other whitespace is content, so
     * a line of tabs is quarantined). Checked here, not as a SQL filter: the filter copied and counted every line's
     * characters (about 7 % of the 10M-line month's CPU samples); this loop stops at the first other character.
     */
    static boolean blank(String line) {
        for (int i = 0; i < line.length(); i++) {
            if (line.charAt(i) != ' ') {
                return false;
            }
        }
        return true;
    }

    /** A stable 64-bit hash of the line, so that the same copy of a duplicate wins in every rerun. */
    static long lineHash(String line) {
        long h = 1125899906842597L;
        for (int i = 0; i < line.length(); i++) {
            h = 31 * h + line.charAt(i);
        }
        return h;
    }

    /** The line without personal data; never throws (a line that cannot be redacted is withheld). */
    private static String redacted(Pii pii, String line) {
        try {
            return pii.redactRawLine(line);
        } catch (RuntimeException e) {
            return "<withheld: the line could not be redacted (" + e.getClass().getSimpleName() + ")>";
        }
    }

    static Row parseOne(LineParser parser, Pii pii, int width, String file, String line) {
        List<Object> values = new ArrayList<>(width + 4);
        String reason = null;
        String detail = null;
        try {
            Row parsed = parser.parse(file, line);
            if (parsed == null) {
                return null;
            }
            for (int i = 0; i < width; i++) {
                values.add(parsed.get(i));
            }
        } catch (Rejection rejection) {
            reason = rejection.reason();
            detail = rejection.detail();
        } catch (RuntimeException unforeseen) {
            // A line no rule foresaw must not fail the night's task: it is quarantined like any other, and the
            // bronze gate (quarantine share) stops the night before publishing if it is not one line but all.
            reason = Rejection.PARSER_ERROR;
            detail = unforeseen.getClass().getSimpleName() + ": " + unforeseen.getMessage();
        }
        if (reason != null) {
            values.clear();
            for (int i = 0; i < width; i++) {
                values.add(null);
            }
        }
        values.add(file);
        values.add(lineHash(line));
        // Only rejected lines are kept (for the quarantine); redacting every line would cost time and memory.
        // Details quote field values (a bad timestamp, an unknown enum), so they are masked as well.
        values.add(reason == null ? null : redacted(pii, line));
        values.add(reason);
        values.add(detail == null ? null : Addresses.maskAll(detail));
        return RowFactory.create(values.toArray());
    }
}
