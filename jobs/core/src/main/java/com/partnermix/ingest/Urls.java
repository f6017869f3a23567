package com.partnermix.ingest;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * URLs as bronze keeps them ({@code landing_url}, {@code referrer_url}, and so the fraud evidence): query
 * strings carry e-mail addresses, login tokens and session ids, so only allow-listed parameters
 * ({@code privacy.url_params_kept}: {@code afsrc}, {@code utm_*}, coupon parameters) keep their values; every
 * other value, the fragment, a path segment holding an e-mail address and user info become keyed
 * pseudonyms ({@code hmac:} + 16 hex digits: equal values stay equal), and IP literals are masked. Scheme,
 * host and path stay as they are, so {@code parse_url(url, 'HOST')} and the {@code afsrc=1} test still work.
 * Never throws: a string that is no URL is treated as a path.
 */
final class Urls implements Serializable {

    static final String IP_MASK = "ip-redacted";

    private final List<String> exact = new ArrayList<>();
    private final List<String> prefixes = new ArrayList<>();

    Urls(List<String> kept) {
        for (String name : kept) {
            String n = name.trim().toLowerCase(Locale.ROOT);
            if (n.endsWith("*")) {
                prefixes.add(n.substring(0, n.length() - 1));
            } else if (!n.isEmpty()) {
                exact.add(n);
            }
        }
    }

    boolean keeps(String parameter) {
        String name = percentDecode(parameter).trim().toLowerCase(Locale.ROOT);
        return exact.contains(name) || prefixes.stream().anyMatch(p -> !p.isEmpty() && name.startsWith(p));
    }

    String sanitize(String url, Pii pii) {
        if (url == null) {
            return null;
        }
        int hash = url.indexOf('#');
        String fragment = hash < 0 ? null : url.substring(hash + 1);
        String beforeFragment = hash < 0 ? url : url.substring(0, hash);
        int question = beforeFragment.indexOf('?');
        String query = question < 0 ? null : beforeFragment.substring(question + 1);
        String base = question < 0 ? beforeFragment : beforeFragment.substring(0, question);

        StringBuilder out = new StringBuilder(url.length() + 32);
        int authorityStart = base.indexOf("://");
        int pathStart = 0;
        if (authorityStart >= 0) {
            authorityStart += 3;
            int authorityEnd = base.indexOf('/', authorityStart);
            authorityEnd = authorityEnd < 0 ? base.length() : authorityEnd;
            String authority = base.substring(authorityStart, authorityEnd);
            // user:password@host: the credentials are dropped, not pseudonymised
            int at = authority.lastIndexOf('@');
            out.append(base, 0, authorityStart).append(at < 0 ? authority : authority.substring(at + 1));
            pathStart = authorityEnd;
        }
        String path = base.substring(pathStart);
        if (path.indexOf('@') >= 0 || path.toLowerCase(Locale.ROOT).contains("%40")) {
            String[] segments = path.split("/", -1);
            for (int i = 0; i < segments.length; i++) {
                String s = segments[i];
                if (s.indexOf('@') >= 0 || s.toLowerCase(Locale.ROOT).contains("%40")) {
                    segments[i] = pii.token(s);
                }
            }
            path = String.join("/", segments);
        }
        out.append(path);
        if (query != null) {
            out.append('?');
            String[] parameters = query.split("&", -1);
            for (int i = 0; i < parameters.length; i++) {
                if (i > 0) {
                    out.append('&');
                }
                out.append(parameter(parameters[i], pii));
            }
        }
        if (fragment != null) {
            out.append('#');
            if (!fragment.isEmpty()) {
                out.append(pii.token(fragment));
            }
        }
        return Addresses.maskIps(out.toString(), IP_MASK);
    }

    private String parameter(String parameter, Pii pii) {
        if (parameter.isEmpty()) {
            return parameter;
        }
        int eq = parameter.indexOf('=');
        if (eq < 0) {
            // ?john@example.com or ?token: a bare value
            return keeps(parameter) ? parameter : pii.token(parameter);
        }
        String name = parameter.substring(0, eq);
        if (keeps(name)) {
            return parameter;
        }
        String value = parameter.substring(eq + 1);
        String safeName = isPlainName(percentDecode(name)) ? name : pii.token(name);
        return safeName + "=" + (value.isEmpty() ? "" : pii.token(value));
    }

    /** A parameter name that can hold no personal data: short, letters, digits and {@code _ . - [ ]}. */
    private static boolean isPlainName(String name) {
        if (name.isEmpty() || name.length() > 64) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "_.-[]".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** %XX sequences decoded as UTF-8; malformed ones and {@code +} are kept as they are. Never throws. */
    static String percentDecode(String text) {
        if (text.indexOf('%') < 0) {
            return text;
        }
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && Addresses.isHexDigit(text.charAt(i + 1))
                    && Addresses.isHexDigit(text.charAt(i + 2))) {
                bytes.write(Integer.parseInt(text, i + 1, i + 3, 16));
                i += 3;
            } else {
                int end = i + Character.charCount(text.codePointAt(i));
                bytes.writeBytes(text.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
