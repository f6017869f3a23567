package com.partnermix.generate;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.zone.ZoneRules;

/** Countries, regions, time zones and currencies of the simulated shop, plus RFC 3339 formatting. */
final class Geo {

    static final String[] REGIONS = {"NA", "EMEA", "APAC", "LATAM"};
    /** Share of persons per region (same order as {@link #REGIONS}). */
    static final double[] REGION_SHARE = {0.35, 0.30, 0.22, 0.13};

    static final String[] COUNTRIES = {"US", "CA", "DE", "FR", "GB", "SG", "AU", "JP", "BR", "MX"};
    static final int[] COUNTRY_REGION = {0, 0, 1, 1, 1, 2, 2, 2, 3, 3};
    /** Share of a region's persons living in each country. */
    static final double[] COUNTRY_SHARE_IN_REGION = {0.85, 0.15, 0.40, 0.25, 0.35, 0.30, 0.35, 0.35, 0.60, 0.40};
    static final String[] ZONES = {"America/New_York", "America/Toronto", "Europe/Berlin", "Europe/Paris",
            "Europe/London", "Asia/Singapore", "Australia/Sydney", "Asia/Tokyo", "America/Sao_Paulo",
            "America/Mexico_City"};
    static final String[] COUNTRY_CURRENCY = {"USD", "CAD", "EUR", "EUR", "GBP", "SGD", "AUD", "JPY", "BRL", "MXN"};

    /** Every currency of orders, partner rates and spend, with a starting USD rate. */
    static final String[] CURRENCIES = {"USD", "EUR", "GBP", "CAD", "SGD", "AUD", "JPY", "BRL", "MXN"};
    static final double[] USD_PER_UNIT = {1.0, 1.08, 1.27, 0.73, 0.745, 0.66, 0.0067, 0.18, 0.055};

    private static final ZoneRules[] RULES = new ZoneRules[ZONES.length];

    static {
        for (int i = 0; i < ZONES.length; i++) {
            RULES[i] = ZoneId.of(ZONES[i]).getRules();
        }
    }

    private Geo() {}

    static double usdPerUnit(String currency) {
        for (int i = 0; i < CURRENCIES.length; i++) {
            if (CURRENCIES[i].equals(currency)) {
                return USD_PER_UNIT[i];
            }
        }
        throw new IllegalArgumentException(currency);
    }

    static int offsetSeconds(int country, long epochMs) {
        return RULES[country].getOffset(Instant.ofEpochMilli(epochMs)).getTotalSeconds();
    }

    /** Epoch millis of local midnight starting {@code date} in the country. */
    static long localMidnight(int country, LocalDate date) {
        return date.atStartOfDay(ZoneId.of(ZONES[country])).toInstant().toEpochMilli();
    }

    /** The local calendar day (epoch day) of an instant in the country. */
    static long localEpochDay(int country, long epochMs) {
        return Math.floorDiv(epochMs + offsetSeconds(country, epochMs) * 1000L, 86_400_000L);
    }

    /** RFC 3339 with milliseconds and the country's local offset, e.g. 2026-11-20T13:45:12.345+08:00. */
    static String rfc3339(int country, long epochMs) {
        int off = offsetSeconds(country, epochMs);
        long local = epochMs + off * 1000L;
        long day = Math.floorDiv(local, 86_400_000L);
        int msOfDay = (int) Math.floorMod(local, 86_400_000L);
        LocalDate d = LocalDate.ofEpochDay(day);
        StringBuilder b = new StringBuilder(29);
        b.append(d.getYear()).append('-');
        pad2(b, d.getMonthValue()).append('-');
        pad2(b, d.getDayOfMonth()).append('T');
        pad2(b, msOfDay / 3_600_000).append(':');
        pad2(b, msOfDay / 60_000 % 60).append(':');
        pad2(b, msOfDay / 1000 % 60).append('.');
        int ms = msOfDay % 1000;
        if (ms < 100) {
            b.append('0');
        }
        if (ms < 10) {
            b.append('0');
        }
        b.append(ms);
        b.append(off < 0 ? '-' : '+');
        int abs = Math.abs(off);
        pad2(b, abs / 3600).append(':');
        pad2(b, abs / 60 % 60);
        return b.toString();
    }

    private static StringBuilder pad2(StringBuilder b, int v) {
        if (v < 10) {
            b.append('0');
        }
        return b.append(v);
    }
}
