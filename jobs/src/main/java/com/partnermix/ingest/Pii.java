package com.partnermix.ingest;

import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Personal data rule: IP addresses and user agents are never stored raw. What fraud rules
 * need is kept: a salted SHA-256 (equal inputs stay equal, nothing can be looked up without
 * the salt) and the IP's network prefix (/24 for IPv4, /48 for IPv6 by default).
 */
public final class Pii implements Serializable {

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern PII_JSON_FIELD =
            Pattern.compile("(\"(?:ip|user_agent)\"\\s*:\\s*)\"((?:[^\"\\\\]|\\\\.)*)(\"|$)");
    private static final Pattern LOOSE_IPV4 = Pattern.compile("(?<![\\d.])\\d{1,3}(?:\\.\\d{1,3}){3}(?![\\d.])");

    private final String salt;
    private final int ipv4PrefixBits;
    private final int ipv6PrefixBits;

    public Pii(String salt, int ipv4PrefixBits, int ipv6PrefixBits) {
        if (salt == null || salt.isBlank()) {
            throw new IllegalArgumentException("privacy.salt must be set: IP and user agent are only stored hashed");
        }
        this.salt = salt;
        this.ipv4PrefixBits = ipv4PrefixBits;
        this.ipv6PrefixBits = ipv6PrefixBits;
    }

    /** One digest per thread: getInstance per call is measurable at millions of touches. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    public String hash(String value) {
        if (value == null) {
            return null;
        }
        MessageDigest sha = SHA256.get();
        sha.reset();
        sha.update(salt.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
        return HexFormat.of().formatHex(sha.digest(value.getBytes(StandardCharsets.UTF_8)));
    }

    /** The network prefix in CIDR form, e.g. {@code 203.0.113.0/24}; null when the value is not an IP literal. */
    public String networkPrefix(String ip) {
        if (ip == null) {
            return null;
        }
        String trimmed = ip.trim();
        Matcher v4 = IPV4.matcher(trimmed);
        byte[] bytes;
        int bits;
        if (v4.matches()) {
            bytes = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(v4.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                bytes[i] = (byte) octet;
            }
            bits = ipv4PrefixBits;
        } else if (trimmed.contains(":") && trimmed.matches("[0-9A-Fa-f:.]+")) {
            try {
                // An IPv6 literal: InetAddress parses it without any name lookup.
                bytes = InetAddress.getByName(trimmed).getAddress();
            } catch (UnknownHostException e) {
                return null;
            }
            if (bytes.length != 16) {
                return null;
            }
            bits = ipv6PrefixBits;
        } else {
            return null;
        }
        for (int i = 0; i < bytes.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            bytes[i] = (byte) (bytes[i] & (0xFF << (8 - keep)));
        }
        try {
            String address = InetAddress.getByAddress(bytes).getHostAddress();
            if (bytes.length == 16) {
                address = compressIpv6(address);
            }
            return address + "/" + bits;
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private static String compressIpv6(String full) {
        // Java prints 2001:db8:0:0:0:0:0:0; the usual short form is 2001:db8::
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestLen < 2) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail;
    }

    /**
     * A quarantined raw line keeps everything a reviewer needs except personal data: the
     * values of {@code ip} and {@code user_agent} (even in a truncated line) become their
     * hashes, and any other dotted IPv4 address is masked.
     */
    public String redactRawLine(String line) {
        if (line == null) {
            return null;
        }
        Matcher m = PII_JSON_FIELD.matcher(line);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = m.group(1) + "\"sha256:" + hash(m.group(2)) + m.group(3);
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return LOOSE_IPV4.matcher(out.toString()).replaceAll("<ip-redacted>");
    }
}
