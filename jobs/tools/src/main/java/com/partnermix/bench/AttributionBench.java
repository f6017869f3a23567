package com.partnermix.bench;

import com.partnermix.attribution.AttributionJob;
import com.partnermix.common.ConfigLoader;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.pipeline.HeapMeter;
import com.partnermix.pipeline.LocalFolders;
import org.apache.spark.sql.SparkSession;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bench --attribute}: the attribute stage alone on a synthetic silver layer of N orders (default 1 million)
 * and about 10 touchpoints per order. The generator yields one order per 130 touchpoint lines, so a real landing
 * zone of a million orders would be a hundred million lines; this bench builds the silver tables attribute reads
 * directly: converting journeys with 1-13 touches (7 on average) and as many non-converting journeys with 1-5
 * (3 on average), over 200 partners of the 13 partner types and the non-partner channels, 30 % impressions. The
 * inputs are written first (not timed); the figure is {@link AttributionJob#attribute} end to end (training the
 * data-driven models, every model's credit, the write of gold.attribution_credit and gold.model_weights).
 */
final class AttributionBench {

    private AttributionBench() {}

    private static final String PARTNER_TYPES = "array('creator','content','review','community','agency','b2b',"
            + "'coupon','deal','cashback','browser_extension','sub_network','loyalty','referral')";
    private static final String STAGES = "array('awareness','awareness','consideration','consideration',"
            + "'consideration','consideration','conversion','conversion','conversion','conversion','conversion',"
            + "'retention','retention')";
    private static final String CHANNELS = "array('paid_search','display','email','paid_social','organic_search',"
            + "'direct','referral')";

    static List<String> run(SparkSession spark, PartnermixConfig base, String workDir, LocalDate last, long orders,
                            int days) {
        String root = workDir + "/attribute-warehouse";
        LocalFolders.wipe(root);
        PartnermixConfig config = ConfigLoader.withPaths(base, root, workDir + "/landing", workDir + "/ground-truth",
                workDir + "/checkpoints");
        Warehouse wh = new Warehouse(spark, root);
        long t0 = System.nanoTime();
        String lastDate = "DATE'" + last + "'";
        // Journey j < orders converts (order o<j>); the others do not. Converting: 1-13 touches, else 1-5.
        spark.range(orders * 2).selectExpr("id j", "IF(id < " + orders + ", CAST(pmod(id * 7919, 13) AS INT) + 1, "
                        + "CAST(pmod(id * 104729, 5) AS INT) + 1) k")
                .selectExpr("j", "k", "explode(sequence(1, k)) position")
                .selectExpr("j", "CONCAT('j', j) journey_id", "CONCAT('p', j % " + Math.max(1, orders * 3 / 4) + ") person_id",
                        "IF(j < " + orders + ", CONCAT('o', j), NULL) order_id", "CONCAT('e', j, '-', position) event_id",
                        "position", "k", "pmod(j * 31 + position * 17, 100) r",
                        "date_sub(" + lastDate + ", CAST(j % " + days + " AS INT)) journey_date")
                .selectExpr("*", "r < 55 is_partner", "CAST(pmod(j * 13 + position * 7, 200) AS INT) partner")
                .selectExpr("journey_id", "person_id", "order_id", "event_id",
                        "CAST(journey_date AS TIMESTAMP) - make_interval(0, 0, 0, 0, (k - position + 1) * 5, 0, 0) touch_ts",
                        "position", "r % 10 >= 3 is_click",
                        "IF(is_partner, 'affiliate', element_at(" + CHANNELS + ", CAST(r % 7 AS INT) + 1)) channel",
                        "IF(is_partner, CONCAT('P', partner), NULL) partner_id",
                        "IF(is_partner, element_at(" + PARTNER_TYPES + ", partner % 13 + 1), NULL) partner_type",
                        "IF(is_partner, element_at(" + STAGES + ", partner % 13 + 1), 'consideration') funnel_stage",
                        "element_at(array('NA','EMEA','APAC','LATAM'), CAST(j % 4 AS INT) + 1) region",
                        "element_at(array('NA','EMEA','APAC','LATAM','GLOBAL'), partner % 5 + 1) partner_region",
                        "CONCAT('s', j, '-', position) session_id", "CAST(NULL AS STRING) coupon_code",
                        "IF(j < " + orders + ", CAST((k - position + 1) * 5 * 3600 AS DOUBLE), NULL) seconds_before_order")
                .write().format("delta").mode("overwrite").save(wh.path(Tables.SILVER_JOURNEY_TOUCHES));
        var touches = wh.read(Tables.SILVER_JOURNEY_TOUCHES);
        touches.groupBy("journey_id", "person_id", "order_id")
                .agg(org.apache.spark.sql.functions.count("*").as("touch_count"),
                        org.apache.spark.sql.functions.max("touch_ts").as("last_touch_ts"),
                        org.apache.spark.sql.functions.expr("array_join(transform(sort_array(collect_list(struct("
                                + "position, channel))), s -> s.channel), ' > ')").as("path_channel"),
                        org.apache.spark.sql.functions.expr("array_join(transform(sort_array(collect_list(struct("
                                + "position, coalesce(partner_type, channel) AS t))), s -> s.t), ' > ')")
                                .as("path_partner_type"),
                        org.apache.spark.sql.functions.expr("array_join(transform(sort_array(collect_list(struct("
                                + "position, coalesce(partner_id, channel) AS p))), s -> s.p), ' > ')").as("path_partner"))
                .selectExpr("journey_id", "person_id", "order_id", "order_id IS NOT NULL is_converted",
                        "IF(order_id IS NULL, NULL, last_touch_ts + INTERVAL 5 HOURS) order_ts",
                        "IF(order_id IS NULL, NULL, to_date(last_touch_ts + INTERVAL 5 HOURS)) order_date",
                        "IF(order_id IS NULL, NULL, 'placed') order_status",
                        "CAST(IF(order_id IS NULL, 0, 20 + pmod(hash(journey_id), 180)) AS DECIMAL(18,4)) revenue_usd",
                        "pmod(hash(journey_id), 3) = 0 is_new_customer",
                        "element_at(array('NA','EMEA','APAC','LATAM'), CAST(pmod(hash(journey_id), 4) AS INT) + 1) region",
                        "touch_count", "to_date(last_touch_ts) journey_date", "path_channel", "path_partner_type",
                        "path_partner")
                .write().format("delta").mode("overwrite").save(wh.path(Tables.SILVER_JOURNEYS));
        long touchRows = wh.read(Tables.SILVER_JOURNEY_TOUCHES).count();
        double setup = (System.nanoTime() - t0) / 1e9;

        HeapMeter.reset();
        long t1 = System.nanoTime();
        AttributionJob.Report report = AttributionJob.attribute(wh, config, last);
        double seconds = (System.nanoTime() - t1) / 1e9;
        List<String> out = new ArrayList<>();
        out.add(String.format("synthetic silver layer: %,d orders, %,d journeys, %,d touches over %d days "
                + "(written in %.1f s, not timed)", orders, orders * 2, touchRows, days, setup));
        out.add(report.format());
        out.add(String.format("attribute stage: %.1f s (%,.0f orders/s, %,.0f credit rows/s), peak driver heap %d MiB",
                seconds, orders / seconds, report.creditRows() / seconds, HeapMeter.peakMiB()));
        return out;
    }
}
