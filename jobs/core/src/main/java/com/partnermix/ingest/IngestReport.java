package com.partnermix.ingest;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/**
 * What one ingest run did, per feed; printed by the job and returned to the demo and the benchmark.
 * {@code warnings}: what the landing zone held that was not read, and why (see {@link Landing#warnings()}).
 */
public record IngestReport(LocalDate date, List<FeedCounts> feeds, Map<String, Long> quarantineReasons, String timing,
                           List<String> warnings) {

    public IngestReport {
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
    }

    /** Landing lines = accepted + quarantined + duplicates, for every feed and run. */
    public record FeedCounts(String feed, int files, long landingLines, long accepted, long quarantined,
                             long duplicates) {
        public boolean balanced() {
            return landingLines == accepted + quarantined + duplicates;
        }
    }

    public FeedCounts feed(String name) {
        return feeds.stream().filter(f -> f.feed().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no feed " + name));
    }

    public long totalLandingLines() {
        return feeds.stream().mapToLong(FeedCounts::landingLines).sum();
    }

    /** Lines that became a row: accepted into their table or quarantined (duplicates are not stored). */
    public long storedLines() {
        return feeds.stream().mapToLong(f -> f.accepted() + f.quarantined()).sum();
    }

    public String format() {
        StringBuilder out = new StringBuilder();
        out.append(String.format("ingest %s (%s)%n", date, timing));
        out.append(String.format("  %-12s %6s %12s %12s %12s %12s%n", "feed", "files", "landing", "accepted",
                "quarantined", "duplicates"));
        for (FeedCounts f : feeds) {
            out.append(String.format("  %-12s %6d %12d %12d %12d %12d%n", f.feed(), f.files(), f.landingLines(),
                    f.accepted(), f.quarantined(), f.duplicates()));
        }
        for (String warning : warnings) {
            out.append("  WARNING ").append(warning).append(System.lineSeparator());
        }
        if (!quarantineReasons.isEmpty()) {
            out.append("  quarantine reasons:");
            quarantineReasons.forEach((reason, n) -> out.append(' ').append(reason).append('=').append(n));
            out.append(System.lineSeparator());
        }
        return out.toString();
    }
}
