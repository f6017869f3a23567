package com.partnermix.common;

import java.util.List;
import java.util.Map;

/**
 * The typed configuration of every job, bound from one YAML file per environment
 * (conf/local.yaml, conf/cluster.example.yaml) that includes the business settings
 * (conf/business.yaml), plus --set overrides on the command line. Unknown keys are an
 * error, so a typo in conf/ stops the run instead of silently using a default.
 */
public record PartnermixConfig(
        SparkSettings spark,
        Paths paths,
        Privacy privacy,
        Ingest ingest,
        Generator generator,
        Bench bench,
        DataQuality dataQuality) {

    /** Spark settings; {@code master} is set only by local configs: on a cluster spark-submit decides. */
    public record SparkSettings(String master, String appName, int shufflePartitions, Map<String, String> settings) {
        public SparkSettings {
            settings = settings == null ? Map.of() : Map.copyOf(settings);
        }
    }

    /** Folders or object-store URIs. */
    public record Paths(String warehouse, String landing, String groundTruth, String checkpoints) {}

    /** Personal data handling: IP and user agent are stored only as salted hashes and a network prefix. */
    public record Privacy(String salt, int ipv4PrefixBits, int ipv6PrefixBits) {}

    /**
     * Ingest validation settings.
     *
     * @param maxFutureSkewHours how far after the end of its delivery day an event may be stamped
     *                           (clock skew between trackers) before it is quarantined
     * @param maxIdLength        contract: identifiers are at most 128 characters
     */
    public record Ingest(int maxFutureSkewHours, int maxIdLength) {}

    /** Defaults of the sample-data generator; the CLI can override each. */
    public record Generator(long seed, int persons, int days, int partners,
                            double malformedShare, double duplicateShare, double lateShare,
                            int filesPerDay, boolean gzip, List<String> knockoutChannels) {
        public Generator {
            knockoutChannels = knockoutChannels == null ? List.of() : List.copyOf(knockoutChannels);
        }
    }

    /**
     * Data-quality gates: where the check files are and where Deequ keeps its metrics history
     * (one JSON repository, keyed by table, check and run date).
     */
    public record DataQuality(String checksDir, String metricsRepository) {}

    /** Benchmark harness defaults. */
    public record Bench(int persons, int days, String workDir) {}
}
