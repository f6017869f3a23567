package com.partnermix.common;

import java.util.List;
import java.util.Map;

/** Every table of the warehouse, in one place. The names are interfaces: BI, notebooks and checks use them. */
public final class Tables {

    private Tables() {}

    public static final Table BRONZE_TOUCHPOINTS = new Table("bronze", "touchpoints");
    public static final Table BRONZE_ORDERS = new Table("bronze", "orders");
    public static final Table BRONZE_PARTNER_SNAPSHOTS = new Table("bronze", "partner_snapshots");
    public static final Table BRONZE_SPEND = new Table("bronze", "spend");
    public static final Table BRONZE_FX_RATES = new Table("bronze", "fx_rates");
    /** Lift tests per partner type or channel (optional feed): priors of the incremental model. */
    public static final Table BRONZE_EXPERIMENTS = new Table("bronze", "experiments");
    public static final Table BRONZE_QUARANTINE = new Table("bronze", "quarantine");
    public static final Table BRONZE_INGEST_RUNS = new Table("bronze", "ingest_runs");

    public static final Table SILVER_DIM_PARTNER = new Table("silver", "dim_partner");
    public static final Table SILVER_IDENTITY_MAP = new Table("silver", "identity_map");
    public static final Table SILVER_IDENTITY_GUARDED = new Table("silver", "identity_guarded");
    public static final Table SILVER_SESSIONS = new Table("silver", "sessions");
    public static final Table SILVER_JOURNEYS = new Table("silver", "journeys");
    public static final Table SILVER_JOURNEY_TOUCHES = new Table("silver", "journey_touches");
    public static final Table SILVER_JOURNEY_CHANGES = new Table("silver", "journey_changes");
    /** Runs of touches that may still convert (their windows are open): training input of the data-driven models. */
    public static final Table SILVER_OPEN_JOURNEYS = new Table("silver", "open_journeys");

    public static final Table GOLD_ATTRIBUTION_CREDIT = new Table("gold", "attribution_credit");
    public static final Table GOLD_MODEL_WEIGHTS = new Table("gold", "model_weights");
    public static final Table GOLD_FRAUD_FLAGS = new Table("gold", "fraud_flags");
    public static final Table GOLD_PARTNER_ANOMALIES = new Table("gold", "partner_anomalies");
    public static final Table GOLD_FRAUD_REVIEW_QUEUE = new Table("gold", "fraud_review_queue");
    /** Reviewers' decisions, append-only (the review subcommand): an input, never rebuilt or restored. */
    public static final Table GOLD_FRAUD_REVIEW_DECISIONS = new Table("gold", "fraud_review_decisions");
    public static final Table GOLD_MMM_FIT = new Table("gold", "mmm_fit");
    public static final Table GOLD_MMM_CONTRIBUTIONS = new Table("gold", "mmm_contributions");

    public static final Table GOLD_PARTNER_DAILY = new Table("gold", "partner_daily");
    public static final Table GOLD_MARTS_RECONCILIATION = new Table("gold", "marts_reconciliation");
    public static final Table GOLD_MODEL_COMPARISON = new Table("gold", "model_comparison");
    public static final Table GOLD_PATH_SUMMARY = new Table("gold", "path_summary");
    public static final Table GOLD_COMMISSION_STATEMENT = new Table("gold", "commission_statement");
    public static final Table GOLD_PARTNER_MIX_QUARTERLY = new Table("gold", "partner_mix_quarterly");
    public static final Table GOLD_COMMISSION_CLOSINGS = new Table("gold", "commission_closings");

    public static final Table DQ_CHECK_RESULTS = new Table("dq", "check_results");
    public static final Table DQ_PUBLICATIONS = new Table("dq", "publications");

    /**
     * The columns Delta keeps per-file min/max statistics of (for data skipping), where Delta's default (the first
     * 32 columns) costs more than it saves. Collecting them is a comparison per row and column on every write, and a
     * table written partitioned by order has every partner, channel and touch in each file: only the columns
     * readers can skip files by are worth it (the night's order dates; the adjusted models, written separately).
     * The touchpoints are partitioned by event date and read by delivery date (a night's rows, a span of nights):
     * statistics of their ids, URLs and hashes were 9 % of a large ingest's CPU and skip nothing.
     */
    public static final Map<Table, String> STATS_COLUMNS = Map.of(
            GOLD_ATTRIBUTION_CREDIT, "order_date,model",
            BRONZE_TOUCHPOINTS, "delivery_date,event_ts");

    /**
     * The columns {@code maintain} Z-orders a table by (OPTIMIZE ZORDER BY): the keys its writers replace groups by
     * and its readers join or filter on, so both skip files. A column must not be a partition column and must have
     * statistics ({@link #STATS_COLUMNS}); maintain checks both before touching any table. Tables not listed are
     * only compacted: rewritten whole every night, too small, or read whole.
     */
    public static final Map<Table, List<String>> ZORDER_BY = Map.of(
            BRONZE_ORDERS, List.of("order_id"),
            SILVER_SESSIONS, List.of("person_id"),
            SILVER_JOURNEYS, List.of("person_id"),
            SILVER_JOURNEY_TOUCHES, List.of("person_id"),
            GOLD_ATTRIBUTION_CREDIT, List.of("order_date", "model"),
            GOLD_PARTNER_DAILY, List.of("partner_id"));

    public static final List<Table> BRONZE = List.of(BRONZE_TOUCHPOINTS, BRONZE_ORDERS, BRONZE_PARTNER_SNAPSHOTS,
            BRONZE_SPEND, BRONZE_FX_RATES, BRONZE_EXPERIMENTS, BRONZE_QUARANTINE, BRONZE_INGEST_RUNS);

    public static final List<Table> SILVER = List.of(SILVER_DIM_PARTNER, SILVER_IDENTITY_MAP, SILVER_IDENTITY_GUARDED,
            SILVER_SESSIONS, SILVER_JOURNEYS, SILVER_JOURNEY_TOUCHES, SILVER_JOURNEY_CHANGES, SILVER_OPEN_JOURNEYS);

    public static final List<Table> GOLD = List.of(GOLD_ATTRIBUTION_CREDIT, GOLD_MODEL_WEIGHTS, GOLD_MMM_FIT,
            GOLD_MMM_CONTRIBUTIONS, GOLD_FRAUD_FLAGS, GOLD_PARTNER_ANOMALIES, GOLD_FRAUD_REVIEW_QUEUE,
            GOLD_FRAUD_REVIEW_DECISIONS, GOLD_PARTNER_DAILY, GOLD_MARTS_RECONCILIATION, GOLD_MODEL_COMPARISON,
            GOLD_PATH_SUMMARY, GOLD_COMMISSION_STATEMENT, GOLD_PARTNER_MIX_QUARTERLY, GOLD_COMMISSION_CLOSINGS);

    public static final List<Table> DQ = List.of(DQ_CHECK_RESULTS, DQ_PUBLICATIONS);

    /** Every Delta table of the warehouse, in layer order. */
    public static List<Table> all() {
        return java.util.stream.Stream.of(BRONZE, SILVER, GOLD, DQ).flatMap(List::stream).toList();
    }
}
