package com.partnermix.verify;

import java.util.Locale;

/**
 * The outcome of one warehouse invariant: whether it holds, what was measured and what it means for a reader
 * of the tables. {@code skipped} when a table it needs does not exist yet (a young warehouse).
 */
public record Invariant(String name, Status status, String measured, String meaning) {

    public enum Status { PASS, FAIL, SKIPPED }

    public static Invariant of(String name, boolean holds, String measured, String meaning) {
        return new Invariant(name, holds ? Status.PASS : Status.FAIL, measured, meaning);
    }

    public static Invariant skipped(String name, String why) {
        return new Invariant(name, Status.SKIPPED, why, "");
    }

    public boolean failed() {
        return status == Status.FAIL;
    }

    public String format() {
        return String.format(Locale.ROOT, "%-7s %-22s %s%s", status, name, measured,
                meaning.isEmpty() ? "" : System.lineSeparator() + String.format("%-31s%s", "", meaning));
    }
}
