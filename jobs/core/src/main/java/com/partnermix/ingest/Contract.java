package com.partnermix.ingest;

import java.util.List;
import java.util.Set;

/** The landing contract's fields and allowed values (docs/stages/ingest.md, "The landing contract"). */
public final class Contract {

    private Contract() {}

    public static final Set<String> EVENT_TYPES = Set.of("impression", "click", "page_view");
    public static final Set<String> CHANNELS = Set.of("affiliate", "paid_search", "paid_social", "display", "email",
            "organic_search", "organic_social", "referral", "direct");
    public static final Set<String> PAGE_TYPES = Set.of("home", "landing", "category", "product", "search", "content",
            "cart", "checkout");
    public static final Set<String> DEVICE_TYPES = Set.of("desktop", "mobile", "tablet", "other");
    public static final Set<String> ORDER_STATUSES = Set.of("placed", "cancelled", "returned");
    public static final Set<String> PARTNER_TYPES = Set.of("creator", "content", "review", "community", "coupon", "deal",
            "cashback", "loyalty", "referral", "sub_network", "browser_extension", "agency", "b2b");
    public static final Set<String> REGIONS = Set.of("NA", "EMEA", "APAC", "LATAM", "GLOBAL");
    public static final Set<String> PAYMENT_MODELS = Set.of("cps", "cpc", "cpm", "flat_fee", "hybrid");
    public static final Set<String> PARTNER_STATUSES = Set.of("active", "paused", "terminated");
    /** Paid channels that are not paid through partner contracts: the only ones in the spend feed. */
    public static final Set<String> SPEND_CHANNELS = Set.of("paid_search", "paid_social", "display", "email");

    public static final List<String> TOUCHPOINT_REQUIRED = List.of("event_id", "event_ts", "event_type", "anonymous_id");
    public static final List<String> ORDER_REQUIRED = List.of("order_id", "order_ts", "updated_ts", "status", "revenue",
            "currency", "anonymous_id");

    public static final List<String> PARTNER_COLUMNS = List.of("partner_id", "partner_name", "partner_type", "region",
            "payment_model", "cps_rate", "cpc_rate", "cpm_rate", "flat_fee_monthly", "rate_currency",
            "stand_down_required", "parent_partner_id", "owned_coupon_codes", "status", "joined_date");
    public static final List<String> SPEND_COLUMNS = List.of("date", "channel", "region", "currency", "spend",
            "impressions", "clicks");
    public static final List<String> FX_COLUMNS = List.of("date", "currency", "usd_per_unit");
    /**
     * The optional experiments feed (ours, not the shared contract's): one lift test per row, a group's exposure
     * withheld from a random control arm (docs/stages/ingest.md, "Experiments").
     */
    public static final List<String> EXPERIMENT_COLUMNS = List.of("experiment_id", "group", "start_date", "end_date",
            "test_persons", "test_conversions", "control_persons", "control_conversions", "test_clicks",
            "test_impressions");
}
