package com.partnermix.bench;

import com.partnermix.common.ConfigLoader;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.marts.MartsJob;
import com.partnermix.pipeline.HeapMeter;
import com.partnermix.pipeline.LocalFolders;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench --marts}: the marts stage alone on a synthetic warehouse of N touchpoints (default 10 million) over
 * D days: one order per 130 touchpoints (as the generator) with 1-39 touches (20 on average), credited under ten models (credit rows = orders x models
 * x touches), journeys, order versions with returns, fraud flags, spend and FX. The inputs are written first
 * (not timed); the figure is {@link MartsJob#build} end to end (all six gold tables, reconciliation included).
 */
final class MartsBench {

    private MartsBench() {}

    static List<String> run(SparkSession spark, PartnermixConfig base, String workDir, LocalDate last, long touchpoints,
                            int days) {
        String root = workDir + "/marts-warehouse";
        LocalFolders.wipe(root);
        PartnermixConfig config = ConfigLoader.withPaths(base, root, workDir + "/landing", workDir + "/ground-truth",
                workDir + "/checkpoints");
        Warehouse wh = new Warehouse(spark, root);
        long t0 = System.nanoTime();
        long orders = touchpoints / 130;   // the generator: 10.8 M touchpoint lines, 77 k orders
        String lastDate = "DATE'" + last + "'";
        spark.range(touchpoints).selectExpr("CONCAT('t', id) event_id",
                        "date_sub(" + lastDate + ", CAST(id % " + days + " AS INT)) event_date",
                        "IF(id % 10 < 3, 'click', 'impression') event_type",
                        "CASE WHEN id % 10 < 6 THEN 'affiliate' ELSE element_at(array('paid_search','display','email','paid_social'), CAST(id % 4 AS INT) + 1) END channel",
                        "IF(id % 10 < 6, CONCAT('P', id % 200), NULL) partner_id",
                        "element_at(array('US','GB','DE','JP','BR'), CAST(id % 5 AS INT) + 1) country")
                .withColumn("delivery_date", org.apache.spark.sql.functions.col("event_date"))
                .write().format("delta").mode("overwrite").save(wh.path(Tables.BRONZE_TOUCHPOINTS));
        spark.range(200).selectExpr("CONCAT('P', id) partner_id",
                        "element_at(array('creator','content','review','community','agency','b2b','coupon','deal','cashback','browser_extension','sub_network','loyalty','referral'), CAST(id % 13 AS INT) + 1) partner_type",
                        "element_at(array('NA','EMEA','APAC','LATAM','GLOBAL'), CAST(id % 5 AS INT) + 1) region",
                        "element_at(array('cps','cpc','cpm','flat_fee','hybrid'), CAST(id % 5 AS INT) + 1) payment_model",
                        "CAST(0.05 AS DECIMAL(10,6)) cps_rate", "CAST(0.4 AS DECIMAL(10,6)) cpc_rate",
                        "CAST(3 AS DECIMAL(10,6)) cpm_rate", "CAST(500 AS DECIMAL(18,4)) flat_fee_monthly",
                        "IF(id % 3 = 0, 'EUR', 'USD') rate_currency", "DATE'2025-01-01' valid_from",
                        "CAST(NULL AS DATE) valid_to", "1 version", "true is_current")
                .write().format("delta").mode("overwrite").save(wh.path(Tables.SILVER_DIM_PARTNER));
        // Orders with 1-4 touches each; the touch rows are shared by the journeys and every model's credit.
        Dataset<Row> touches = spark.range(orders).selectExpr("id o", "CAST(id % 39 AS INT) + 1 k")
                .selectExpr("o", "k", "explode(sequence(1, k)) position")
                .selectExpr("CONCAT('o', o) order_id", "date_sub(" + lastDate + ", CAST(o % " + days + " AS INT)) order_date",
                        "CONCAT('t', o * 130 + position) event_id", "position", "k",
                        "IF((o + position) % 10 < 6, 'affiliate', 'paid_search') channel",
                        "IF((o + position) % 10 < 6, CONCAT('P', (o * 7 + position) % 200), NULL) partner_id",
                        "element_at(array('NA','EMEA','APAC','LATAM','UNKNOWN'), CAST(o % 5 AS INT) + 1) region",
                        "CAST(20 + o % 180 AS DECIMAL(18,4)) revenue_usd", "o % 3 = 0 is_new_customer",
                        "CONCAT('j', o) journey_id", "CONCAT('p', o % " + Math.max(1, orders / 2) + ") person_id");
        touches.selectExpr("journey_id", "order_id", "event_id", "channel", "partner_id", "position")
                .write().format("delta").mode("overwrite").save(wh.path(Tables.SILVER_JOURNEY_TOUCHES));
        Dataset<Row> models = spark.createDataset(List.of("last_click", "last_non_direct", "first_click", "linear",
                "time_decay", "position_based", "funnel_weighted", "markov", "shapley", "mixed_media"),
                org.apache.spark.sql.Encoders.STRING()).toDF("model");
        touches.crossJoin(models)
                .selectExpr("order_id", "order_date", "model", "event_id", "partner_id", "channel",
                        "CAST(NULL AS STRING) partner_type", "CAST(NULL AS STRING) funnel_stage", "region",
                        "CAST(CASE WHEN model IN ('last_click','last_non_direct') THEN IF(position = k, 1, 0) "
                                + "WHEN model = 'first_click' THEN IF(position = 1, 1, 0) ELSE 1D / k END AS DOUBLE) credit",
                        "revenue_usd", "is_new_customer", "position", "CAST(NULL AS TIMESTAMP) touch_ts", "true is_click",
                        "'placed' order_status", "journey_id", "person_id")
                .withColumn("credited_revenue_usd", org.apache.spark.sql.functions.expr("CAST(credit * revenue_usd AS DECIMAL(18,4))"))
                .write().format("delta").mode("overwrite").save(wh.path(Tables.GOLD_ATTRIBUTION_CREDIT));
        spark.range(orders * 2).selectExpr("CONCAT('j', id) journey_id", "IF(id < " + orders + ", CONCAT('o', id), NULL) order_id",
                        "id < " + orders + " is_converted", "CONCAT('p', id % " + Math.max(1, orders / 2) + ") person_id",
                        "IF(id < " + orders + ", date_sub(" + lastDate + ", CAST(id % " + days + " AS INT)), NULL) order_date",
                        "date_sub(" + lastDate + ", CAST(id % " + days + " AS INT)) journey_date",
                        "CAST(date_sub(" + lastDate + ", CAST(id % " + days + " AS INT)) AS TIMESTAMP) order_ts",
                        "element_at(array('creator > coupon','coupon','review > cashback','paid_search','creator > review > coupon',''), CAST(id % 6 AS INT) + 1) path_partner_type",
                        "CAST(20 + id % 180 AS DECIMAL(18,4)) revenue_usd")
                .write().format("delta").mode("overwrite").save(wh.path(Tables.SILVER_JOURNEYS));
        spark.range(orders).selectExpr("CONCAT('o', id) order_id", "date_sub(" + lastDate + ", CAST(id % " + days + " AS INT)) order_date",
                        "IF(id % 20 = 0, 'returned', 'placed') status")
                .selectExpr("order_id", "order_date", "status", "CAST(order_date AS TIMESTAMP) updated_ts",
                        "CAST(IF(status = 'returned', 0, 100) AS DECIMAL(18,4)) revenue", "'USD' currency",
                        "IF(status = 'returned', least(date_add(order_date, 9), " + lastDate + "), order_date) delivery_date")
                .write().format("delta").mode("overwrite").save(wh.path(Tables.BRONZE_ORDERS));
        spark.range(orders / 100).selectExpr("CONCAT('f', id) flag_id", "CONCAT('o', id * 100) order_id",
                        "CONCAT('P', (id * 700 + 1) % 200) partner_id", "'withhold' proposed_action",
                        "date_sub(" + lastDate + ", CAST(id % " + days + " AS INT)) detected_date")
                .write().format("delta").mode("overwrite").save(wh.path(Tables.GOLD_FRAUD_FLAGS));
        spark.range((long) days * 20).selectExpr("date_sub(" + lastDate + ", CAST(id / 20 AS INT)) date",
                        "element_at(array('paid_search','display','email','paid_social'), CAST(id % 4 AS INT) + 1) channel",
                        "element_at(array('NA','EMEA','APAC','LATAM','UNKNOWN'), CAST((id / 4) % 5 AS INT) + 1) region",
                        "'USD' currency", "CAST(100 + id % 50 AS DECIMAL(18,4)) spend", "0L impressions", "0L clicks")
                .withColumn("delivery_date", org.apache.spark.sql.functions.col("date"))
                .write().format("delta").mode("overwrite").save(wh.path(Tables.BRONZE_SPEND));
        // A rate from the partners' valid_from on: a missing rate makes the cost null (as it should), not 1 USD.
        spark.range(days).selectExpr("date_sub(" + lastDate + ", CAST(id AS INT)) date", "'EUR' currency",
                        "CAST(1.08 AS DECIMAL(18,8)) usd_per_unit")
                .union(spark.sql("SELECT DATE'2025-01-01' date, 'EUR' currency, CAST(1.08 AS DECIMAL(18,8)) usd_per_unit"))
                .withColumn("delivery_date", org.apache.spark.sql.functions.col("date"))
                .write().format("delta").mode("overwrite").save(wh.path(Tables.BRONZE_FX_RATES));
        long creditRows = wh.read(Tables.GOLD_ATTRIBUTION_CREDIT).count();
        double setup = (System.nanoTime() - t0) / 1e9;

        HeapMeter.reset();
        long t1 = System.nanoTime();
        MartsJob.Report report = MartsJob.build(wh, config, last);
        double seconds = (System.nanoTime() - t1) / 1e9;
        List<String> out = new ArrayList<>();
        out.add(String.format("synthetic warehouse: %,d touchpoints, %,d orders, %,d credit rows over %d days "
                + "(written in %.1f s, not timed)", touchpoints, orders, creditRows, days, setup));
        out.add(report.format());
        out.add(String.format("marts stage: %.1f s (%,.0f credit rows/s), peak driver heap %d MiB", seconds,
                creditRows / seconds, HeapMeter.peakMiB()));
        return out;
    }
}
