package com.partnermix.common;

import java.util.LinkedHashMap;
import java.util.Map;

/** Wall time per named step of a job, printed as one line so a slow step is easy to spot. */
public final class StepTimer {

    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private long mark = System.nanoTime();

    /** Closes the step that ran since the previous call. */
    public void lap(String step) {
        long now = System.nanoTime();
        seconds.merge(step, (now - mark) / 1e9, Double::sum);
        mark = now;
    }

    public double total() {
        return seconds.values().stream().mapToDouble(Double::doubleValue).sum();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder(String.format("%.1f s:", total()));
        seconds.forEach((step, s) -> out.append(String.format(" %s %.1f", step, s)));
        return out.toString();
    }
}
