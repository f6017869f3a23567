package com.partnermix.mmm;

import com.partnermix.journeys.TouchRules;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.TreeSet;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

/**
 * Builds the media mix panel with Spark aggregations: raw rows stay on the executors, only the
 * per (date, region, channel) sums reach the driver. Pure {@code Dataset -> Dataset} steps, so a
 * test can feed them a few rows or a generated landing zone.
 *
 * <p>Channel keys: a non-partner channel is its own channel ({@code paid_search}, ...); partner
 * (affiliate) activity is split by partner type ({@code affiliate:coupon}) or funnel stage
 * ({@code affiliate:conversion}), so the partner type "referral" never collides with the
 * channel "referral".
 */
public final class PanelBuilder {

    private PanelBuilder() {}

    private static final List<String> MEASURES = List.of("weighted_touches", "clicks", "impressions", "cost_usd");

    /** The touch columns of a cost-only media row (paid spend, commission). */
    private static final java.util.Map<String, Column> NO_TOUCHES = java.util.Map.of("clicks", lit(0.0),
            "impressions", lit(0.0), "media_clicks", lit(0.0), "media_impressions", lit(0.0));

    /** The panel channel of a touch: channel, or affiliate:&lt;partner type or funnel stage&gt; for partner touches. */
    public static Column channelKey(String granularity, TouchRules rules, Column channel, Column partnerId,
                                    Column partnerType) {
        Column split = switch (granularity) {
            case "partner_type" -> coalesce(partnerType, lit("unknown"));
            case "funnel_stage" -> rules.funnelStage(partnerId, partnerType, channel);
            default -> throw new IllegalArgumentException("mmm.granularity must be partner_type or funnel_stage, got '"
                    + granularity + "'");
        };
        return when(channel.equalTo("affiliate"), concat(lit("affiliate:"), split)).otherwise(channel);
    }

    /**
     * Clicks, impressions and partner cost (CPC per click, CPM per thousand impressions, in USD at the
     * day's rate) per (date, region, channel) from the touchpoints of the window.
     *
     * @param touchpoints event_date, event_type, channel, partner_id, country (bronze.touchpoints)
     * @param dimPartner  partner_id, partner_type, cpc_rate, cpm_rate, rate_currency, valid_from, valid_to
     * @param fxDaily     rate_date, currency, usd_per_unit ({@link com.partnermix.common.FxRates#dailyCalendar})
     * @param isActivity  over the touchpoints: whether the touch is media activity (media_clicks, media_impressions);
     *                    clicks, impressions and cost count every touch (what was shown and paid for)
     */
    public static Dataset<Row> touchActivity(Dataset<Row> touchpoints, Column isActivity, Dataset<Row> dimPartner,
                                             Dataset<Row> fxDaily, TouchRules rules, String granularity,
                                             LocalDate from, LocalDate to) {
        // Page views are not media: only clicks and impressions are activity.
        Dataset<Row> touches = touchpoints
                .where(col("event_date").between(Date.valueOf(from), Date.valueOf(to))
                        .and(col("event_type").isin("click", "impression")))
                .select(col("event_date").as("date"), col("event_type"), col("channel"), col("partner_id"),
                        rules.region(col("country")).as("region"), isActivity.as("is_activity"));
        // The partner version valid on the touch's day gives its type and rates (the dimension is small).
        Dataset<Row> partners = dimPartner.select(col("partner_id").as("p_id"), col("partner_type"),
                col("cpc_rate"), col("cpm_rate"), col("rate_currency"), col("valid_from"), col("valid_to"));
        Dataset<Row> typed = touches.join(broadcast(partners), col("partner_id").equalTo(col("p_id"))
                        .and(col("date").geq(col("valid_from")))
                        .and(col("valid_to").isNull().or(col("date").lt(col("valid_to")))), "left")
                .join(broadcast(fxDaily.select(col("rate_date"), col("currency").as("fx_currency"),
                        col("usd_per_unit"))), col("rate_date").equalTo(col("date"))
                        .and(col("fx_currency").equalTo(col("rate_currency"))), "left");
        Column isClick = col("event_type").equalTo("click");
        Column partnerCost = when(isClick, coalesce(col("cpc_rate"), lit(0)))
                .otherwise(coalesce(col("cpm_rate"), lit(0)).divide(1000))
                .multiply(coalesce(col("usd_per_unit"), lit(1.0)));
        return typed.withColumn("channel_key", channelKey(granularity, rules, col("channel"), col("partner_id"),
                        col("partner_type")))
                .groupBy(col("date"), col("region"), col("channel_key").as("channel"))
                .agg(sum(when(isClick, 1L).otherwise(0L)).cast("double").as("clicks"),
                        sum(when(isClick, 0L).otherwise(1L)).cast("double").as("impressions"),
                        sum(partnerCost.cast("double")).as("cost_usd"),
                        sum(when(col("is_activity").and(isClick), 1L).otherwise(0L)).cast("double")
                                .as("media_clicks"),
                        sum(when(col("is_activity").and(not(isClick)), 1L).otherwise(0L)).cast("double")
                                .as("media_impressions"));
    }

    /**
     * Paid-media spend in USD per (date, region, channel): the latest delivery of each spend row,
     * converted at the day's rate. The spend feed also carries the paid channels' own counts, but the
     * touchpoint logs stay the source of clicks and impressions so that every channel is measured alike.
     */
    public static Dataset<Row> paidSpend(Dataset<Row> spend, Dataset<Row> fxDaily, LocalDate from, LocalDate to) {
        Dataset<Row> latest = spend.where(col("date").between(Date.valueOf(from), Date.valueOf(to)))
                .withColumn("rank", row_number().over(Window.partitionBy("date", "channel", "region")
                        .orderBy(col("delivery_date").desc())))
                .where(col("rank").equalTo(1));
        return latest.join(broadcast(fxDaily), col("rate_date").equalTo(col("date"))
                        .and(fxDaily.col("currency").equalTo(latest.col("currency"))), "left")
                .groupBy(col("date"), col("region"), col("channel"))
                .agg(sum(col("spend").cast("double").multiply(coalesce(col("usd_per_unit"), lit(1.0)))).as("cost_usd"))
                .withColumns(NO_TOUCHES);
    }

    /**
     * CPS commission in USD per (date, region, channel): the partner's cps_rate times the revenue
     * credited to its click under the payout model (last click), by order date and region.
     *
     * @param payoutCredit gold.attribution_credit rows of the payout model (partner_id, order_date, region,
     *                     channel, partner_type, funnel_stage, credited_revenue_usd)
     */
    public static Dataset<Row> commission(Dataset<Row> payoutCredit, Dataset<Row> dimPartner, TouchRules rules,
                                          String granularity, LocalDate from, LocalDate to) {
        Dataset<Row> credit = payoutCredit.where(col("partner_id").isNotNull()
                .and(col("order_date").between(Date.valueOf(from), Date.valueOf(to))));
        Dataset<Row> partners = dimPartner.select(col("partner_id").as("p_id"), col("cps_rate"),
                col("valid_from"), col("valid_to"));
        return credit.join(broadcast(partners), col("partner_id").equalTo(col("p_id"))
                        .and(col("order_date").geq(col("valid_from")))
                        .and(col("valid_to").isNull().or(col("order_date").lt(col("valid_to")))), "inner")
                .withColumn("channel_key", channelKey(granularity, rules, col("channel"), col("partner_id"),
                        col("partner_type")))
                .groupBy(col("order_date").as("date"), col("region"), col("channel_key").as("channel"))
                .agg(sum(coalesce(col("cps_rate"), lit(0)).cast("double")
                        .multiply(col("credited_revenue_usd").cast("double"))).as("cost_usd"))
                .withColumns(NO_TOUCHES);
    }

    /** Orders and revenue in USD per (date, region), from the converting journeys (every order placed). */
    public static Dataset<Row> targets(Dataset<Row> journeys, LocalDate from, LocalDate to) {
        return journeys.where(col("is_converted")
                        .and(col("order_date").between(Date.valueOf(from), Date.valueOf(to))))
                .groupBy(col("order_date").as("date"), col("region"))
                .agg(count("*").cast("double").as("orders"),
                        sum(col("revenue_usd").cast("double")).as("revenue_usd"));
    }

    /**
     * Collects the aggregated media rows (date, region, channel, clicks, impressions, cost_usd, media_clicks,
     * media_impressions; several rows per key are summed) and targets into a {@link Panel} of every day from the first day with
     * data (at most {@code from}) to {@code to}. Regions are those with orders, except UNKNOWN.
     *
     * @param measure           weighted_touches, clicks, impressions or cost_usd
     * @param viewThroughWeight an impression's weight in weighted_touches
     * @param excludeChannels   channels left out of the panel (not media)
     */
    public static Panel collect(Dataset<Row> media, Dataset<Row> targets, LocalDate from, LocalDate to, String measure,
                                double viewThroughWeight, List<String> excludeChannels) {
        if (!MEASURES.contains(measure)) {
            throw new IllegalArgumentException("mmm.activity_measure must be weighted_touches, clicks, impressions or "
                    + "cost_usd, got '" + measure + "'");
        }
        List<Row> mediaRows = media.groupBy("date", "region", "channel")
                .agg(sum("clicks").as("clicks"), sum("impressions").as("impressions"), sum("cost_usd").as("cost_usd"),
                        sum("media_clicks").as("media_clicks"), sum("media_impressions").as("media_impressions"))
                .collectAsList();
        List<Row> targetRows = targets.collectAsList();
        TreeSet<String> regions = new TreeSet<>();
        TreeSet<String> channels = new TreeSet<>();
        LocalDate first = to.plusDays(1);
        for (Row r : targetRows) {
            String region = r.getAs("region");
            if (region != null && !region.equals("UNKNOWN")) {
                regions.add(region);
                LocalDate d = r.<Date>getAs("date").toLocalDate();
                first = d.isBefore(first) ? d : first;
            }
        }
        for (Row r : mediaRows) {
            if (regions.contains(r.<String>getAs("region")) && r.getAs("channel") != null
                    && !excludeChannels.contains(r.<String>getAs("channel"))) {
                channels.add(r.getAs("channel"));
                LocalDate d = r.<Date>getAs("date").toLocalDate();
                first = d.isBefore(first) ? d : first;
            }
        }
        first = first.isBefore(from) ? from : first;
        int days = (int) Math.max(0, to.toEpochDay() - first.toEpochDay() + 1);
        Panel p = new Panel(first, days, regions.toArray(String[]::new), channels.toArray(String[]::new));
        for (Row r : targetRows) {
            int ri = p.regionIndex(r.getAs("region"));
            int t = (int) (r.<Date>getAs("date").toLocalDate().toEpochDay() - first.toEpochDay());
            if (ri >= 0 && t >= 0 && t < days) {
                p.orders[ri][t] += r.<Double>getAs("orders");
                p.revenue[ri][t] += r.isNullAt(r.fieldIndex("revenue_usd")) ? 0 : r.<Double>getAs("revenue_usd");
            }
        }
        for (Row r : mediaRows) {
            int ri = p.regionIndex(r.getAs("region"));
            int k = r.getAs("channel") == null ? -1 : p.channelIndex(r.getAs("channel"));
            int t = (int) (r.<Date>getAs("date").toLocalDate().toEpochDay() - first.toEpochDay());
            if (ri < 0 || k < 0 || t < 0 || t >= days) {
                continue;
            }
            p.clicks[k][ri][t] += value(r, "clicks");
            p.impressions[k][ri][t] += value(r, "impressions");
            p.cost[k][ri][t] += value(r, "cost_usd");
            double mediaClicks = value(r, "media_clicks");
            double mediaImpressions = value(r, "media_impressions");
            p.activity[k][ri][t] += switch (measure) {
                case "weighted_touches" -> mediaClicks + viewThroughWeight * mediaImpressions;
                case "clicks" -> mediaClicks;
                case "impressions" -> mediaImpressions;
                default -> value(r, "cost_usd");
            };
        }
        return p;
    }

    private static double value(Row r, String field) {
        int i = r.fieldIndex(field);
        return r.isNullAt(i) ? 0 : ((Number) r.get(i)).doubleValue();
    }
}
