package com.partnermix.ingest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Personal data rule: IP addresses and user agents are never stored raw. What fraud rules
 * need is kept: a keyed hash (HMAC-SHA256, key = {@code privacy.salt}: equal inputs stay
 * equal, nothing can be looked up or enumerated without the key) and the IP's network
 * (/24 for IPv4, /48 for IPv6 by default), itself keyed-hashed unless {@code privacy.ip_prefix:
 * cidr} asks for the plain prefix. URLs keep only allow-listed query parameters readable.
 */
public final class Pii implements Serializable {

    /** The query parameters kept readable in URLs when the configuration names none. */
    public static final List<String> DEFAULT_URL_PARAMS = List.of("afsrc", "utm_*", "coupon", "coupon_code", "promo",
            "promo_code", "voucher", "voucher_code", "discount_code");

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

    private final byte[] key;
    private final int ipv4PrefixBits;
    private final int ipv6PrefixBits;
    private final boolean hashPrefix;
    private final Urls urls;
    /** One Mac per thread: Mac is not thread-safe, and getInstance per call is measurable at millions of touches. */
    private transient ThreadLocal<Mac> macs;

    public Pii(String salt, int ipv4PrefixBits, int ipv6PrefixBits) {
        this(salt, ipv4PrefixBits, ipv6PrefixBits, true, DEFAULT_URL_PARAMS);
    }

    /**
     * @param hashPrefix    true: {@link #storedPrefix} is the keyed hash of the network; false: the CIDR itself
     * @param urlParamsKept query parameter names kept readable in URLs; {@code utm_*} is a prefix
     */
    public Pii(String salt, int ipv4PrefixBits, int ipv6PrefixBits, boolean hashPrefix, List<String> urlParamsKept) {
        if (salt == null || salt.isBlank()) {
            throw new IllegalArgumentException("privacy.salt must be set: IP and user agent are only stored hashed");
        }
        this.key = salt.getBytes(StandardCharsets.UTF_8);
        this.ipv4PrefixBits = ipv4PrefixBits;
        this.ipv6PrefixBits = ipv6PrefixBits;
        this.hashPrefix = hashPrefix;
        this.urls = new Urls(urlParamsKept);
    }

    private Mac mac() {
        ThreadLocal<Mac> local = macs;
        if (local == null) {
            // Benign race: two threads may each build a ThreadLocal; each still gets a Mac of its own.
            local = ThreadLocal.withInitial(this::newMac);
            macs = local;
        }
        return local.get();
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available", e);
        }
    }

    /** HMAC-SHA256 of the value's UTF-8 bytes, keyed with the salt, as 64 hex digits; null stays null. */
    public String hash(String value) {
        if (value == null) {
            return null;
        }
        return HexFormat.of().formatHex(mac().doFinal(value.getBytes(StandardCharsets.UTF_8)));
    }

    /** A short keyed pseudonym ({@code hmac:} + 16 hex digits) for values inside URLs and redacted lines. */
    String token(String value) {
        return "hmac:" + hash(value).substring(0, 16);
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
        } else if (Addresses.isIpv6(trimmed)) {
            try {
                // A validated IPv6 literal: InetAddress parses it without any name lookup.
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

    /**
     * What {@code ip_prefix} stores: by default the keyed hash of the network prefix (a plain /24 next to
     * the address's keyed hash would leave 256 candidates to try once the key is known, and shows the
     * network to anyone without it); the CIDR itself when the configuration asks for it.
     */
    public String storedPrefix(String ip) {
        String prefix = networkPrefix(ip);
        return prefix == null || !hashPrefix ? prefix : hash(prefix);
    }

    /** The URL with query values outside the allow-list, the fragment, user info and addresses pseudonymised. */
    public String sanitizeUrl(String url) {
        return urls.sanitize(url, this);
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
     * A quarantined raw line keeps everything a reviewer needs except personal data, whatever shape the
     * line has (it was rejected, so it may be no JSON at all): see {@link RawLineRedactor}.
     */
    public String redactRawLine(String line) {
        return line == null ? null : RawLineRedactor.redact(line, this);
    }
}
