package com.partnermix.fraud;

import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.ScalaSeqs;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;

import java.sql.Date;
import java.time.LocalDate;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_date;

/**
 * What the rules of one night read, each derived input computed once when a rule first asks for it (and
 * materialised with {@code materialise}: the later plans reuse several of them), and the pure steps that prepare
 * the night's inputs from the tables.
 */
public final class FraudInputs {

    final PartnermixConfig.Fraud settings;
    /** The shop's own hosts (see {@link FraudRules#shopHosts}). */
    final java.util.List<String> shopHosts;
    final int gapSeconds;
    final LocalDate from;
    final LocalDate date;
    private final Dataset<Row> timeline;
    private final Dataset<Row> touches;
    private final Dataset<Row> examined;
    private final Dataset<Row> partners;
    private final UnaryOperator<Dataset<Row>> materialise;
    private final Supplier<Dataset<Row>> journeyClicks;
    private final Supplier<Dataset<Row>> credited;
    private final Supplier<Dataset<Row>> metrics;
    private final Supplier<Dataset<Row>> anomalies;
    private final Supplier<Dataset<Row>> flooders;

    /**
     * @param timeline {@link FraudRules#timeline} rows with event_date
     * @param touches  journey touches of the examined orders: order_id, event_id, position, is_click, partner_id,
     *                 seconds_before_order
     * @param examined the orders examined tonight: order_id, person_id, order_ts, order_date, order_status,
     *                 is_new_customer, coupon_code
     * @param partners current partners: partner_id, partner_type, region, stand_down_required, owned_coupon_codes
     * @param shopHosts the shop's own hosts
     * @param from     first day of the window (date - window_days + 1)
     */
    FraudInputs(PartnermixConfig.Fraud settings, java.util.List<String> shopHosts, int gapSeconds, LocalDate from,
                LocalDate date, Dataset<Row> timeline, Dataset<Row> touches, Dataset<Row> examined,
                Dataset<Row> partners, UnaryOperator<Dataset<Row>> materialise) {
        this.settings = settings;
        this.shopHosts = java.util.List.copyOf(shopHosts);
        this.gapSeconds = gapSeconds;
        this.from = from;
        this.date = date;
        this.timeline = timeline;
        this.touches = touches;
        this.examined = examined;
        this.partners = partners;
        this.materialise = materialise;
        this.journeyClicks = once(() -> FraudRules.journeyClicks(timeline, touches));
        this.credited = once(() -> materialise.apply(creditedWithContext()));
        this.metrics = once(() -> materialise.apply(FraudRules.partnerMetrics(
                timeline.where(FraudRules.isPartnerClick().and(inWindow())).select("partner_id", "event_id", "pv_window"),
                credited().join(examined.where(col("order_date").geq(Date.valueOf(from))).select("order_id"),
                        ScalaSeqs.of("order_id"), "left_semi"),
                partners.select("partner_id", "partner_type", "region"))));
        this.anomalies = once(() -> materialise.apply(FraudRules.anomalies(metrics(), settings.peerGroups().minPeers())));
        this.flooders = once(() -> FraudRules.floodingPartners(metrics(), anomalies(),
                settings.rule(new ClickFloodRule().configKey())));
    }

    private static <T> Supplier<T> once(Supplier<T> compute) {
        return new Supplier<>() {
            private T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = compute.get();
                }
                return value;
            }
        };
    }

    /** Events of the window's days (the clicks cookie stuffing and the partner metrics judge). */
    Column inWindow() {
        return col("event_date").between(Date.valueOf(from), Date.valueOf(date));
    }

    Dataset<Row> timeline() {
        return timeline;
    }

    Dataset<Row> touches() {
        return touches;
    }

    Dataset<Row> examined() {
        return examined;
    }

    Dataset<Row> partners() {
        return partners;
    }

    /** The partners' owned codes: coupon_code, owner_partner_id. */
    Dataset<Row> couponOwners() {
        return partners.select(col("partner_id").as("owner_partner_id"),
                explode(col("owned_coupon_codes")).as("coupon_code"));
    }

    /** {@link FraudRules#journeyClicks}. */
    Dataset<Row> journeyClicks() {
        return journeyClicks.get();
    }

    /**
     * The credited click of every examined order with a partner click: order_id, person_id, order_status,
     * is_new_customer, credited_event_id, credited_partner_id, credited_seconds_before_order, and what the timeline
     * knows of that click: credited_pv_dwell, credited_pv_window (page views on its device within the dwell time
     * and the visit window) and credited_click_code (the code the click showed).
     */
    Dataset<Row> credited() {
        return credited.get();
    }

    Dataset<Row> metrics() {
        return metrics.get();
    }

    Dataset<Row> anomalies() {
        return anomalies.get();
    }

    /** {@link FraudRules#floodingPartners} under the click_flood settings. */
    Dataset<Row> flooders() {
        return flooders.get();
    }

    private Dataset<Row> creditedWithContext() {
        Dataset<Row> clickContext = timeline.where(col("event_type").equalTo("click"))
                .select(col("event_id").as("credited_event_id"), col("pv_dwell").as("credited_pv_dwell"),
                        col("pv_window").as("credited_pv_window"), col("coupon_code").as("credited_click_code"));
        return FraudRules.creditedClicks(touches)
                .join(examined.select("order_id", "person_id", "order_status", "is_new_customer"),
                        ScalaSeqs.of("order_id"))
                .join(clickContext, ScalaSeqs.of("credited_event_id"), "left");
    }

    /** The orders whose journey was rebuilt tonight, marked changed_tonight. */
    static Dataset<Row> changedOrders(Dataset<Row> journeyChanges, LocalDate date) {
        return journeyChanges.where(col("run_date").equalTo(Date.valueOf(date)).and(col("order_id").isNotNull()))
                .select("order_id").distinct().withColumn("changed_tonight", lit(true));
    }

    /**
     * The orders examined tonight: the window's, and older ones whose journey changed (a late return), with the
     * coupon code of each (see {@link #orderCoupons}).
     */
    static Dataset<Row> examinedOrders(Dataset<Row> journeys, Dataset<Row> changedOrders, Dataset<Row> orderCoupons,
                                       LocalDate from, LocalDate date) {
        return journeys.where(col("is_converted"))
                .join(changedOrders, ScalaSeqs.of("order_id"), "left")
                .where(col("order_date").between(Date.valueOf(from), Date.valueOf(date))
                        .or(col("changed_tonight").isNotNull()))
                .join(orderCoupons, ScalaSeqs.of("order_id"), "left")
                .select("order_id", "journey_id", "person_id", "order_ts", "order_date", "order_status", "revenue_usd",
                        "is_new_customer", "region", "first_touch_ts", "coupon_code");
    }

    /** The coupon code of each order's latest version delivered by D. */
    static Dataset<Row> orderCoupons(Dataset<Row> orderVersions, LocalDate date) {
        return orderVersions.where(col("delivery_date").leq(Date.valueOf(date)))
                .groupBy("order_id")
                .agg(max(struct(col("updated_ts"), col("coupon_code"))).getField("coupon_code").as("coupon_code"));
    }

    /** The current version of each partner with its owned codes as an array (older tables hold them as text). */
    static Dataset<Row> currentPartners(Dataset<Row> partnerVersions) {
        Dataset<Row> current = partnerVersions.where(col("is_current"));
        Column codes = current.schema().apply("owned_coupon_codes").dataType() instanceof ArrayType
                ? col("owned_coupon_codes")
                : expr("filter(split(coalesce(owned_coupon_codes, ''), ';'), c -> c <> '')");
        return current.select(col("partner_id"), col("partner_type"), col("region"), col("payment_model"),
                col("cps_rate"), col("cpc_rate"), col("rate_currency"), coalesce(col("stand_down_required"), lit(false))
                        .as("stand_down_required"), codes.as("owned_coupon_codes"));
    }

    /**
     * Clicks and page views of everyone from {@code eventsFrom} (the earliest touch an examined order can have) to
     * D, delivered by D, with their person and whether their partner must stand down.
     */
    static Dataset<Row> clicksAndPageViews(Dataset<Row> touchpoints, Dataset<Row> persons, Dataset<Row> partners,
                                           LocalDate eventsFrom, LocalDate date) {
        return touchpoints
                .where(col("event_date").between(Date.valueOf(eventsFrom), Date.valueOf(date))
                        .and(col("delivery_date").leq(Date.valueOf(date)))
                        .and(col("event_type").isin("click", "page_view")))
                .join(persons, ScalaSeqs.of("anonymous_id"))
                .join(broadcast(partners.select("partner_id", "stand_down_required")), ScalaSeqs.of("partner_id"),
                        "left");
    }

    /** The orders as the timeline places them among the events: person_id, order_id, order_ts. */
    static Dataset<Row> orderKeys(Dataset<Row> examined) {
        return examined.select("person_id", "order_id", "order_ts");
    }

    /** The journey touches of the examined orders. */
    static Dataset<Row> touchesOf(Dataset<Row> journeyTouches, Dataset<Row> examined) {
        return journeyTouches.join(examined.select("order_id"), ScalaSeqs.of("order_id"), "left_semi");
    }

    /** The timeline with the event_date the window filters on. */
    static Dataset<Row> withEventDate(Dataset<Row> timeline) {
        return timeline.withColumn("event_date", to_date(col("event_ts")));
    }
}
