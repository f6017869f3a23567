package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.journeys.Sessionizer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.last;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.when;

/**
 * The shared transforms of the fraud rules ({@link #REGISTRY}): the person timeline every click rule reads,
 * the journeys' clicks, the credited clicks, partner metrics against their peers, and the scoring of a rule's
 * findings from their signals.
 *
 * <p>The timeline (see {@link #timeline}) comes from one sort per device (what followed each click on its
 * device: page views within the dwell time and within the visit window) and one sort per person (session start,
 * previous order, last cart or checkout view, the last click of a partner that need not stand down, the events
 * before and after).
 */
public final class FraudRules {

    public static final String STAND_DOWN_VIOLATION = "STAND_DOWN_VIOLATION";
    public static final String BASKET_HIJACK = "BASKET_HIJACK";
    public static final String LAST_SECOND_SNIPE = "LAST_SECOND_SNIPE";
    public static final String COOKIE_STUFFING = "COOKIE_STUFFING";
    public static final String CLICK_FLOOD = "CLICK_FLOOD";
    public static final String COUPON_LEAKAGE = "COUPON_LEAKAGE";
    public static final String SELF_REFERRAL = "SELF_REFERRAL";
    public static final String TIMING_OUTLIER = "TIMING_OUTLIER";

    /** Every rule the fraud job runs, in the order of the report. */
    public static final List<FraudRule> REGISTRY = List.of(new StandDownRule(), new BasketHijackRule(),
            new SnipeRule(), new CookieStuffingRule(), new ClickFloodRule(), new CouponLeakageRule(),
            new SelfReferralRule(), new TimingOutlierRule());

    /** Rules judged per order (the precision/recall targets apply to these and to cookie stuffing). */
    public static final List<String> ORDER_RULES = REGISTRY.stream().filter(r -> r.level() == FraudRule.Level.ORDER)
            .map(FraudRule::code).toList();

    public static final List<String> FINDING_COLUMNS = List.of("rule_code", "order_id", "event_id", "partner_id",
            "displaced_partner_id", "measured_value", "threshold", "detail", "signals");

    /** The columns of a scored finding (see {@link #scored}). */
    public static final List<String> SCORED_COLUMNS = List.of("rule_code", "order_id", "event_id", "partner_id",
            "displaced_partner_id", "measured_value", "threshold", "detail", "signals", "score", "severity",
            "proposed_action");

    /** Partner metrics compared against peers (gold.partner_anomalies.metric). */
    public static final List<String> METRICS = List.of("median_click_to_order_seconds", "conversion_rate",
            "clicks_per_order", "new_customer_share");

    static final List<String> SEVERITIES = List.of("low", "medium", "high");
    static final List<String> ACTIONS = List.of("flag", "withhold", "reassign");

    private static final double MAD_TO_SIGMA = 1.4826;       // MAD of a normal distribution x 1.4826 = sigma
    private static final double MEAN_AD_TO_SIGMA = 1.2533;   // mean absolute deviation x sqrt(pi/2) = sigma
    private static final double SCORE_TOLERANCE = 1e-9;      // weights like 0.35 + 0.15 + 0.15 sum to 0.6499...

    private FraudRules() {}

    /** The rule with this rule_code. */
    public static FraudRule rule(String code) {
        return REGISTRY.stream().filter(r -> r.code().equals(code)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown fraud rule " + code));
    }

    /**
     * Checks the {@code fraud.rules} settings against the registry: every rule configured, nothing unknown, each
     * rule's thresholds, lists and signal weights named as the rule names them, severity and action known.
     */
    public static void validate(PartnermixConfig.Fraud fraud) {
        Set<String> known = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (FraudRule rule : REGISTRY) {
            known.add(rule.configKey());
            PartnermixConfig.RuleSettings s = fraud.rules().get(rule.configKey());
            String where = "fraud.rules." + rule.configKey();
            if (s == null) {
                problems.add(where + " is missing");
                continue;
            }
            if (!SEVERITIES.contains(s.severity()) || !ACTIONS.contains(s.action())) {
                problems.add(where + " needs severity low|medium|high and action flag|withhold|reassign, got "
                        + s.severity() + "/" + s.action());
            }
            same(problems, where + ".thresholds", s.thresholds().keySet(), rule.thresholds());
            same(problems, where + ".lists", s.lists().keySet(), rule.lists());
            same(problems, where + ".signals", s.signals().keySet(), rule.signals());
            for (Map.Entry<String, Double> w : s.signals().entrySet()) {
                if (!(w.getValue() >= 0) || Double.isInfinite(w.getValue())) {
                    problems.add(where + ".signals." + w.getKey() + " must be a weight >= 0, got " + w.getValue());
                }
            }
            if (Double.isNaN(s.actionMinScore()) || Double.isNaN(s.flagMinScore())) {
                problems.add(where + " needs numeric flag_min_score and action_min_score");
            }
        }
        for (String key : fraud.rules().keySet()) {
            if (!known.contains(key)) {
                problems.add("fraud.rules." + key + " is no rule (known: " + REGISTRY.stream()
                        .map(FraudRule::configKey).collect(Collectors.joining(", ")) + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("fraud settings: " + String.join("; ", problems));
        }
    }

    private static void same(List<String> problems, String where, Set<String> configured, List<String> expected) {
        Set<String> missing = new java.util.TreeSet<>(expected);
        missing.removeAll(configured);
        Set<String> unknown = new java.util.TreeSet<>(configured);
        unknown.removeAll(expected);
        if (!missing.isEmpty()) {
            problems.add(where + " misses " + missing);
        }
        if (!unknown.isEmpty()) {
            problems.add(where + " has unknown " + unknown + " (known: " + expected + ")");
        }
    }

    /**
     * Scores a rule's findings: {@code score} = the sum of the weights of the signals that hold (rounded to 6
     * decimals); findings below {@code flag_min_score} are dropped; {@code proposed_action} is the rule's action
     * from {@code action_min_score} on and {@code flag} below it. Each signal gets its weight, and the detail
     * names the score and the signals that held.
     *
     * @return {@link #SCORED_COLUMNS} plus any other columns of {@code findings}
     */
    public static Dataset<Row> scored(Dataset<Row> findings, FraudRule rule, PartnermixConfig.RuleSettings s) {
        StringBuilder weightOf = new StringBuilder("CASE s.name");
        for (String name : rule.signals()) {
            weightOf.append(" WHEN '").append(name).append("' THEN CAST(")
                    .append(String.format(Locale.ROOT, "%.10f", s.weight(name))).append(" AS DOUBLE)");
        }
        weightOf.append(" ELSE CAST(0 AS DOUBLE) END");
        // One pass over the signals array (higher-order functions): summing element by element repeats the whole
        // array expression per signal, which Spark's code generation then fails to compile.
        Dataset<Row> out = findings
                .withColumn("signals", expr("transform(signals, s -> named_struct('name', s.name, 'value', s.value, "
                        + "'holds', s.holds, 'weight', " + weightOf + "))"))
                .withColumn("score", expr("round(aggregate(signals, CAST(0 AS DOUBLE), "
                        + "(acc, s) -> acc + IF(s.holds, s.weight, CAST(0 AS DOUBLE))), 6)"));
        if (s.flagMinScore() > 0) {
            out = out.where(col("score").geq(s.flagMinScore() - SCORE_TOLERANCE));
        }
        Column action = s.action().equals("flag") ? lit("flag")
                : when(col("score").geq(s.actionMinScore() - SCORE_TOLERANCE), lit(s.action())).otherwise(lit("flag"));
        return out.withColumn("severity", lit(s.severity()))
                .withColumn("proposed_action", action)
                .withColumn("detail", expr("concat(detail, '; score ', format_number(score, 2), ' (', "
                        + "coalesce(nullif(array_join(transform(filter(signals, s -> s.holds), s -> s.name), ', '), ''), "
                        + "'no signal'), ')')"));
    }

    /** Seconds from {@code earlier} to {@code later} (timestamps, microsecond precision). */
    static Column seconds(Column later, Column earlier) {
        return later.cast("double").minus(earlier.cast("double"));
    }

    static Column isPartnerClick() {
        return col("event_type").equalTo("click").and(col("partner_id").isNotNull());
    }

    /**
     * The click's referrer is the shop's own cart or checkout page: a shop host, and a cart-like path or the path of
     * the cart or checkout page the person last viewed.
     */
    static Column cartReferrer(List<String> shopHosts) {
        Column path = expr("parse_url(referrer_url, 'PATH')");
        return coalesce(expr("parse_url(referrer_url, 'HOST')").isin(shopHosts.toArray())
                .and(path.rlike("^/(cart|checkout|basket|bag)").or(path.equalTo(expr("parse_url(last_cart_url, 'PATH')")))),
                lit(false));
    }

    /**
     * The shop's hosts: the configured ones and those of the landing URLs of at least 1 % of the page views (the
     * shop's own pages, whatever the configuration says).
     *
     * @param pageViews landing_url of page views
     */
    public static List<String> shopHosts(Dataset<Row> pageViews, List<String> configured) {
        Dataset<Row> hosts = pageViews.select(expr("parse_url(landing_url, 'HOST')").as("host"))
                .where(col("host").isNotNull()).groupBy("host").count().localCheckpoint();
        Row total = hosts.agg(org.apache.spark.sql.functions.sum("count")).first();
        long all = total.isNullAt(0) ? 0 : total.getLong(0);
        java.util.TreeSet<String> out = new java.util.TreeSet<>(configured);
        for (Row r : hosts.where(col("count").geq(Math.max(1, all / 100))).orderBy(col("count").desc()).limit(20)
                .collectAsList()) {
            out.add(r.getString(0));
        }
        return List.copyOf(out);
    }

    /** The click came from another site than the shop (the partner's page, a search, a redirect). */
    static Column externalReferrer(List<String> shopHosts) {
        Column host = expr("parse_url(referrer_url, 'HOST')");
        return coalesce(host.isNotNull().and(not(host.isin(shopHosts.toArray()))), lit(false));
    }

    /** The last order before the click, or the epoch. */
    static Column sinceOrder() {
        return coalesce(col("prev_order_ts"), lit("1970-01-01 00:00:00").cast("timestamp"));
    }

    /** The cart or checkout was viewed in the click's session, after the person's last order. */
    static Column cartInSession() {
        return col("last_cart_ts").isNotNull().and(col("last_cart_ts").geq(col("session_start_ts")))
                .and(col("last_cart_ts").gt(sinceOrder()));
    }

    /**
     * The partner clicks and orders of each person, each with its context among the person's clicks, page views
     * and orders in time order. Page views and other clicks are only context: the rules read partner clicks and
     * orders, so only those rows are returned (a fraction of the events), and page views enter the person sort
     * without the click-only columns.
     *
     * @param events person_id, anonymous_id, event_id, event_ts, event_type (click or page_view), partner_id,
     *               page_type, landing_url, referrer_url, ip_hash, coupon_code, stand_down_required
     * @param orders person_id, order_id, order_ts (an order appears as event_type 'order', event_id = order_id)
     * @return the partner clicks and orders with pv_dwell and visit_views_dwell (page views, and those other than
     *         cart or checkout, on the click's device within {@code dwellSeconds} after it), pv_window (page views on
     *         the device within {@code visitWindowSeconds}), session_start_ts, prev_order_ts, prev_event_ts,
     *         last_cart_ts and last_cart_url (last cart or checkout view before), last_open_click (struct event_ts, partner_id,
     *         landing_url, anonymous_id: the last click before of a partner not required to stand down) and
     *         next_event (struct event_type, event_ts, event_id)
     */
    public static Dataset<Row> timeline(Dataset<Row> events, Dataset<Row> orders, int gapSeconds,
                                        double dwellSeconds, double visitWindowSeconds) {
        Column millis = expr("unix_millis(event_ts)");
        WindowSpec device = Window.partitionBy("anonymous_id").orderBy(millis);
        Column pageView = col("event_type").equalTo("page_view");
        Column visitView = pageView.and(not(coalesce(col("page_type").isin("cart", "checkout"), lit(false))));
        long dwell = Math.round(dwellSeconds * 1000);
        long visit = Math.round(visitWindowSeconds * 1000);
        Dataset<Row> visits = events
                .withColumn("pv_dwell", count(when(pageView, 1)).over(device.rangeBetween(1, dwell)))
                .withColumn("visit_views_dwell", count(when(visitView, 1)).over(device.rangeBetween(1, dwell)))
                .withColumn("pv_window", count(when(pageView, 1)).over(device.rangeBetween(1, visit)));
        Dataset<Row> all = withOrders(visits, orders, "pv_dwell", "visit_views_dwell", "pv_window");
        Column isClick = col("event_type").equalTo("click");
        Column cartView = col("event_type").equalTo("page_view").and(col("page_type").isin("cart", "checkout"));
        for (String clickOnly : List.of("anonymous_id", "partner_id", "referrer_url", "ip_hash",
                "coupon_code", "stand_down_required", "pv_dwell", "visit_views_dwell", "pv_window")) {
            all = all.withColumn(clickOnly, when(isClick, col(clickOnly)));
        }
        all = all.withColumn("landing_url", when(isClick.or(cartView), col("landing_url")));
        WindowSpec inTime = Sessionizer.byPerson();
        WindowSpec before = inTime.rowsBetween(Window.unboundedPreceding(), -1);
        Column openClick = isPartnerClick().and(not(coalesce(col("stand_down_required"), lit(false))));
        return Sessionizer.withSessionStart(all, gapSeconds)
                .withColumn("prev_order_ts", last(when(col("event_type").equalTo("order"), col("event_ts")), true)
                        .over(before))
                .withColumn("prev_event_ts", lag(col("event_ts"), 1).over(inTime))
                .withColumn("last_cart", last(when(cartView, struct(col("event_ts"), col("landing_url"))), true)
                        .over(before))
                .withColumn("last_cart_ts", col("last_cart.event_ts"))
                .withColumn("last_cart_url", col("last_cart.landing_url"))
                .drop("last_cart")
                .withColumn("last_open_click", last(when(openClick, struct(col("event_ts"), col("partner_id"),
                        col("landing_url"), col("anonymous_id"))), true).over(before))
                .withColumn("next_event", lead(struct(col("event_type"), col("event_ts"), col("event_id")), 1)
                        .over(inTime))
                .where(isPartnerClick().or(col("event_type").equalTo("order")));
    }

    /**
     * The events with each order as one more event (event_type 'order', event_id = order_id, the event columns
     * null): the rows of {@link #timeline} before its context is computed, and what a flag's evidence shows.
     *
     * @param extra further columns of {@code events} to keep (null on the orders)
     */
    public static Dataset<Row> withOrders(Dataset<Row> events, Dataset<Row> orders, String... extra) {
        List<Column> orderColumns = new ArrayList<>(List.of(col("person_id"),
                lit(null).cast("string").as("anonymous_id"), col("order_id").as("event_id"),
                col("order_ts").as("event_ts"), lit("order").as("event_type"),
                lit(null).cast("string").as("partner_id"), lit(null).cast("string").as("page_type"),
                lit(null).cast("string").as("landing_url"), lit(null).cast("string").as("referrer_url"),
                lit(null).cast("string").as("ip_hash"), lit(null).cast("string").as("coupon_code"),
                lit(null).cast("boolean").as("stand_down_required")));
        for (String column : extra) {
            orderColumns.add(lit(null).cast(events.schema().apply(column).dataType()).as(column));
        }
        Dataset<Row> orderRows = orders.select(orderColumns.toArray(Column[]::new));
        return events.selectExpr(orderRows.columns()).unionByName(orderRows);
    }

    /**
     * The partner clicks of converting journeys with their order, journey context and timeline columns.
     *
     * @param timeline see {@link #timeline}
     * @param touches  journey touches: order_id, event_id, position, is_click, partner_id
     * @return one row per partner click of a journey: the timeline columns plus order_id, position, order_ts,
     *         order_session_start (session start of the order itself) and prev_partner_id (the partner of the
     *         journey's previous partner click)
     */
    public static Dataset<Row> journeyClicks(Dataset<Row> timeline, Dataset<Row> touches) {
        Dataset<Row> partnerTouches = touches.where(col("is_click").and(col("partner_id").isNotNull()))
                .withColumn("prev_partner_id", lag("partner_id", 1).over(Window.partitionBy("order_id")
                        .orderBy("position")))
                .select("order_id", "event_id", "position", "prev_partner_id");
        Dataset<Row> orderRows = timeline.where(col("event_type").equalTo("order"))
                .select(col("event_id").as("order_id"), col("event_ts").as("order_ts"),
                        col("session_start_ts").as("order_session_start"));
        return timeline.where(isPartnerClick())
                .join(partnerTouches, ScalaSeqs.of("event_id"))
                .join(orderRows, ScalaSeqs.of("order_id"));
    }

    /** Who loses the last click if the flagged click is dropped: the journey's previous partner, if another one. */
    static Column displaced() {
        return when(col("prev_partner_id").notEqual(col("partner_id")), col("prev_partner_id"))
                .as("displaced_partner_id");
    }

    /**
     * The click that would earn the order's commission under last click: the journey's last partner click.
     *
     * @param touches journey touches: order_id, event_id, position, is_click, partner_id, seconds_before_order
     * @return order_id, credited_event_id, credited_partner_id, credited_seconds_before_order
     */
    public static Dataset<Row> creditedClicks(Dataset<Row> touches) {
        return touches.where(col("is_click").and(col("partner_id").isNotNull()))
                .groupBy("order_id")
                .agg(max(struct(col("position"), col("event_id"), col("partner_id"), col("seconds_before_order")))
                        .as("last"))
                .select(col("order_id"), col("last.event_id").as("credited_event_id"),
                        col("last.partner_id").as("credited_partner_id"),
                        col("last.seconds_before_order").as("credited_seconds_before_order"));
    }

    /**
     * Per partner over the window: clicks, credited orders (last partner click), clicks per credited order,
     * conversion rate, median click-to-order seconds, new-customer share, the share of credited orders more
     * than a day after the click (a flat click-to-order distribution) and the share of clicks never visited (no page
     * view on the device within the visit window: an honest click lands on the shop).
     *
     * @param clicks   partner_id, event_id, pv_window (the partner clicks of the window)
     * @param credited order_id, credited_partner_id, credited_seconds_before_order, is_new_customer
     * @param partners partner_id, partner_type, region
     */
    public static Dataset<Row> partnerMetrics(Dataset<Row> clicks, Dataset<Row> credited, Dataset<Row> partners) {
        Dataset<Row> clickCounts = clicks.groupBy("partner_id").agg(count("*").as("clicks"),
                avg(when(coalesce(col("pv_window"), lit(0L)).equalTo(0), 1.0).otherwise(0.0)).as("unvisited_share"));
        Dataset<Row> orderStats = credited.where(col("credited_partner_id").isNotNull())
                .groupBy(col("credited_partner_id").as("partner_id"))
                .agg(count("*").as("credited_orders"),
                        median(sort_array(collect_list("credited_seconds_before_order")))
                                .as("median_click_to_order_seconds"),
                        avg(when(col("is_new_customer"), 1.0).otherwise(0.0)).as("new_customer_share"),
                        avg(when(col("credited_seconds_before_order").gt(86_400), 1.0).otherwise(0.0))
                                .as("flat_share"));
        return partners.join(clickCounts, ScalaSeqs.of("partner_id"), "left")
                .join(orderStats, ScalaSeqs.of("partner_id"), "left")
                .where(col("clicks").isNotNull().or(col("credited_orders").isNotNull()))
                .withColumn("clicks", coalesce(col("clicks"), lit(0L)))
                .withColumn("credited_orders", coalesce(col("credited_orders"), lit(0L)))
                .withColumn("clicks_per_order", when(col("credited_orders").gt(0),
                        col("clicks").divide(col("credited_orders"))))
                .withColumn("conversion_rate", when(col("clicks").gt(0),
                        col("credited_orders").divide(col("clicks"))));
    }

    /** The median of a sorted array of numbers (mean of the two middle values for an even count). */
    static Column median(Column sorted) {
        Column n = size(sorted);
        Column mid = n.divide(2).cast("int");
        return when(n.leq(0), lit(null).cast("double"))
                .when(n.mod(2).equalTo(1), element_at(sorted, mid.plus(1)).cast("double"))
                .otherwise(element_at(sorted, mid).cast("double").plus(element_at(sorted, mid.plus(1)).cast("double"))
                        .divide(2));
    }

    /**
     * Robust z-scores of every partner metric against its peers: (value - peer median) / (1.4826 x MAD);
     * when the MAD is 0, 1.2533 x the mean absolute deviation; when that is 0 too, z = 0. Peers are the
     * partner type x region, or the partner type across regions when that group has fewer than
     * {@code minPeers} partners with a value.
     *
     * @param metrics {@link #partnerMetrics} rows
     * @return partner_id, partner_type, region, metric, value, peer_group, peer_count, peer_median, mad, robust_z
     */
    public static Dataset<Row> anomalies(Dataset<Row> metrics, int minPeers) {
        Dataset<Row> longForm = null;
        for (String metric : METRICS) {
            Dataset<Row> rows = metrics.where(col(metric).isNotNull())
                    .select(col("partner_id"), col("partner_type"), col("region"), lit(metric).as("metric"),
                            col(metric).cast("double").as("value"));
            longForm = longForm == null ? rows : longForm.unionByName(rows);
        }
        Dataset<Row> regional = peerStats(longForm.withColumn("peer_group",
                org.apache.spark.sql.functions.concat_ws("/", col("partner_type"), col("region"))));
        Dataset<Row> byType = peerStats(longForm.withColumn("peer_group", col("partner_type")));
        Dataset<Row> chosen = regional.as("r").join(byType.as("t"), ScalaSeqs.of("partner_id", "metric"))
                .select(col("partner_id"), col("r.partner_type").as("partner_type"), col("r.region").as("region"),
                        col("metric"), col("r.value").as("value"),
                        when(col("r.peer_count").geq(minPeers), struct(col("r.peer_group"), col("r.peer_count"),
                                col("r.peer_median"), col("r.mad"), col("r.mean_ad")))
                                .otherwise(struct(col("t.peer_group"), col("t.peer_count"), col("t.peer_median"),
                                        col("t.mad"), col("t.mean_ad"))).as("peer"));
        Column deviation = col("value").minus(col("peer.peer_median"));
        return chosen.select(col("partner_id"), col("partner_type"), col("region"), col("metric"), col("value"),
                col("peer.peer_group").as("peer_group"), col("peer.peer_count").as("peer_count"),
                col("peer.peer_median").as("peer_median"), col("peer.mad").as("mad"),
                when(col("peer.mad").gt(0), deviation.divide(col("peer.mad").multiply(MAD_TO_SIGMA)))
                        .when(col("peer.mean_ad").gt(0), deviation.divide(col("peer.mean_ad").multiply(MEAN_AD_TO_SIGMA)))
                        .otherwise(lit(0.0)).as("robust_z"));
    }

    /** Median, MAD and mean absolute deviation of each (peer_group, metric), joined back to its members. */
    private static Dataset<Row> peerStats(Dataset<Row> longForm) {
        Dataset<Row> medians = longForm.groupBy("peer_group", "metric")
                .agg(median(sort_array(collect_list("value"))).as("peer_median"), count("*").as("peer_count"));
        Dataset<Row> withMedian = longForm.join(medians, ScalaSeqs.of("peer_group", "metric"));
        Column absDev = org.apache.spark.sql.functions.abs(col("value").minus(col("peer_median")));
        Dataset<Row> spread = withMedian.groupBy("peer_group", "metric")
                .agg(median(sort_array(collect_list(absDev))).as("mad"), avg(absDev).as("mean_ad"));
        return withMedian.join(spread, ScalaSeqs.of("peer_group", "metric"));
    }

    /**
     * Partners flooding clicks: enough clicks to judge and a flat click-to-order distribution, and either clicks
     * per credited order far above the peers (robust z and ratio to the peer median) or most clicks never visited.
     * The second way finds a flooder without peers (the only partner of its type): its robust z is 0.
     *
     * @param rule the click_flood settings: min_robust_z, min_ratio_to_peers, min_flat_share, min_clicks,
     *             min_unvisited_share
     * @return partner_id, clicks_per_order, peer_median, robust_z, unvisited_share
     */
    public static Dataset<Row> floodingPartners(Dataset<Row> metrics, Dataset<Row> anomalies,
                                                PartnermixConfig.RuleSettings rule) {
        return anomalies.where(col("metric").equalTo("clicks_per_order"))
                .join(metrics.select("partner_id", "clicks", "flat_share", "unvisited_share"), ScalaSeqs.of("partner_id"))
                .where(col("flat_share").geq(rule.threshold("min_flat_share"))
                        .and(col("clicks").geq(rule.threshold("min_clicks")))
                        .and(col("robust_z").geq(rule.threshold("min_robust_z"))
                                .and(col("value").geq(col("peer_median").multiply(rule.threshold("min_ratio_to_peers"))))
                                .or(col("unvisited_share").geq(rule.threshold("min_unvisited_share")))))
                .select(col("partner_id"), col("value").as("clicks_per_order"), col("peer_median"), col("robust_z"),
                        col("unvisited_share"));
    }

    /** "%s" of a detail sentence for a nullable partner. */
    static Column orNobody(Column partner) {
        return coalesce(partner, lit("nobody"));
    }

    /** A sentence from a format and columns (format_string, for the rules' details). */
    static Column sentence(String format, Column... args) {
        return format_string(format, args);
    }
}
