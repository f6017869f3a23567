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
        DataQuality dataQuality,
        Identity identity,
        Journeys journeys,
        Attribution attribution,
        Mmm mmm,
        Fraud fraud,
        Marts marts,
        Serve serve,
        Runs runs,
        Maintain maintain) {

    /** The same configuration with other folders (demo and benchmark scratch space). */
    public PartnermixConfig withPaths(Paths newPaths, DataQuality newDataQuality) {
        return new PartnermixConfig(spark, newPaths, privacy, ingest, generator, bench, newDataQuality, identity,
                journeys, attribution, mmm, fraud, marts, serve, runs, maintain);
    }

    /**
     * The run lock of each warehouse and run date (common.RunLock): one run of a date at a time.
     *
     * @param lockLeaseMinutes a run renews its lease every quarter of this; a run that died gives the date back
     *                         this long after its last renewal
     * @param lockDir          where the lease files live; empty: {@code <warehouse>/_run_locks}. Point it at a file
     *                         system with an atomic create (HDFS, a shared disk) when the warehouse is on S3
     */
    public record Runs(int lockLeaseMinutes, String lockDir) {
        public Runs {
            if (lockLeaseMinutes < 1) {
                throw new IllegalArgumentException("runs.lock_lease_minutes must be at least 1, got " + lockLeaseMinutes);
            }
            lockDir = lockDir == null ? "" : lockDir.trim();
        }
    }

    /**
     * Weekly table upkeep ({@code maintain --date D}, docs/operations.md "Maintenance"): OPTIMIZE, VACUUM and the
     * cleanup of scratch checkpoints. The Z-order columns are part of the table layout: {@code Tables.ZORDER_BY}.
     *
     * @param retentionHours        VACUUM keeps every file removed less than this long ago, whatever is published.
     *                              168 is Delta's own safety minimum; a shorter value is honoured because it was
     *                              configured (no writer may run meanwhile: the weekly DAG shares the nights' pool)
     * @param keepPublications      publications before the current one whose pinned versions stay readable (time
     *                              travel for BI, restores); the current one always does
     * @param checkpointMaxAgeHours a run folder under {@code paths.checkpoints} (a crashed run's scratch checkpoints)
     *                              untouched for this long is deleted
     */
    public record Maintain(int retentionHours, int keepPublications, int checkpointMaxAgeHours) {
        public Maintain {
            if (retentionHours < 1) {
                throw new IllegalArgumentException("maintain.retention_hours must be at least 1 (168 is Delta's "
                        + "default), got " + retentionHours);
            }
            if (keepPublications < 0) {
                throw new IllegalArgumentException("maintain.keep_publications must be 0 or more (0: only the current "
                        + "publication stays readable), got " + keepPublications);
            }
            if (checkpointMaxAgeHours < 1) {
                throw new IllegalArgumentException("maintain.checkpoint_max_age_hours must be at least 1 (a younger "
                        + "folder may belong to a run still writing), got " + checkpointMaxAgeHours);
            }
        }
    }

    /**
     * The SQL endpoint for BI tools ({@code serve}): a Spark Thrift Server (HiveServer2 protocol).
     *
     * @param host           the address it listens on; empty: 127.0.0.1 (this machine only). Any other address
     *                       needs {@code auth: password}
     * @param port           the JDBC port (10000 is HiveServer2's usual one)
     * @param refreshSeconds how often it looks for a new publication in dq.publications
     * @param catalogDir     the Derby metastore the server owns (a local folder); empty: {@code <warehouse>/_catalog}
     * @param docs           the table and column descriptions BI tools show (conf/catalog.yaml)
     * @param auth           none (loopback only) or password: user name and password checked against passwordFile
     * @param passwordFile   the users of {@code auth: password} (salted PBKDF2 hashes; {@code serve --add-user NAME})
     */
    public record Serve(String host, int port, int refreshSeconds, String catalogDir, String docs, String auth,
                        String passwordFile) {}

    /**
     * Identity stitching: anonymous ids linked through shared user ids form a person.
     *
     * @param maxUserIdsPerDevice a device logged into by more user ids is shared (a kiosk) and not used to link
     * @param maxDevicesPerUser   a user id seen on more devices is a bot or a shared account and not used to link
     * @param maxIterations       label propagation stops with an error if it has not converged by then
     * @param checkpointEvery     iterations between checkpoints that cut the growing query plan
     * @param reliableCheckpoints true: checkpoints are written to paths.checkpoints and survive a lost executor
     *                            (clusters); false: kept in executor memory/disk (one machine; faster)
     * @param broadcastMaxDevices up to this many devices the identity map is sent to every task, so the events
     *                            are joined to their persons without a shuffle; a larger map is joined by shuffle
     */
    public record Identity(int maxUserIdsPerDevice, int maxDevicesPerUser, int maxIterations, int checkpointEvery,
                           boolean reliableCheckpoints, long broadcastMaxDevices) {}

    /**
     * Sessions and journeys.
     *
     * @param sessionGapMinutes a longer silence between two events of a person starts a new session
     * @param lookbackDays      how long before an order a touch still belongs to its journey
     * @param funnelStages      the funnel stage of each touch (per partner, else partner type, else channel)
     * @param countryRegions    country (ISO 3166-1 alpha-2) to reporting region; others are UNKNOWN
     */
    public record Journeys(int sessionGapMinutes, Lookback lookbackDays, FunnelStages funnelStages,
                           Map<String, List<String>> countryRegions) {
        public Journeys {
            countryRegions = countryRegions == null ? Map.of() : Map.copyOf(countryRegions);
        }
    }

    /** Lookback in days: a partner type's value wins over its channel's, which wins over the default. */
    public record Lookback(int defaultDays, Map<String, Integer> byChannel, Map<String, Integer> byPartnerType) {
        public Lookback {
            byChannel = byChannel == null ? Map.of() : Map.copyOf(byChannel);
            byPartnerType = byPartnerType == null ? Map.of() : Map.copyOf(byPartnerType);
        }
    }

    /** Funnel stage per partner (override), per partner type, and per non-partner channel. */
    public record FunnelStages(Map<String, String> byPartnerType, Map<String, String> byChannel,
                               Map<String, String> byPartner) {
        public FunnelStages {
            byPartnerType = byPartnerType == null ? Map.of() : Map.copyOf(byPartnerType);
            byChannel = byChannel == null ? Map.of() : Map.copyOf(byChannel);
            byPartner = byPartner == null ? Map.of() : Map.copyOf(byPartner);
        }
    }

    /**
     * Attribution models and their parameters.
     *
     * @param models             the models computed every night, by name (each one of
     *                           {@code com.partnermix.attribution.CreditModels#REGISTRY}, checked at load by
     *                           {@code com.partnermix.pipeline.ValidatedConfig})
     * @param viewThroughWeight  weight of an impression relative to a click (1) in the multi-touch models
     * @param trainingWindowDays journeys (converting or not) of this many days up to the run date train the
     *                           data-driven models
     * @param trainOnOpenPaths   the runs whose windows are still open (silver.open_journeys) train the data-driven
     *                           models too, as non-converting paths (ChannelAttribution and fractribution count every
     *                           path without a conversion so far); without them a warehouse younger than the
     *                           lookback trains on conversions only. Unset: true
     */
    public record Attribution(List<String> models, double viewThroughWeight, double timeDecayHalfLifeDays,
                              PositionWeights positionBased, Map<String, Double> funnelWeights,
                              Markov markov, Shapley shapley, int trainingWindowDays, Boolean trainOnOpenPaths,
                              Incremental incremental) {
        public Attribution {
            trainOnOpenPaths = trainOnOpenPaths == null || trainOnOpenPaths;
            incremental = incremental == null ? Incremental.DEFAULT : incremental;
            models = models == null ? List.of() : List.copyOf(models);
            funnelWeights = funnelWeights == null ? Map.of() : Map.copyOf(funnelWeights);
        }
    }

    /**
     * The media mix model ({@code mmm --date D}) and the MMM-calibrated journey credit ({@code mixed_media}).
     *
     * @param refit                  nightly or weekly: on a weekly schedule only {@code refitWeekday} fits
     * @param windowDays             days of data up to the run date the model is fitted on (rolling window)
     * @param holdoutDays            the last days of the window that score the candidates (time-based hold-out)
     * @param granularity            partner_type or funnel_stage: how partner activity is split into channels
     * @param activityMeasure        weighted_touches (clicks + view_through_weight x impressions), clicks,
     *                               impressions or cost_usd: the media variable of each channel
     * @param ridgeLambda            ridge penalty on media and control coefficients (on orders scaled to mean 1)
     * @param candidates             (theta, a, g) candidate sets searched per fit, in parallel on Spark
     * @param minObservationsPerParameter refuse to fit with fewer region-days per fitted parameter
     * @param search                 search ranges [min, max] per transform parameter
     * @param holidays               dates (yyyy-MM-dd) of the holiday term, each +- {@code holidayWindowDays}
     * @param baseModel              the journey-level model mixed_media calibrates (must be in attribution.models)
     * @param excludeChannels        panel channels that are not media (direct: type-ins follow the decision to buy)
     * @param fallbackModel          the model mixed_media credits while no MMM fit exists (a young warehouse; must be
     *                               in attribution.models); null or empty: the base model
     * @param excludePurchaseSessions touches of an order's purchase session ({@code attribution.incremental.
     *                               purchase_session_minutes}) add no activity: the order brought them (checkout
     *                               coupons, cashback), so counting them credits their channels with the orders
     * @param experimentsWeight      lift tests (bronze.experiments) of the window's channels are priors of the fit,
     *                               each counted as this many tests; 0 ignores them
     */
    public record Mmm(String refit, String refitWeekday, int windowDays, int holdoutDays, String granularity,
                      String activityMeasure, double ridgeLambda, int candidates, long seed,
                      double minObservationsPerParameter, MmmSearch search, List<String> holidays,
                      int holidayWindowDays, String baseModel, List<String> excludeChannels, String fallbackModel,
                      boolean excludePurchaseSessions, double experimentsWeight) {
        public Mmm {
            holidays = holidays == null ? List.of() : List.copyOf(holidays);
            excludeChannels = excludeChannels == null ? List.of() : List.copyOf(excludeChannels);
            if (!(experimentsWeight >= 0)) {
                throw new IllegalArgumentException("mmm.experiments_weight must be 0 or more, got " + experimentsWeight);
            }
        }
    }

    /**
     * The partner-mix marts and commission statements ({@code marts --date D}).
     *
     * @param reportingCurrency     currency of every amount in the marts (converted from USD at the day's rate)
     * @param payoutModel           the attribution model commission is paid on (last_click or position_based)
     * @param funnelStageUplift     extra commission per funnel stage, as a fraction of the performance commission
     *                              (CPS + CPC + CPM); upper-funnel partners are paid more
     * @param lockDaysAfterMonthEnd a month's statement is locked (final, never rewritten) from this many days after
     *                              its last day; later reversals and withholdings go to the next open month
     * @param repeatWindowDays      a new customer who orders again within this many days counts as repeat
     * @param topPaths              paths kept per month in gold.path_summary
     * @param targetMix             target share of partner cost per partner type (the quarterly mix report's goal)
     * @param budgetShiftShare      share of the quarter's partner cost the quarterly report suggests moving
     *                              towards the types with the higher marginal return
     */
    public record Marts(String reportingCurrency, String payoutModel, Map<String, Double> funnelStageUplift,
                        int lockDaysAfterMonthEnd, int repeatWindowDays, int topPaths, Map<String, Double> targetMix,
                        double budgetShiftShare) {
        public Marts {
            funnelStageUplift = funnelStageUplift == null ? Map.of() : Map.copyOf(funnelStageUplift);
            targetMix = targetMix == null ? Map.of() : Map.copyOf(targetMix);
        }
    }

    /** Search ranges [min, max]: adstock carry-over theta, Hill shape a, Hill half-saturation g relative to the range. */
    public record MmmSearch(List<Double> theta, List<Double> hillShape, List<Double> hillHalfSaturation) {}

    public record PositionWeights(double first, double middle, double last) {}

    /**
     * Fraud and parasitic last-click detection (fraud job). Every order-level rule looks at the
     * journeys of orders placed in the last {@code windowDays}; partner-level rules compare partners over
     * the same window.
     *
     * @param windowDays         orders (and clicks) of this many days up to the run date are re-examined each night
     * @param shopHosts          the shop's own hosts: a partner click referred by their cart or checkout page is in-cart
     * @param broadcastMaxFlags  up to this many findings a night, they are sent to every task to collect their
     *                           evidence from the timeline without shuffling it
     * @param dwellSeconds       a page view on the click's device within this time after it: the click was a visit
     * @param visitWindowSeconds a page view on the click's device within this time: the device came to the shop at
     *                           all (a tab opened later); no page view in it: the click was never visited
     * @param peerGroups         robust z-scores against peers: partner type x region, falling back to partner type
     *                           when the group has fewer than {@code minPeers} partners
     * @param rules              each rule's settings by its key (see {@code com.partnermix.fraud.FraudRules#REGISTRY})
     */
    public record Fraud(int windowDays, List<String> shopHosts, long broadcastMaxFlags, double dwellSeconds,
                        double visitWindowSeconds, PeerGroups peerGroups, Map<String, RuleSettings> rules) {
        public Fraud {
            shopHosts = shopHosts == null ? List.of() : List.copyOf(shopHosts);
            rules = rules == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(rules));
        }

        /** The settings of the rule configured under {@code key}. */
        public RuleSettings rule(String key) {
            RuleSettings s = rules.get(key);
            if (s == null) {
                throw new IllegalArgumentException("fraud.rules." + key + " is not configured");
            }
            return s;
        }
    }

    /**
     * One fraud rule's settings. A finding carries the rule's signals, each holding or not; its score is the sum
     * of the weights of the signals that hold. Findings scoring below {@code flagMinScore} are dropped; from
     * {@code actionMinScore} on they propose {@code action} (withhold or reassign: a payout change), below it
     * {@code flag} (a review only).
     *
     * @param thresholds the rule's numeric settings by name (seconds, counts, shares)
     * @param lists      the rule's list settings by name (allow-lists, partner types, metrics)
     * @param signals    the weight of each signal in the score
     */
    public record RuleSettings(boolean enabled, String severity, String action, double flagMinScore,
                               double actionMinScore, Map<String, Double> thresholds, Map<String, List<String>> lists,
                               Map<String, Double> signals) {
        public RuleSettings {
            thresholds = thresholds == null ? Map.of() : Map.copyOf(thresholds);
            lists = lists == null ? Map.of() : Map.copyOf(lists);
            signals = signals == null ? Map.of() : Map.copyOf(signals);
        }

        public double threshold(String name) {
            Double v = thresholds.get(name);
            if (v == null) {
                throw new IllegalArgumentException("fraud rule threshold '" + name + "' is not configured");
            }
            return v;
        }

        public List<String> list(String name) {
            return lists.getOrDefault(name, List.of());
        }

        public double weight(String signal) {
            return signals.getOrDefault(signal, 0.0);
        }
    }

    /** @param minPeers a peer group smaller than this falls back to the partner type across regions */
    public record PeerGroups(int minPeers) {}

    /**
     * @param granularity   channel, partner_type or partner
     * @param order         k = 1..3: a state is the last k touches
     * @param pathTransform all, collapse_repeats, first_occurrence or unique_with_counts
     * @param creditBasis   conversions or revenue: which removal effect weighs the touches
     * @param allocation    global: each state's credit over the training window's orders sums to the chain's own
     *                      result (conversions x removal effect / sum of removal effects), split per order; per_order:
     *                      the removal effects normalised within each order (the older behaviour). Unset: global
     */
    public record Markov(String granularity, int order, String pathTransform, String creditBasis, String allocation) {
        public static final String GLOBAL = "global";
        public static final String PER_ORDER = "per_order";

        public Markov {
            allocation = allocation == null ? GLOBAL : allocation;
            if (!allocation.equals(GLOBAL) && !allocation.equals(PER_ORDER)) {
                throw new IllegalArgumentException("attribution.markov.allocation must be global or per_order, got '"
                        + allocation + "'");
            }
        }

        public boolean globalAllocation() {
            return allocation.equals(GLOBAL);
        }
    }

    /**
     * The person-level incrementality model ({@code incremental}): each person-day's orders against the adstocked
     * exposure to each group, fitted by non-negative least squares (an additive hazard model).
     *
     * @param granularity             channel or partner_type: the groups whose effects are fitted
     * @param windowDays              person-days of this many days up to the run date are fitted
     * @param decays                  candidate day-over-day carry-overs of exposure; the best fit (least squared
     *                                error) is used
     * @param purchaseSessionMinutes  touches in the session of the order's last touch, when that touch is at most this
     *                                long before the order, are taken as part of the purchase, not as its cause (a
     *                                coupon or cashback click on the way to checkout): they neither fit nor earn
     *                                credit. 0: none are
     * @param experimentsMaxAgeDays   lift tests of {@code bronze.experiments} that ended at most this many days before
     *                                the run date are the fit's priors; 0: none are used (default 365)
     * @param experimentsWeight       how much a lift test counts against the person-days: 1 (the default) weighs it
     *                                by its own standard error, as a Bayesian prior would; w counts it as w such tests
     *                                (more than 1 trusts the tests over the model's own, possibly confounded, fit)
     */
    public record Incremental(String granularity, int windowDays, List<Double> decays, int purchaseSessionMinutes,
                              Integer experimentsMaxAgeDays, Double experimentsWeight) {
        public static final int DEFAULT_EXPERIMENTS_MAX_AGE_DAYS = 365;
        public static final Incremental DEFAULT = new Incremental("partner_type", 56, List.of(0.3, 0.5, 0.7, 0.85),
                30, DEFAULT_EXPERIMENTS_MAX_AGE_DAYS, 1.0);

        public Incremental(String granularity, int windowDays, List<Double> decays, int purchaseSessionMinutes,
                           Integer experimentsMaxAgeDays) {
            this(granularity, windowDays, decays, purchaseSessionMinutes, experimentsMaxAgeDays, null);
        }

        public Incremental {
            granularity = granularity == null ? "partner_type" : granularity;
            if (!granularity.equals("channel") && !granularity.equals("partner_type")) {
                throw new IllegalArgumentException("attribution.incremental.granularity must be channel or "
                        + "partner_type, got '" + granularity + "'");
            }
            if (windowDays < 7) {
                throw new IllegalArgumentException("attribution.incremental.window_days must be at least 7, got "
                        + windowDays);
            }
            decays = decays == null || decays.isEmpty() ? List.of(0.3, 0.5, 0.7, 0.85) : List.copyOf(decays);
            for (double d : decays) {
                if (!(d >= 0 && d < 1)) {
                    throw new IllegalArgumentException("attribution.incremental.decays must lie in [0, 1), got " + d);
                }
            }
            if (purchaseSessionMinutes < 0) {
                throw new IllegalArgumentException("attribution.incremental.purchase_session_minutes must be 0 or "
                        + "more, got " + purchaseSessionMinutes);
            }
            experimentsMaxAgeDays = experimentsMaxAgeDays == null ? DEFAULT_EXPERIMENTS_MAX_AGE_DAYS
                    : experimentsMaxAgeDays;
            if (experimentsMaxAgeDays < 0) {
                throw new IllegalArgumentException("attribution.incremental.experiments_max_age_days must be 0 or "
                        + "more, got " + experimentsMaxAgeDays);
            }
            experimentsWeight = experimentsWeight == null ? 1.0 : experimentsWeight;
            if (!(experimentsWeight > 0 && experimentsWeight < 1e9)) {
                throw new IllegalArgumentException("attribution.incremental.experiments_weight must be above 0 and below "
                        + "1e9, got " + experimentsWeight);
            }
        }
    }

    /** @param granularity channel or partner_type (the players) */
    public record Shapley(String granularity) {}

    /**
     * Spark settings; {@code master} is set only by local configs: on a cluster spark-submit decides.
     *
     * @param interpretQueries run queries without compiling them to Java code first: faster on small data (a demo
     *                         night), slower on millions of rows ({@link com.partnermix.common.SparkSessions})
     */
    public record SparkSettings(String master, String appName, int shufflePartitions, Map<String, String> settings,
                                Boolean interpretQueries) {
        public SparkSettings {
            settings = settings == null ? Map.of() : Map.copyOf(settings);
            interpretQueries = interpretQueries != null && interpretQueries;
        }
    }

    /** Folders or object-store URIs. */
    public record Paths(String warehouse, String landing, String groundTruth, String checkpoints) {}

    /**
     * Personal data handling: IP and user agent are stored only as keyed hashes (HMAC-SHA256, key = the salt),
     * the IP's network as a keyed hash too unless {@code ipPrefix} is {@code cidr}, URLs with only the
     * allow-listed query parameters readable.
     *
     * @param salt           the HMAC key; a secret from the environment ({@code PARTNERMIX_SALT})
     * @param ipPrefix       {@code hashed} (default): {@code ip_prefix} holds the keyed hash of the /24 (/48);
     *                       {@code cidr}: the network itself, e.g. 203.0.113.0/24 (where an analyst must see it)
     * @param urlParamsKept  query parameters kept readable in landing and referrer URLs ({@code utm_*}: a prefix)
     * @param allowDemoSalt  true only in conf/local.yaml: the demo salt may be used while the warehouse and
     *                       landing zone are the embedded var/ folders
     */
    public record Privacy(String salt, int ipv4PrefixBits, int ipv6PrefixBits, String ipPrefix,
                          List<String> urlParamsKept, boolean allowDemoSalt) {

        /** The salt conf/local.yaml falls back to: public, so only for the demo on this machine. */
        public static final String DEMO_SALT = "partnermix-local-demo-salt";

        public Privacy {
            ipPrefix = ipPrefix == null ? "hashed" : ipPrefix.trim();
            if (!List.of("hashed", "cidr").contains(ipPrefix)) {
                throw new IllegalArgumentException("privacy.ip_prefix must be hashed or cidr, not '" + ipPrefix + "'");
            }
            urlParamsKept = urlParamsKept == null ? List.of() : List.copyOf(urlParamsKept);
        }

        public boolean hashIpPrefix() {
            return ipPrefix.equals("hashed");
        }

        /**
         * The salt a run that hashes personal data may use, or a configuration error saying why not: it is empty,
         * or it is the public demo salt outside the embedded demo (a configuration that does not allow it, such as
         * a cluster configuration or a DAG run, or folders other than {@code <home>/var/...}).
         *
         * @param home the installation root ({@code PARTNERMIX_HOME}, default the working directory)
         */
        public String saltFor(Paths paths, String home) {
            String fix = " Set PARTNERMIX_SALT to a secret of your own (for instance `openssl rand -hex 32`) from a"
                    + " secret store, and keep it: the same IP must hash the same way every night.";
            if (salt == null || salt.isBlank()) {
                throw new IllegalArgumentException("privacy.salt is empty: IP addresses and user agents are stored only"
                        + " as keyed hashes, so ingest cannot run without a key." + fix);
            }
            if (!salt.equals(DEMO_SALT)) {
                return salt;
            }
            if (!allowDemoSalt) {
                throw new IllegalArgumentException("privacy.salt is the public demo salt, and this configuration does"
                        + " not allow it (privacy.allow_demo_salt is false: a cluster configuration or a DAG run)." + fix);
            }
            java.nio.file.Path embedded = java.nio.file.Path.of(home).toAbsolutePath().normalize().resolve("var");
            for (String folder : List.of(paths.warehouse(), paths.landing())) {
                if (!isLocalFolderUnder(folder, embedded)) {
                    throw new IllegalArgumentException("privacy.salt is the public demo salt, which only the embedded"
                            + " demo may use (warehouse and landing under " + embedded + "); this run uses " + folder
                            + "." + fix);
                }
            }
            return salt;
        }

        private static boolean isLocalFolderUnder(String folder, java.nio.file.Path root) {
            String path = folder;
            int colon = folder.indexOf(':');
            int slash = folder.indexOf('/');
            if (colon >= 0 && (slash < 0 || colon < slash)) {
                if (!folder.startsWith("file:")) {
                    return false;       // s3a://, hdfs://, ...: never the embedded demo
                }
                try {
                    path = java.net.URI.create(folder).getPath();
                } catch (IllegalArgumentException e) {
                    return false;
                }
                if (path == null) {
                    return false;
                }
            }
            return java.nio.file.Path.of(path).toAbsolutePath().normalize().startsWith(root);
        }
    }

    /**
     * Ingest validation settings.
     *
     * @param maxFutureSkewHours how far after the end of its delivery day an event may be stamped
     *                           (clock skew between trackers) before it is quarantined
     * @param maxIdLength        contract: identifiers are at most 128 characters
     * @param rankKeysOnlyFromRows a feed with at least this many valid rows in a run finds its repeated keys first
     *                           and ranks only their rows (same result, less shuffling); 0: always
     */
    public record Ingest(int maxFutureSkewHours, int maxIdLength, long rankKeysOnlyFromRows) {
        public Ingest {
            if (rankKeysOnlyFromRows < 0) {
                throw new IllegalArgumentException("ingest.rank_keys_only_from_rows must be 0 or more, got "
                        + rankKeysOnlyFromRows);
            }
        }
    }

    /**
     * Defaults of the sample-data generator; the CLI can override each.
     *
     * @param liftTests channels or partner types the generator runs a lift test of (the experiments feed)
     */
    public record Generator(long seed, int persons, int days, int partners,
                            double malformedShare, double duplicateShare, double lateShare,
                            int filesPerDay, boolean gzip, List<String> knockoutChannels, List<String> liftTests) {
        public Generator {
            knockoutChannels = knockoutChannels == null ? List.of() : List.copyOf(knockoutChannels);
            liftTests = liftTests == null ? List.of() : List.copyOf(liftTests);
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
