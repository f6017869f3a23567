package com.partnermix.ingest;

import java.util.Set;

/**
 * Redacts a quarantined line, which was rejected and so may be anything: valid JSON, truncated JSON, keys
 * written with escapes ({@code "\u0069p"}), single-quoted or unquoted keys and values, a megabyte of user
 * agent. One left-to-right pass (plus bounded look-ahead over blanks), no regular expression and no
 * recursion, so its time is linear in the line and it cannot overflow the stack:
 * <ul>
 *   <li>the value after a personal key ({@code ip}, {@code user_agent} and their spellings, compared after
 *       decoding escapes, ignoring case, {@code _} and {@code -}) becomes {@code hmac:<keyed hash>}, whether
 *       quoted, unterminated, bare or a nested object;</li>
 *   <li>the value after a URL key ({@code landing_url}, {@code referrer_url}) is sanitised like a stored URL;</li>
 *   <li>everywhere else (other values, keys, garbage) IP literals, e-mail addresses and user agents are masked,
 *       also when a quoted value hides them behind escapes.</li>
 * </ul>
 */
final class RawLineRedactor {

    private static final Set<String> PERSONAL_KEYS = Set.of("ip", "ipaddress", "ipaddr", "clientip", "remoteip",
            "remoteaddr", "remoteaddress", "xforwardedfor", "forwardedfor", "useragent", "ua", "httpuseragent");
    private static final Set<String> URL_KEYS = Set.of("landingurl", "referrerurl", "refererurl", "url", "referrer",
            "referer", "pageurl");

    private enum Value { NONE, PERSONAL, URL }

    private final String s;
    private final int n;
    private final Pii pii;
    private final StringBuilder out;

    private RawLineRedactor(String line, Pii pii) {
        this.s = line;
        this.n = line.length();
        this.pii = pii;
        this.out = new StringBuilder(n + 64);
    }

    static String redact(String line, Pii pii) {
        RawLineRedactor r = new RawLineRedactor(line, pii);
        r.scan();
        return Addresses.maskAll(r.out.toString());
    }

    private void scan() {
        String key = null;          // the last key-like token, when a ':' follows it
        Value expecting = Value.NONE;
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (expecting != Value.NONE && !Character.isWhitespace(c)) {
                i = value(i, expecting);
                expecting = Value.NONE;
                continue;
            }
            if (c == '"' || (c == '\'' && opensToken(i))) {
                int end = endOfQuoted(i);
                boolean closed = closedAt(i, end);
                String decoded = unescape(i + 1, closed ? end - 1 : end);
                key = colonFollows(end) ? normalise(decoded) : null;
                appendQuoted(c, s.substring(i + 1, closed ? end - 1 : end), decoded, closed);
                i = end;
            } else if (c == ':') {
                out.append(c);
                expecting = kindOf(key);
                key = null;
                i++;
            } else if (isWordChar(c)) {
                int end = i;
                while (end < n && isWordChar(s.charAt(end))) {
                    end++;
                }
                String word = s.substring(i, end);
                key = colonFollows(end) ? normalise(unescapeText(word)) : null;
                out.append(word);
                i = end;
            } else {
                if (!Character.isWhitespace(c)) {
                    key = null;
                }
                out.append(c);
                i++;
            }
        }
    }

    /** Writes the redacted value starting at {@code i} (not a blank); returns the index after it. */
    private int value(int i, Value kind) {
        char c = s.charAt(i);
        if (c == '"' || c == '\'') {
            int end = endOfQuoted(i);
            boolean closed = closedAt(i, end);
            String decoded = unescape(i + 1, closed ? end - 1 : end);
            out.append(c).append(kind == Value.PERSONAL ? "hmac:" + pii.hash(decoded)
                    : escape(pii.sanitizeUrl(decoded), c));
            if (closed) {
                out.append(c);
            }
            return end;
        }
        int end = endOfBareValue(i);
        int trimmed = end;
        while (trimmed > i && Character.isWhitespace(s.charAt(trimmed - 1))) {
            trimmed--;
        }
        String raw = s.substring(i, trimmed);
        if (raw.isEmpty() || raw.equals("null")) {
            out.append(raw);
        } else {
            out.append(kind == Value.PERSONAL ? "hmac:" + pii.hash(raw) : pii.sanitizeUrl(raw));
        }
        out.append(s, trimmed, end);
        return end;
    }

    /** A quoted token as written, unless decoding its escapes reveals something to mask: then re-escaped. */
    private void appendQuoted(char quote, String raw, String decoded, boolean closed) {
        String masked = raw.indexOf('\\') < 0 ? raw : Addresses.maskAll(decoded);
        out.append(quote).append(raw.indexOf('\\') < 0 || masked.equals(decoded) ? raw : escape(masked, quote));
        if (closed) {
            out.append(quote);
        }
    }

    private static Value kindOf(String key) {
        if (key == null) {
            return Value.NONE;
        }
        return PERSONAL_KEYS.contains(key) ? Value.PERSONAL : URL_KEYS.contains(key) ? Value.URL : Value.NONE;
    }

    /** A single quote opens a token where a JSON string could start; inside a word ("it's") it is text. */
    private boolean opensToken(int at) {
        int i = at - 1;
        while (i >= 0 && Character.isWhitespace(s.charAt(i))) {
            i--;
        }
        return i < 0 || "{[,:".indexOf(s.charAt(i)) >= 0;
    }

    /** Index after the closing quote, or {@code n} when the token runs to the end of the line. */
    private int endOfQuoted(int start) {
        char quote = s.charAt(start);
        int i = start + 1;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == quote) {
                return i + 1;
            } else {
                i++;
            }
        }
        return n;
    }

    private boolean closedAt(int start, int end) {
        if (end - start < 2 || s.charAt(end - 1) != s.charAt(start)) {
            return false;
        }
        // a quote preceded by an odd number of backslashes is escaped: the token is unterminated
        int backslashes = 0;
        for (int i = end - 2; i > start && s.charAt(i) == '\\'; i--) {
            backslashes++;
        }
        return backslashes % 2 == 0;
    }

    /** A bare value ends at a comma or closing bracket outside brackets and quotes, or at the end of the line. */
    private int endOfBareValue(int start) {
        int depth = 0;
        int i = start;
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'') {
                i = endOfQuoted(i);
                continue;
            }
            if (c == '{' || c == '[' || c == '(') {
                depth++;
            } else if (c == '}' || c == ']' || c == ')') {
                if (depth == 0) {
                    return i;
                }
                depth--;
            } else if (c == ',' && depth == 0) {
                return i;
            }
            i++;
        }
        return n;
    }

    private boolean colonFollows(int from) {
        int i = from;
        while (i < n && Character.isWhitespace(s.charAt(i))) {
            i++;
        }
        return i < n && s.charAt(i) == ':';
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '$' || c == '\\' || c == '.';
    }

    private static String normalise(String key) {
        StringBuilder k = new StringBuilder(Math.min(key.length(), 64));
        for (int i = 0; i < key.length() && k.length() < 64; i++) {
            char c = key.charAt(i);
            if (Character.isLetterOrDigit(c)) {
                k.append(Character.toLowerCase(c));   // "User-Agent", "USER_AGENT", "useragent": one key
            }
        }
        return k.toString();
    }

    private String unescape(int from, int to) {
        return unescapeText(s.substring(from, Math.max(from, to)));
    }

    /** JSON escapes decoded ({@code \n}, {@code \"}, {@code \u0069}); anything else after a backslash is itself. */
    static String unescapeText(String text) {
        if (text.indexOf('\\') < 0) {
            return text;
        }
        StringBuilder b = new StringBuilder(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 >= text.length()) {
                b.append(c);
                i++;
                continue;
            }
            char e = text.charAt(i + 1);
            if (e == 'u' && i + 6 <= text.length() && isHex4(text, i + 2)) {
                b.append((char) Integer.parseInt(text, i + 2, i + 6, 16));
                i += 6;
                continue;
            }
            b.append(switch (e) {
                case 'n' -> '\n';
                case 't' -> '\t';
                case 'r' -> '\r';
                case 'b' -> '\b';
                case 'f' -> '\f';
                default -> e;
            });
            i += 2;
        }
        return b.toString();
    }

    private static boolean isHex4(String text, int from) {
        for (int i = from; i < from + 4; i++) {
            if (!Addresses.isHexDigit(text.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** The text as the content of a token quoted with {@code quote}. */
    private static String escape(String text, char quote) {
        StringBuilder b = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == quote || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
