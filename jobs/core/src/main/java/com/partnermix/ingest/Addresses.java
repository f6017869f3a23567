package com.partnermix.ingest;

/**
 * Finds personal data in free text in one left-to-right pass, without regular expressions (the text is
 * attacker-controlled: a backtracking pattern over a long line can take exponential time or overflow the
 * stack): IPv4 and IPv6 literals, e-mail addresses (also percent-encoded, {@code %40}) and user agents.
 * Masking errs on the side of masking: a version number shaped like an address is masked too.
 */
final class Addresses {

    private Addresses() {}

    /** Signatures of a user agent (the ones {@code verify} looks for): a product token followed by /digit. */
    private static final String[] AGENT_PRODUCTS = {"mozilla/", "applewebkit/", "gecko/", "chrome/", "safari/",
            "opera/", "dalvik/", "okhttp/", "curl/", "wget/", "python-requests/"};
    private static final String[] AGENT_BOTS = {"googlebot", "bingbot"};
    private static final int MAX_LOCAL_PART = 64;
    private static final int MAX_DOMAIN = 255;

    /** Every IP literal, e-mail address and user agent of the text replaced by {@code <kind-redacted>}. */
    static String maskAll(String text) {
        return maskAgents(maskEmails(maskIps(text, "<ip-redacted>"), "<email-redacted>"), "<ua-redacted>", false);
    }

    static boolean isHexDigit(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean inAddressRun(char c) {
        return isHexDigit(c) || c == ':' || c == '.';
    }

    /** IPv4 and IPv6 literals replaced by {@code mask}. */
    static String maskIps(String text, String mask) {
        StringBuilder out = null;
        int n = text.length();
        int copied = 0;
        int i = 0;
        while (i < n) {
            if (!inAddressRun(text.charAt(i))) {
                i++;
                continue;
            }
            int end = i;
            while (end < n && inAddressRun(text.charAt(end))) {
                end++;
            }
            String masked = maskRun(text.substring(i, end), mask);
            if (masked != null) {
                if (out == null) {
                    out = new StringBuilder(n);
                }
                out.append(text, copied, i).append(masked);
                copied = end;
            }
            i = end;
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copied, n).toString();
    }

    /** A maximal run of hex digits, colons and dots with its addresses masked, or null when it holds none. */
    private static String maskRun(String run, String mask) {
        if (run.indexOf(':') >= 0) {
            // ":2001:db8::1" after a key, "2001:db8::1:" before a port: a lone colon at either end is punctuation.
            int from = run.startsWith(":") && !run.startsWith("::") ? 1 : 0;
            int to = run.endsWith(":") && !run.endsWith("::") ? run.length() - 1 : run.length();
            if (from < to && isIpv6(run.substring(from, to))) {
                return run.substring(0, from) + mask + run.substring(to);
            }
        }
        return maskIpv4s(run, mask);
    }

    /** Dotted quads inside a run (each octet 0-255, one to three digits), or null when there is none. */
    private static String maskIpv4s(String run, String mask) {
        StringBuilder out = null;
        int n = run.length();
        int copied = 0;
        int i = 0;
        while (i < n) {
            if (!isDigitOrDot(run.charAt(i))) {
                i++;
                continue;
            }
            int end = i;
            while (end < n && isDigitOrDot(run.charAt(end))) {
                end++;
            }
            if (holdsQuad(run.substring(i, end))) {
                if (out == null) {
                    out = new StringBuilder(n);
                }
                out.append(run, copied, i).append(mask);
                copied = end;
            }
            i = end;
        }
        return out == null ? null : out.append(run, copied, n).toString();
    }

    private static boolean isDigitOrDot(char c) {
        return (c >= '0' && c <= '9') || c == '.';
    }

    /** True when four consecutive dot-separated groups of the digits-and-dots text are valid octets. */
    private static boolean holdsQuad(String digitsAndDots) {
        int valid = 0;
        for (String group : digitsAndDots.split("\\.", -1)) {
            valid = isOctet(group) ? valid + 1 : 0;
            if (valid == 4) {
                return true;
            }
        }
        return false;
    }

    private static boolean isOctet(String group) {
        if (group.isEmpty() || group.length() > 3) {
            return false;
        }
        for (int i = 0; i < group.length(); i++) {
            if (group.charAt(i) < '0' || group.charAt(i) > '9') {
                return false;
            }
        }
        return Integer.parseInt(group) <= 255;
    }

    static boolean isIpv4(String text) {
        String[] groups = text.split("\\.", -1);
        if (groups.length != 4) {
            return false;
        }
        for (String g : groups) {
            if (!isOctet(g)) {
                return false;
            }
        }
        return true;
    }

    /** An IPv6 literal: eight groups of 1-4 hex digits, or fewer with one {@code ::}, optionally ending in an IPv4. */
    static boolean isIpv6(String text) {
        if (text.length() < 2 || text.length() > 45) {
            return false;
        }
        int lastColon = text.lastIndexOf(':');
        if (lastColon < 0) {
            return false;
        }
        String body = text;
        int groupsOfTail = 0;
        String last = text.substring(lastColon + 1);
        if (last.indexOf('.') >= 0) {
            if (!isIpv4(last)) {
                return false;
            }
            groupsOfTail = 2;
            body = text.substring(0, lastColon + 1);
            body = body.endsWith("::") ? body : body.substring(0, body.length() - 1);
            if (body.isEmpty()) {
                return false;
            }
        }
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c != ':' && !isHexDigit(c)) {
                return false;
            }
        }
        int gap = body.indexOf("::");
        if (gap < 0) {
            int groups = hexGroups(body);
            return groups >= 0 && groups + groupsOfTail == 8;
        }
        if (body.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        int left = hexGroups(body.substring(0, gap));
        int right = hexGroups(body.substring(gap + 2));
        return left >= 0 && right >= 0 && left + right + groupsOfTail <= 7;
    }

    /** Groups of 1-4 hex digits separated by single colons; 0 for empty text, -1 when malformed. */
    private static int hexGroups(String text) {
        if (text.isEmpty()) {
            return 0;
        }
        String[] groups = text.split(":", -1);
        for (String g : groups) {
            if (g.isEmpty() || g.length() > 4) {
                return -1;
            }
        }
        return groups.length;
    }

    private static boolean isLocalPartChar(char c) {
        // The common characters only: a quote or brace in front of an address is the line's structure, not the address.
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "._%+-".indexOf(c) >= 0;
    }

    private static boolean isDomainChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    }

    /** E-mail addresses ({@code local@domain.tld}, the {@code @} also percent-encoded) replaced by {@code mask}. */
    static String maskEmails(String text, String mask) {
        StringBuilder out = null;
        int n = text.length();
        int copied = 0;
        int i = 0;
        while (i < n) {
            int atLength = text.charAt(i) == '@' ? 1 : text.regionMatches(true, i, "%40", 0, 3) ? 3 : 0;
            if (atLength == 0) {
                i++;
                continue;
            }
            // Both walks are bounded (RFC 5321 lengths), so a line of many '@' stays linear.
            int start = i;
            while (start > copied && i - start < MAX_LOCAL_PART && isLocalPartChar(text.charAt(start - 1))) {
                start--;
            }
            int end = i + atLength;
            int lastDot = -1;
            while (end < n && end - i < MAX_DOMAIN && isDomainChar(text.charAt(end))) {
                if (text.charAt(end) == '.') {
                    lastDot = end;
                }
                end++;
            }
            while (end > i + atLength && (text.charAt(end - 1) == '.' || text.charAt(end - 1) == '-')) {
                end--;
            }
            if (start < i && lastDot > i + atLength && lastDot < end - 1) {
                if (out == null) {
                    out = new StringBuilder(n);
                }
                out.append(text, copied, start).append(mask);
                copied = end;
                i = end;
            } else {
                i += atLength;
            }
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copied, n).toString();
    }

    /**
     * User agents replaced by {@code mask}: from a product signature ({@code Mozilla/5}, {@code curl/8}, a known
     * crawler name) to the end of the value it sits in (a quote, or outside parentheses a comma or brace);
     * {@code toEnd}: to the end of the text (the text is one value).
     */
    static String maskAgents(String text, String mask, boolean toEnd) {
        StringBuilder out = null;
        int n = text.length();
        int copied = 0;
        int i = 0;
        while (i < n) {
            int signature = agentSignatureAt(text, i);
            if (signature == 0) {
                i++;
                continue;
            }
            int end = toEnd ? n : endOfAgent(text, i);
            if (out == null) {
                out = new StringBuilder(n);
            }
            out.append(text, copied, i).append(mask);
            copied = end;
            i = Math.max(end, i + 1);
        }
        if (out == null) {
            return text;
        }
        return out.append(text, Math.min(copied, n), n).toString();
    }

    /** The length of a user agent signature starting at {@code i}, or 0. */
    private static int agentSignatureAt(String text, int i) {
        char c = Character.toLowerCase(text.charAt(i));
        for (String product : AGENT_PRODUCTS) {
            if (product.charAt(0) == c && text.regionMatches(true, i, product, 0, product.length())
                    && i + product.length() < text.length() && Character.isDigit(text.charAt(i + product.length()))) {
                return product.length();
            }
        }
        for (String bot : AGENT_BOTS) {
            if (bot.charAt(0) == c && text.regionMatches(true, i, bot, 0, bot.length())) {
                return bot.length();
            }
        }
        return 0;
    }

    private static int endOfAgent(String text, int from) {
        int depth = 0;
        int i = from;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '"' || c == '\'' || c == '}' || c == ']' || (depth == 0 && (c == ',' || c == ')'))) {
                break;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            i++;
        }
        return i;
    }
}
