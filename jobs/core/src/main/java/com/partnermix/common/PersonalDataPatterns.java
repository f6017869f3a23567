package com.partnermix.common;

/**
 * Regular expressions of raw personal data, which no table may hold: the verify invariants scan every table with
 * them, and reviewers' notes are refused when they match.
 */
public final class PersonalDataPatterns {

    private PersonalDataPatterns() {}

    // Personal data as the contract describes it, plus e-mail addresses (URLs carry them in query strings). A
    // network prefix in CIDR form (203.0.113.0/24, 2001:db8:85a3::/48: privacy.ip_prefix: cidr) is kept on
    // purpose, so an address followed by /bits does not count.
    private static final String OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
    public static final String RAW_IPV4 = "(?<![\\w.])" + OCTET + "(?:\\." + OCTET + "){3}(?![\\w.]|/\\d)";
    public static final String RAW_IPV6 = "(?i)(?<![\\w:.])(?:(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}"
            + "|(?:[0-9a-f]{1,4}:){1,6}(?::[0-9a-f]{1,4}){1,6})(?![\\w:.]|/\\d)";
    public static final String RAW_USER_AGENT = "(?i)(?:mozilla|applewebkit|gecko|chrome|safari|opera|dalvik|okhttp|curl"
            + "|wget|python-requests)/\\d|googlebot|bingbot";
    /** local@domain.tld, the @ also percent-encoded; every repetition bounded, so a long value cannot make it slow. */
    public static final String RAW_EMAIL = "(?i)(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}(?:@|%40)[a-z0-9-]{1,63}"
            + "(?:\\.[a-z0-9-]{1,63}){0,8}\\.[a-z]{2,24}(?![a-z0-9-])";
}
