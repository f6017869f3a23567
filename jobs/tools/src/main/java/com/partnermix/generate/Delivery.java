package com.partnermix.generate;

import java.util.SplittableRandom;

/**
 * Delivery of one person's records: lateness, duplicates and extra malformed lines. It draws
 * from its own random stream (never the content stream) and always draws the same numbers per
 * record, so an on-time run delivers exactly the same records, only in other dt folders.
 */
final class Delivery {

    static final String TOUCHPOINTS = "touchpoints";
    static final String ORDERS = "orders";
    static final String TRUTH_FRAUD = "truth_fraud";
    static final String TRUTH_IDENTITY = "truth_identity";
    static final String TRUTH_MALFORMED = "truth_malformed";
    static final String TRUTH_MEDIA = "truth_media";
    static final String TRUTH_LIFT = "truth_lift";
    static final String ALL = "all";

    /** Where lines go: (feed, delivery date or "all", line). */
    interface Sink {
        void line(String feed, String dt, String line);
    }

    private static final String[] BAD_TIMESTAMPS = {"20/11/2026 13:45", "not-a-timestamp",
            "2026-13-45T99:61:00.000+00:00", "yesterday 10pm"};

    private final GeneratorOptions options;
    private final String[] dates;
    private final SplittableRandom rng;
    private final Sink sink;

    Delivery(GeneratorOptions options, String[] dates, SplittableRandom rng, Sink sink) {
        this.options = options;
        this.dates = dates;
        this.rng = rng;
        this.sink = sink;
    }

    void truth(String feed, String line) {
        sink.line(feed, ALL, line);
    }

    /** Delivers a record that happened (or was updated) on {@code eventDay}. */
    void deliver(String feed, int eventDay, Rec record) {
        int last = options.days() - 1;
        int day = Math.max(0, Math.min(last, eventDay));
        double uLate = rng.nextDouble();
        int lateBy = 1 + rng.nextInt(7);
        double uDup = rng.nextDouble();
        int dupBy = rng.nextInt(4);
        double uBad = rng.nextDouble();
        long badSeed = rng.nextLong();
        String line = record.toJson();
        int dt = !options.onTime() && uLate < options.lateShare() ? Math.min(last, day + lateBy) : day;
        emit(feed, dt, line);
        if (uDup < options.duplicateShare()) {
            emit(feed, options.onTime() ? dt : Math.min(last, dt + dupBy), line);
        }
        if (uBad < options.malformedShare()) {
            String[] bad = feed.equals(ORDERS) ? brokenOrder(record.copy(), new SplittableRandom(badSeed))
                    : brokenTouch(record.copy(), new SplittableRandom(badSeed));
            emit(feed, dt, bad[1]);
            sink.line(TRUTH_MALFORMED, ALL, dates[dt] + "," + bad[0] + "," + csvQuote(bad[1]));
        }
    }

    private void emit(String feed, int dt, String line) {
        sink.line(feed, dates[dt], line);
    }

    /** @return {reason code, broken line} */
    static String[] brokenTouch(Rec r, SplittableRandom b) {
        if (r.has("event_id")) {
            r.set("event_id", r.get("event_id") + "-bad", false);
        }
        int kind = b.nextInt(6);
        switch (kind) {
            case 0:
                return new String[] {"malformed_json", truncate(r.toJson(), b)};
            case 1: {
                String[] fields = r.has("page_type")
                        ? new String[] {"event_id", "event_ts", "event_type", "anonymous_id", "page_type"}
                        : new String[] {"event_id", "event_ts", "event_type", "anonymous_id", "channel"};
                String f = fields[b.nextInt(fields.length)];
                if (f.equals("channel") && "affiliate".equals(r.get("channel"))) {
                    r.remove("partner_id"); // a touch without channel must not look like a partner touch either
                }
                return new String[] {"missing_field:" + f, r.remove(f).toJson()};
            }
            case 2:
                r.set("event_ts", BAD_TIMESTAMPS[b.nextInt(BAD_TIMESTAMPS.length)], false);
                return new String[] {"bad_timestamp:event_ts", r.toJson()};
            case 3:
            case 4: {
                if (kind == 4 && "affiliate".equals(r.get("channel"))) {
                    return new String[] {"affiliate_without_partner", r.remove("partner_id").toJson()};
                }
                int pick = b.nextInt(2);
                if (pick == 1 && r.has("channel")) {
                    r.set("channel", "tv_broadcast", false);
                    return new String[] {"unknown_enum:channel", r.toJson()};
                }
                if (pick == 1 && r.has("page_type")) {
                    r.set("page_type", "wishlist", false);
                    return new String[] {"unknown_enum:page_type", r.toJson()};
                }
                r.set("event_type", "hover", false);
                return new String[] {"unknown_enum:event_type", r.toJson()};
            }
            default: {
                r.remove("anonymous_id");
                return new String[] {"missing_field:anonymous_id", r.toJson()};
            }
        }
    }

    static String[] brokenOrder(Rec r, SplittableRandom b) {
        r.set("order_id", r.get("order_id") + "-bad", false);
        int kind = b.nextInt(5);
        switch (kind) {
            case 0:
                return new String[] {"malformed_json", truncate(r.toJson(), b)};
            case 1: {
                String[] fields = {"order_id", "order_ts", "updated_ts", "status", "revenue", "currency", "anonymous_id"};
                String f = fields[b.nextInt(fields.length)];
                return new String[] {"missing_field:" + f, r.remove(f).toJson()};
            }
            case 2: {
                String f = b.nextBoolean() ? "order_ts" : "updated_ts";
                r.set(f, BAD_TIMESTAMPS[b.nextInt(BAD_TIMESTAMPS.length)], false);
                return new String[] {"bad_timestamp:" + f, r.toJson()};
            }
            case 3:
                r.set("status", b.nextBoolean() ? "shipped" : "refunded_partially", false);
                return new String[] {"unknown_enum:status", r.toJson()};
            default: {
                double v = Double.parseDouble(r.get("revenue"));
                double neg = -(v > 0 ? v : 5 + b.nextInt(100));
                r.set("revenue", String.format(java.util.Locale.ROOT, "%.2f", neg), b.nextBoolean());
                return new String[] {"negative_revenue", r.toJson()};
            }
        }
    }

    private static String truncate(String json, SplittableRandom b) {
        int cut = 5 + b.nextInt(Math.max(1, json.length() - 10));
        return json.substring(0, cut);
    }

    static String csvQuote(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
