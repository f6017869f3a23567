package com.partnermix.bench;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.pipeline.LocalFolders;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;

/** {@code bench --peer}: our stages' time over the DuckDB peer's time for the same work, one row per stage. */
final class DuckDbComparison {

    /** Our stages the peer does the equivalent of, in order. */
    static final List<String> STAGES = List.of("ingest", "journeys", "attribute");

    /** Which peer steps stand for which of our stages. */
    private static final Map<String, List<String>> PEER_STEPS = Map.of(
            "ingest", List.of("dedup"),
            "journeys", List.of("sessions", "journeys"),
            "attribute", List.of("credit"));

    private DuckDbComparison() {}

    static void print(PartnermixConfig config, LocalDate first, LocalDate last, Map<String, Double> ours)
            throws java.sql.SQLException {
        PartnermixConfig.Attribution a = config.attribution();
        DuckDbPeer.Settings settings = new DuckDbPeer.Settings(config.journeys().sessionGapMinutes(),
                config.journeys().lookbackDays().defaultDays(), a.viewThroughWeight(), a.positionBased().first(),
                a.positionBased().middle(), a.positionBased().last());
        List<DuckDbPeer.Step> steps = DuckDbPeer.run(LocalFolders.localPath(config.paths().landing()), first, last,
                settings);
        System.out.printf("%n== bench --peer: the same delivery days %s .. %s through DuckDB SQL in this process "
                + "(%d threads)%n", first, last, Runtime.getRuntime().availableProcessors());
        steps.forEach(s -> System.out.printf("   peer %-9s %,14d rows %10.1f s%n", s.name(), s.rows(), s.seconds()));
        System.out.printf("%-10s %10s %10s %8s  %s%n", "stage", "ours s", "peer s", "ratio", "peer steps");
        for (String stage : STAGES) {
            List<String> names = PEER_STEPS.get(stage);
            double peer = steps.stream().filter(s -> names.contains(s.name())).mapToDouble(DuckDbPeer.Step::seconds)
                    .sum();
            double our = ours.getOrDefault(stage, 0.0);
            System.out.printf("%-10s %10.1f %10.1f %7.0fx  %s%n", stage, our, peer, our / Math.max(peer, 1e-3),
                    String.join(" + ", names));
        }
    }
}
