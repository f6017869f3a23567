package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import com.partnermix.journeys.Sessionizer;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.List;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.greatest;
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
 * The fraud and parasitic last-click rules as pure transforms over Spark datasets. Each rule
 * returns findings with the columns of {@link #FINDING_COLUMNS}; the job adds severity, action,
 * evidence and commission at risk from configuration and the warehouse.
 *
 * <p>Most rules read a person's <em>timeline</em> (clicks, page views and orders in time order,
 * see {@link #timeline}): one sort per person gives every click its session start, the previous
 * order, the last cart or checkout view, the last click of a partner that need not stand down and
 * the event that follows it.
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

    /** Rules judged per order (the precision/recall targets apply to these and to cookie stuffing). */
    public static final List<String> ORDER_RULES = List.of(STAND_DOWN_VIOLATION, BASKET_HIJACK, LAST_SECOND_SNIPE,
            CLICK_FLOOD, COUPON_LEAKAGE, SELF_REFERRAL);

    public static final List<String> FINDING_COLUMNS = List.of("rule_code", "order_id", "event_id", "partner_id",
            "displaced_partner_id", "measured_value", "threshold", "detail");

    /** Partner metrics compared against peers (gold.partner_anomalies.metric). */
    public static final List<String> METRICS = List.of("median_click_to_order_seconds", "conversion_rate",
            "clicks_per_order", "new_customer_share");

    private static final double MAD_TO_SIGMA = 1.4826;       // MAD of a normal distribution x 1.4826 = sigma
    private static final double MEAN_AD_TO_SIGMA = 1.2533;   // mean absolute deviation x sqrt(pi/2) = sigma

    private FraudRules() {}

    /** Seconds from {@code earlier} to {@code later} (timestamps, microsecond precision). */
    static Column seconds(Column later, Column earlier) {
        return later.cast("double").minus(earlier.cast("double"));
    }

    private static Column isPartnerClick() {
        return col("event_type").equalTo("click").and(col("partner_id").isNotNull());
    }

    /**
     * The partner clicks and orders of each person, each with its context among the person's clicks, page views
     * and orders in time order. Page views and other clicks are only context: the rules read partner clicks and
     * orders, so only those rows are returned (a fraction of the events), and page views enter the sort without
     * the click-only columns.
     *
     * @param events person_id, anonymous_id, event_id, event_ts, event_type (click or page_view), partner_id,
     *               page_type, landing_url, referrer_url, ip_hash, coupon_code, stand_down_required
     * @param orders person_id, order_id, order_ts (an order appears as event_type 'order', event_id = order_id)
     * @return the partner clicks and orders with session_start_ts, prev_order_ts, last_cart_ts (last cart or
     *         checkout view before), last_open_click (struct event_ts, partner_id, landing_url: the last click before
     *         of a partner not required to stand down) and next_event (struct event_type, event_ts, event_id)
     */
    public static Dataset<Row> timeline(Dataset<Row> events, Dataset<Row> orders, int gapSeconds) {
        Dataset<Row> all = withOrders(events, orders);
        Column isClick = col("event_type").equalTo("click");
        for (String clickOnly : List.of("anonymous_id", "partner_id", "landing_url", "referrer_url", "ip_hash",
                "coupon_code", "stand_down_required")) {
            all = all.withColumn(clickOnly, when(isClick, col(clickOnly)));
        }
        WindowSpec inTime = Sessionizer.byPerson();
        WindowSpec before = inTime.rowsBetween(Window.unboundedPreceding(), -1);
        Column openClick = isPartnerClick().and(not(coalesce(col("stand_down_required"), lit(false))));
        return Sessionizer.withSessionStart(all, gapSeconds)
                .withColumn("prev_order_ts", last(when(col("event_type").equalTo("order"), col("event_ts")), true)
                        .over(before))
                .withColumn("last_cart_ts", last(when(col("event_type").equalTo("page_view")
                        .and(col("page_type").isin("cart", "checkout")), col("event_ts")), true).over(before))
                .withColumn("last_open_click", last(when(openClick, struct(col("event_ts"), col("partner_id"),
                        col("landing_url"))), true).over(before))
                .withColumn("next_event", lead(struct(col("event_type"), col("event_ts"), col("event_id")), 1)
                        .over(inTime))
                .where(isPartnerClick().or(col("event_type").equalTo("order")));
    }

    /**
     * The events with each order as one more event (event_type 'order', event_id = order_id, the event columns
     * null): the rows of {@link #timeline} before its context is computed, and what a flag's evidence shows.
     */
    public static Dataset<Row> withOrders(Dataset<Row> events, Dataset<Row> orders) {
        Dataset<Row> orderRows = orders.select(col("person_id"), lit(null).cast("string").as("anonymous_id"),
                col("order_id").as("event_id"), col("order_ts").as("event_ts"), lit("order").as("event_type"),
                lit(null).cast("string").as("partner_id"), lit(null).cast("string").as("page_type"),
                lit(null).cast("string").as("landing_url"), lit(null).cast("string").as("referrer_url"),
                lit(null).cast("string").as("ip_hash"), lit(null).cast("string").as("coupon_code"),
                lit(null).cast("boolean").as("stand_down_required"));
        return events.selectExpr(orderRows.columns()).unionByName(orderRows);
    }

    /** True when the event after a click is a page view within {@code dwellSeconds}: the click was a visit. */
    static Column visited(double dwellSeconds) {
        return coalesce(col("next_event.event_type").equalTo("page_view")
                .and(seconds(col("next_event.event_ts"), col("event_ts")).leq(dwellSeconds)), lit(false));
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

    /** STAND_DOWN_VIOLATION, BASKET_HIJACK and LAST_SECOND_SNIPE over {@link #journeyClicks}. */
    public static Dataset<Row> clickFindings(Dataset<Row> clicks, PartnermixConfig.Fraud settings, int gapSeconds) {
        Column sinceOrder = coalesce(col("prev_order_ts"), lit("1970-01-01 00:00:00").cast("timestamp"));
        Column afterPrevOrder = sinceOrder.lt(col("session_start_ts")).or(sinceOrder.lt(col("event_ts")));

        // A stand-down partner clicking after another partner's click in the same session (and after the last order).
        Column open = col("last_open_click");
        Column standDown = coalesce(col("stand_down_required"), lit(false))
                .and(open.isNotNull())
                .and(open.getField("event_ts").geq(col("session_start_ts")))
                .and(open.getField("event_ts").gt(sinceOrder))
                .and(open.getField("partner_id").notEqual(col("partner_id")));
        Column afsrc = coalesce(open.getField("landing_url").rlike("[?&]afsrc=1(&|$)"), lit(false));
        Dataset<Row> standDowns = clicks.where(standDown)
                .select(lit(STAND_DOWN_VIOLATION).as("rule_code"), col("order_id"), col("event_id"), col("partner_id"),
                        open.getField("partner_id").as("displaced_partner_id"),
                        seconds(col("event_ts"), open.getField("event_ts")).as("measured_value"),
                        lit((double) gapSeconds).as("threshold"),
                        format_string("%s clicked %.0f s after %s's click in the same session%s", col("partner_id"),
                                seconds(col("event_ts"), open.getField("event_ts")), open.getField("partner_id"),
                                when(afsrc, lit(" (that landing URL carried afsrc=1)")).otherwise(lit("")))
                                .as("detail"));

        // The order follows the click within seconds with nothing in between.
        double maxSeconds = settings.snipe().maxSeconds();
        Column clickToOrder = seconds(col("order_ts"), col("event_ts"));
        Column snipe = col("next_event.event_type").equalTo("order").and(col("next_event.event_id")
                .equalTo(col("order_id"))).and(clickToOrder.leq(maxSeconds));
        Dataset<Row> snipes = clicks.where(snipe)
                .select(lit(LAST_SECOND_SNIPE).as("rule_code"), col("order_id"), col("event_id"), col("partner_id"),
                        displaced(), clickToOrder.as("measured_value"), lit(maxSeconds).as("threshold"),
                        format_string("the order followed %s's click after %.1f s without a page view",
                                col("partner_id"), clickToOrder).as("detail"));

        // A click in the order's own session after cart/checkout was viewed, or referred by the cart itself.
        // A snipe is an in-cart click too: it is reported under its more specific rule only.
        Column cartInSession = col("last_cart_ts").isNotNull().and(col("last_cart_ts").geq(col("session_start_ts")))
                .and(col("last_cart_ts").gt(sinceOrder));
        Column cartReferrer = coalesce(expr("parse_url(referrer_url, 'HOST')").isin(settings.shopHosts().toArray())
                .and(expr("parse_url(referrer_url, 'PATH')").rlike("^/(cart|checkout)")), lit(false));
        Column hijack = col("session_start_ts").equalTo(col("order_session_start")).and(afterPrevOrder)
                .and(cartInSession.or(cartReferrer)).and(not(snipe));
        Column sinceCart = when(cartInSession, seconds(col("event_ts"), col("last_cart_ts"))).otherwise(lit(0.0));
        Dataset<Row> hijacks = clicks.where(hijack)
                .select(lit(BASKET_HIJACK).as("rule_code"), col("order_id"), col("event_id"), col("partner_id"),
                        displaced(), sinceCart.as("measured_value"), lit(0.0).as("threshold"),
                        when(cartInSession, format_string("%s clicked %.0f s after the cart/checkout was viewed",
                                col("partner_id"), sinceCart))
                                .otherwise(format_string("%s's click was referred by the shop's page %s",
                                        col("partner_id"), col("referrer_url"))).as("detail"));
        return standDowns.unionByName(snipes).unionByName(hijacks);
    }

    /** Who loses the last click if the flagged click is dropped: the journey's previous partner, if another one. */
    private static Column displaced() {
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
     * COUPON_LEAKAGE: the order's coupon code is owned by one partner while another (or none) would get the
     * last-click credit. The measured value is how many clicks the code's owner had in the journey.
     *
     * @param orders   order_id, coupon_code
     * @param touches  journey touches (see {@link #creditedClicks})
     * @param owners   coupon_code, owner_partner_id
     */
    public static Dataset<Row> couponLeakage(Dataset<Row> orders, Dataset<Row> touches, Dataset<Row> owners) {
        Dataset<Row> ownerClicks = touches.where(col("is_click").and(col("partner_id").isNotNull()))
                .groupBy(col("order_id"), col("partner_id").as("owner_partner_id")).agg(count("*").as("owner_clicks"));
        return orders.where(col("coupon_code").isNotNull())
                .join(owners, ScalaSeqs.of("coupon_code"))
                .join(creditedClicks(touches), ScalaSeqs.of("order_id"), "left")
                .where(col("credited_partner_id").isNull().or(col("credited_partner_id")
                        .notEqual(col("owner_partner_id"))))
                .join(ownerClicks, ScalaSeqs.of("order_id", "owner_partner_id"), "left")
                .select(lit(COUPON_LEAKAGE).as("rule_code"), col("order_id"), col("credited_event_id").as("event_id"),
                        col("credited_partner_id").as("partner_id"), col("owner_partner_id").as("displaced_partner_id"),
                        coalesce(col("owner_clicks"), lit(0L)).cast("double").as("measured_value"),
                        lit(null).cast("double").as("threshold"),
                        format_string("code %s belongs to %s but the last click is %s", col("coupon_code"),
                                col("owner_partner_id"), coalesce(col("credited_partner_id"), lit("nobody's")))
                                .as("detail"));
    }

    /**
     * SELF_REFERRAL: one person buying at least {@code minOrders} times in the window through the same
     * partner's last click, with at least {@code minBadShare} of those orders cancelled or returned.
     *
     * @param credited order_id, person_id, order_status, credited_event_id, credited_partner_id
     */
    public static Dataset<Row> selfReferral(Dataset<Row> credited, PartnermixConfig.SelfReferralRule rule) {
        WindowSpec samePair = Window.partitionBy("person_id", "credited_partner_id");
        Column bad = when(col("order_status").isin("cancelled", "returned"), 1.0).otherwise(0.0);
        return credited.where(col("credited_partner_id").isNotNull())
                .withColumn("pair_orders", count("*").over(samePair))
                .withColumn("bad_share", avg(bad).over(samePair))
                .where(col("pair_orders").geq(rule.minOrders()).and(col("bad_share").geq(rule.minBadShare())))
                .select(lit(SELF_REFERRAL).as("rule_code"), col("order_id"), col("credited_event_id").as("event_id"),
                        col("credited_partner_id").as("partner_id"), lit(null).cast("string").as("displaced_partner_id"),
                        col("pair_orders").cast("double").as("measured_value"),
                        lit((double) rule.minOrders()).as("threshold"),
                        format_string("this person bought %d times through %s in the window, %.0f%% cancelled or "
                                + "returned", col("pair_orders"), col("credited_partner_id"),
                                col("bad_share").multiply(100)).as("detail"));
    }

    /**
     * COOKIE_STUFFING: partner clicks not followed by a visit, in a burst of several partners on one device
     * or several devices on one IP. Findings have no order (the job links a stuffed click to the order it
     * would be credited for) and carry the {@code click_date} their detection scope is keyed by.
     */
    public static Dataset<Row> cookieStuffing(Dataset<Row> timeline, PartnermixConfig.StuffingRule rule) {
        long burstMillis = Math.round(rule.burstSeconds() * 1000);
        Column millis = expr("unix_millis(event_ts)");
        WindowSpec device = Window.partitionBy("anonymous_id").orderBy(millis).rangeBetween(-burstMillis, burstMillis);
        WindowSpec ip = Window.partitionBy("ip_hash").orderBy(millis).rangeBetween(-burstMillis, burstMillis);
        Dataset<Row> clicks = timeline.where(isPartnerClick()).where(not(visited(rule.dwellSeconds())))
                .withColumn("partners_on_device", greatest(size(collect_set("partner_id").over(device)),
                        size(collect_set(expr("parse_url(referrer_url, 'HOST')")).over(device))))
                .withColumn("devices_on_ip", when(col("ip_hash").isNotNull(),
                        size(collect_set("anonymous_id").over(ip))).otherwise(lit(1)));
        return clicks.where(col("partners_on_device").geq(rule.minPartnersPerDevice())
                        .or(col("devices_on_ip").geq(rule.minIdsPerIp())))
                .select(lit(COOKIE_STUFFING).as("rule_code"), lit(null).cast("string").as("order_id"), col("event_id"),
                        col("partner_id"), lit(null).cast("string").as("displaced_partner_id"),
                        greatest(col("partners_on_device"), col("devices_on_ip")).cast("double").as("measured_value"),
                        lit((double) Math.min(rule.minPartnersPerDevice(), rule.minIdsPerIp())).as("threshold"),
                        format_string("click without a visit; %d partners (or sites) on this device and %d devices on this IP "
                                + "within %.0f s", col("partners_on_device"), col("devices_on_ip"),
                                lit(rule.burstSeconds())).as("detail"),
                        org.apache.spark.sql.functions.to_date(col("event_ts")).as("click_date"));
    }

    /**
     * Per partner over the window: clicks, credited orders (last partner click), clicks per credited order,
     * conversion rate, median click-to-order seconds, new-customer share and the share of credited orders more
     * than a day after the click (a flat click-to-order distribution).
     *
     * @param clicks   partner_id, event_id (the partner clicks of the window)
     * @param credited order_id, credited_partner_id, credited_seconds_before_order, is_new_customer
     * @param partners partner_id, partner_type, region
     */
    public static Dataset<Row> partnerMetrics(Dataset<Row> clicks, Dataset<Row> credited, Dataset<Row> partners) {
        Dataset<Row> clickCounts = clicks.groupBy("partner_id").agg(count("*").as("clicks"));
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
                .when(n.mod(2).equalTo(1), org.apache.spark.sql.functions.element_at(sorted, mid.plus(1))
                        .cast("double"))
                .otherwise(org.apache.spark.sql.functions.element_at(sorted, mid).cast("double")
                        .plus(org.apache.spark.sql.functions.element_at(sorted, mid.plus(1)).cast("double"))
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
     * Partners flooding clicks: clicks per credited order far above the peers (robust z and ratio to the
     * peer median), with a flat click-to-order distribution and enough clicks to judge.
     *
     * @return partner_id, clicks_per_order, peer_median, robust_z
     */
    public static Dataset<Row> floodingPartners(Dataset<Row> metrics, Dataset<Row> anomalies,
                                                PartnermixConfig.FloodRule rule) {
        return anomalies.where(col("metric").equalTo("clicks_per_order"))
                .join(metrics.select("partner_id", "clicks", "flat_share"), ScalaSeqs.of("partner_id"))
                .where(col("robust_z").geq(rule.minRobustZ())
                        .and(col("value").geq(col("peer_median").multiply(rule.minRatioToPeers())))
                        .and(col("flat_share").geq(rule.minFlatShare()))
                        .and(col("clicks").geq(rule.minClicks())))
                .select(col("partner_id"), col("value").as("clicks_per_order"), col("peer_median"), col("robust_z"));
    }

    /**
     * CLICK_FLOOD per order: the credited click belongs to a flooding partner and was not a visit.
     *
     * @param creditedClicks order_id, credited_event_id, credited_partner_id, visited (the click led to a page view)
     * @param flooders       {@link #floodingPartners}
     */
    public static Dataset<Row> clickFlood(Dataset<Row> creditedClicks, Dataset<Row> flooders,
                                          PartnermixConfig.FloodRule rule) {
        return creditedClicks.where(not(col("visited")))
                .join(flooders.withColumnRenamed("partner_id", "credited_partner_id"),
                        ScalaSeqs.of("credited_partner_id"))
                .select(lit(CLICK_FLOOD).as("rule_code"), col("order_id"), col("credited_event_id").as("event_id"),
                        col("credited_partner_id").as("partner_id"), lit(null).cast("string").as("displaced_partner_id"),
                        col("clicks_per_order").as("measured_value"),
                        col("peer_median").multiply(rule.minRatioToPeers()).as("threshold"),
                        format_string("credited click without a visit from %s, which has %.1f clicks per order "
                                        + "(peers %.1f, robust z %.1f)", col("credited_partner_id"),
                                col("clicks_per_order"), col("peer_median"), col("robust_z")).as("detail"));
    }

    /**
     * TIMING_OUTLIER: one of the configured partner metrics with |robust z| at or above the threshold for a
     * partner with enough credited orders. A flooding partner is left to CLICK_FLOOD: its flat click-to-order
     * times are part of that finding.
     */
    public static Dataset<Row> timingOutliers(Dataset<Row> metrics, Dataset<Row> anomalies, Dataset<Row> flooders,
                                              PartnermixConfig.OutlierRule rule) {
        return anomalies.join(metrics.select("partner_id", "credited_orders"), ScalaSeqs.of("partner_id"))
                .join(flooders.select(col("partner_id"), lit(true).as("is_flooder")), ScalaSeqs.of("partner_id"), "left")
                .where(org.apache.spark.sql.functions.abs(col("robust_z")).geq(rule.minRobustZ())
                        .and(col("metric").isin(rule.metrics().toArray()))
                        .and(col("credited_orders").geq(rule.minOrders()))
                        .and(not(coalesce(col("is_flooder"), lit(false)))))
                .select(lit(TIMING_OUTLIER).as("rule_code"), lit(null).cast("string").as("order_id"),
                        lit(null).cast("string").as("event_id"), col("partner_id"),
                        lit(null).cast("string").as("displaced_partner_id"), col("robust_z").as("measured_value"),
                        lit(rule.minRobustZ()).as("threshold"), col("metric"),
                        format_string("%s = %.4g against peer median %.4g (%s, %d partners): robust z %.1f",
                                col("metric"), col("value"), col("peer_median"), col("peer_group"), col("peer_count"),
                                col("robust_z")).as("detail"));
    }
}
