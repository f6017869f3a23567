package com.partnermix.dq;

/** The result of one check in one run: a row of {@code dq.check_results}. */
public record CheckOutcome(String table, CheckSpec check, Status status, Double measuredValue, String message) {

    public enum Status { PASSED, FAILED, SKIPPED }

    public boolean blocksPipeline() {
        return status == Status.FAILED && check.level() == CheckSpec.Level.ERROR;
    }

    public String describe() {
        return String.format("%s %s [%s] %s: measured %s - %s", table, check.name(), check.level().name().toLowerCase(),
                status.name().toLowerCase(), measuredValue == null ? "n/a" : formatNumber(measuredValue), message);
    }

    static String formatNumber(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : String.format("%.6g", value);
    }
}
