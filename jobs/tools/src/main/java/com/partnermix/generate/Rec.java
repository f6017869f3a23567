package com.partnermix.generate;

/**
 * One landing record as an ordered list of JSON fields. Hand-rolled instead of Jackson because
 * the generator writes millions of lines and the malformed-line injector needs to drop or
 * replace single fields of a record before it is serialised.
 */
final class Rec {

    private final String[] keys = new String[24];
    private final Object[] values = new Object[24];
    private final boolean[] raw = new boolean[24];
    private int size;

    /** Adds a string field; null values are skipped (optional fields are absent, never null). */
    Rec put(String key, String value) {
        if (value != null) {
            add(key, value, false);
        }
        return this;
    }

    /** Adds a field written verbatim (a JSON number or boolean). */
    Rec putRaw(String key, String jsonLiteral) {
        if (jsonLiteral != null) {
            add(key, jsonLiteral, true);
        }
        return this;
    }

    private void add(String key, String value, boolean isRaw) {
        keys[size] = key;
        values[size] = value;
        raw[size] = isRaw;
        size++;
    }

    String get(String key) {
        int i = indexOf(key);
        return i < 0 ? null : (String) values[i];
    }

    boolean has(String key) {
        return indexOf(key) >= 0;
    }

    private int indexOf(String key) {
        for (int i = 0; i < size; i++) {
            if (keys[i].equals(key)) {
                return i;
            }
        }
        return -1;
    }

    Rec copy() {
        Rec c = new Rec();
        for (int i = 0; i < size; i++) {
            c.add(keys[i], (String) values[i], raw[i]);
        }
        return c;
    }

    Rec remove(String key) {
        int i = indexOf(key);
        if (i >= 0) {
            System.arraycopy(keys, i + 1, keys, i, size - i - 1);
            System.arraycopy(values, i + 1, values, i, size - i - 1);
            System.arraycopy(raw, i + 1, raw, i, size - i - 1);
            size--;
        }
        return this;
    }

    /** Replaces the value of an existing field (string or raw), keeping its position; adds it when absent. */
    Rec set(String key, String value, boolean isRaw) {
        int i = indexOf(key);
        if (i < 0) {
            add(key, value, isRaw);
        } else {
            values[i] = value;
            raw[i] = isRaw;
        }
        return this;
    }

    String toJson() {
        StringBuilder b = new StringBuilder(64 + size * 24);
        b.append('{');
        for (int i = 0; i < size; i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append('"').append(keys[i]).append("\":");
            if (raw[i]) {
                b.append((String) values[i]);
            } else {
                escape(b, (String) values[i]);
            }
        }
        return b.append('}').toString();
    }

    private static void escape(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
