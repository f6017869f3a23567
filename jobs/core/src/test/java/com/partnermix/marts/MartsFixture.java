package com.partnermix.marts;

import com.partnermix.testing.Rows;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.Locale;

/**
 * A hand-checked day of a small programme (2026-11-20, a 30-day month), one partner per payment model:
 * <pre>
 * P-CPS   coupon    NA    cps      5 % of revenue
 * P-CPC   review    NA    cpc      0.50 EUR per click (1 EUR = 1.10 USD: 0.55 USD)
 * P-CPM   content   NA    cpm      5 USD per thousand impressions
 * P-FLAT  creator   EMEA  flat_fee 300 USD a month = 10 USD a day in November
 * P-HYB   cashback  NA    hybrid   2 % of revenue + 600 USD a month (20 USD a day)
 * </pre>
 * Orders (all NA): o1 100 USD new customer, clicks P-CPC then P-CPS; o2 200 USD, a paid_search click;
 * o3 50 USD new customer, no touch; o4 80 USD, a P-HYB click. Paid media: paid_search 40 USD (a corrected
 * delivery of the first 30), display 25 USD with no order.
 */
final class MartsFixture {

    private MartsFixture() {}

    static final String DAY = "2026-11-20";

    static final String DIM_PARTNER = "partner_id STRING, partner_type STRING, region STRING, payment_model STRING, "
            + "cps_rate DECIMAL(10,6), cpc_rate DECIMAL(10,6), cpm_rate DECIMAL(10,6), flat_fee_monthly DECIMAL(18,4), "
            + "rate_currency STRING, valid_from DATE, valid_to DATE, version INT, is_current BOOLEAN";
    static final String CREDIT = "order_id STRING, order_date DATE, model STRING, event_id STRING, partner_id STRING, "
            + "channel STRING, partner_type STRING, funnel_stage STRING, region STRING, credit DOUBLE, "
            + "credited_revenue_usd DECIMAL(18,4), is_new_customer BOOLEAN, position INT, order_status STRING, "
            + "revenue_usd DECIMAL(18,4), journey_id STRING, person_id STRING";
    static final String TOUCHPOINTS = "event_id STRING, event_date DATE, event_type STRING, channel STRING, "
            + "partner_id STRING, country STRING, delivery_date DATE";
    static final String SPEND = "date DATE, channel STRING, region STRING, currency STRING, spend DECIMAL(18,4), "
            + "impressions LONG, clicks LONG, delivery_date DATE";
    static final String FX = "date DATE, currency STRING, usd_per_unit DECIMAL(18,8), delivery_date DATE";
    static final String TOUCHES = "journey_id STRING, order_id STRING, event_id STRING, channel STRING, "
            + "partner_id STRING, partner_type STRING";

    static Dataset<Row> dimPartner(SparkSession spark) {
        return Rows.of(spark, DIM_PARTNER,
                partner("P-CPS", "coupon", "NA", "cps", "0.05", null, null, null, "USD"),
                partner("P-CPC", "review", "NA", "cpc", null, "0.50", null, null, "EUR"),
                partner("P-CPM", "content", "NA", "cpm", null, null, "5.0", null, "USD"),
                partner("P-FLAT", "creator", "EMEA", "flat_fee", null, null, null, "300", "USD"),
                partner("P-HYB", "cashback", "NA", "hybrid", "0.02", null, null, "600", "USD"));
    }

    static String partner(String id, String type, String region, String model, String cps, String cpc, String cpm,
                          String flat, String currency) {
        return String.format("{\"partner_id\":\"%s\",\"partner_type\":\"%s\",\"region\":\"%s\",\"payment_model\":\"%s\","
                        + "\"cps_rate\":%s,\"cpc_rate\":%s,\"cpm_rate\":%s,\"flat_fee_monthly\":%s,\"rate_currency\":\"%s\","
                        + "\"valid_from\":\"2026-01-01\",\"valid_to\":null,\"version\":1,\"is_current\":true}",
                id, type, region, model, cps, cpc, cpm, flat, currency);
    }

    static String credit(String order, String model, String event, String partner, String channel, double credit,
                         double revenue, boolean isNew, int position) {
        return String.format(Locale.ROOT, "{\"order_id\":\"%s\",\"order_date\":\"%s\",\"model\":\"%s\",\"event_id\":%s,"
                        + "\"partner_id\":%s,\"channel\":%s,\"region\":\"NA\",\"credit\":%s,\"credited_revenue_usd\":%s,"
                        + "\"is_new_customer\":%b,\"position\":%d,\"order_status\":\"placed\",\"revenue_usd\":%s,"
                        + "\"journey_id\":\"j-%s\",\"person_id\":\"p-%s\"}", order, DAY, model, quoted(event),
                quoted(partner), quoted(channel), credit, credit * revenue, isNew, position, revenue, order, order);
    }

    static Dataset<Row> credit(SparkSession spark) {
        return Rows.of(spark, CREDIT,
                credit("o1", "last_click", "e2", "P-CPS", "affiliate", 1.0, 100, true, 2),
                credit("o1", "linear", "e1", "P-CPC", "affiliate", 0.5, 100, true, 1),
                credit("o1", "linear", "e2", "P-CPS", "affiliate", 0.5, 100, true, 2),
                credit("o2", "last_click", "e3", null, "paid_search", 1.0, 200, false, 1),
                credit("o2", "linear", "e3", null, "paid_search", 1.0, 200, false, 1),
                credit("o3", "last_click", null, null, null, 1.0, 50, true, 0),
                credit("o3", "linear", null, null, null, 1.0, 50, true, 0),
                credit("o4", "last_click", "e5", "P-HYB", "affiliate", 1.0, 80, false, 1),
                credit("o4", "linear", "e5", "P-HYB", "affiliate", 1.0, 80, false, 1));
    }

    static String touchpoint(String id, String type, String channel, String partner) {
        return String.format("{\"event_id\":\"%s\",\"event_date\":\"%s\",\"event_type\":\"%s\",\"channel\":\"%s\","
                + "\"partner_id\":%s,\"country\":\"US\",\"delivery_date\":\"%s\"}", id, DAY, type, channel,
                quoted(partner), DAY);
    }

    static Dataset<Row> touchpoints(SparkSession spark) {
        return Rows.of(spark, TOUCHPOINTS,
                touchpoint("e1", "click", "affiliate", "P-CPC"),
                touchpoint("e1b", "click", "affiliate", "P-CPC"),
                touchpoint("e2", "click", "affiliate", "P-CPS"),
                touchpoint("e3", "click", "paid_search", null),
                touchpoint("i1", "impression", "affiliate", "P-CPM"),
                touchpoint("i2", "impression", "affiliate", "P-CPM"),
                touchpoint("v1", "page_view", "direct", null),
                touchpoint("e5", "click", "affiliate", "P-HYB"));
    }

    static Dataset<Row> journeyTouches(SparkSession spark) {
        return Rows.of(spark, TOUCHES,
                "{\"journey_id\":\"j-o1\",\"order_id\":\"o1\",\"event_id\":\"e1\",\"channel\":\"affiliate\",\"partner_id\":\"P-CPC\"}",
                "{\"journey_id\":\"j-o1\",\"order_id\":\"o1\",\"event_id\":\"e2\",\"channel\":\"affiliate\",\"partner_id\":\"P-CPS\"}",
                "{\"journey_id\":\"j-o2\",\"order_id\":\"o2\",\"event_id\":\"e3\",\"channel\":\"paid_search\"}",
                "{\"journey_id\":\"j-o4\",\"order_id\":\"o4\",\"event_id\":\"e5\",\"channel\":\"affiliate\",\"partner_id\":\"P-HYB\"}",
                "{\"journey_id\":\"j-x\",\"event_id\":\"e1b\",\"channel\":\"affiliate\",\"partner_id\":\"P-CPC\"}");
    }

    static Dataset<Row> spend(SparkSession spark) {
        return Rows.of(spark, SPEND,
                "{\"date\":\"" + DAY + "\",\"channel\":\"paid_search\",\"region\":\"NA\",\"currency\":\"USD\",\"spend\":30,"
                        + "\"delivery_date\":\"" + DAY + "\"}",
                "{\"date\":\"" + DAY + "\",\"channel\":\"paid_search\",\"region\":\"NA\",\"currency\":\"USD\",\"spend\":40,"
                        + "\"delivery_date\":\"2026-11-21\"}",
                "{\"date\":\"" + DAY + "\",\"channel\":\"display\",\"region\":\"NA\",\"currency\":\"USD\",\"spend\":25,"
                        + "\"delivery_date\":\"" + DAY + "\"}");
    }

    static Dataset<Row> fx(SparkSession spark) {
        return Rows.of(spark, FX,
                "{\"date\":\"2026-11-01\",\"currency\":\"EUR\",\"usd_per_unit\":1.10,\"delivery_date\":\"2026-11-01\"}",
                "{\"date\":\"2026-11-01\",\"currency\":\"GBP\",\"usd_per_unit\":1.25,\"delivery_date\":\"2026-11-01\"}");
    }

    static String quoted(String s) {
        return s == null ? "null" : "\"" + s + "\"";
    }
}
