package com.partnermix.ingest;

import com.partnermix.generate.GenerateJob;
import com.partnermix.common.PartnermixConfig;
import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.common.Warehouse;
import com.partnermix.testing.Slow;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.get_json_object;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator and the ingest agree: every broken line the generator injected is quarantined with its reason. */
@Slow
class GeneratedLandingIngestTest extends SparkTestBase {

    private static final LocalDate LAST = LocalDate.parse("2026-11-20");
    private static final int DAYS = 3;
    private static PartnermixConfig config;
    private static Warehouse wh;
    private static List<IngestReport> reports;

    @BeforeAll
    static void generateAndIngest() throws Exception {
        config = config(tmp, "generator.malformed_share=0.02", "generator.duplicate_share=0.03");
        assertEquals(0, GenerateJob.run(List.of("--date", LAST.toString(), "--days", Integer.toString(DAYS), "--persons",
                "250"), config, spark()));
        wh = new Warehouse(spark(), config.paths().warehouse());
        reports = LAST.minusDays(DAYS - 1).datesUntil(LAST.plusDays(1))
                .map(day -> IngestJob.ingest(spark(), wh, config, day)).toList();
    }

    @Test
    void quarantineReasonsMatchTheInjectedBrokenLines() {
        Dataset<Row> truth = spark().read().option("header", true).option("escape", "\"").option("multiLine", true)
                .csv(config.paths().groundTruth() + "/malformed_lines");
        Map<String, Long> expected = new TreeMap<>();
        truth.groupBy("dt", "expected_reason").count().collectAsList()
                .forEach(r -> expected.put(r.getString(0) + " " + r.getString(1), r.getLong(2)));
        Map<String, Long> actual = new TreeMap<>();
        wh.read(Tables.BRONZE_QUARANTINE).groupBy("delivery_date", "reason").count().collectAsList()
                .forEach(r -> actual.put(r.get(0) + " " + r.getString(1), r.getLong(2)));
        assertFalse(expected.isEmpty(), "the generator injected no broken lines");
        assertEquals(expected, actual);
    }

    @Test
    void everyDeliveryBalancesAndDuplicatesAreDropped() {
        long duplicates = 0;
        for (IngestReport report : reports) {
            for (IngestReport.FeedCounts feed : report.feeds()) {
                assertTrue(feed.balanced(), feed.toString());
                duplicates += feed.duplicates();
            }
        }
        assertTrue(duplicates > 0, "the generator delivers duplicates; none were dropped");
        Dataset<Row> touchpoints = wh.read(Tables.BRONZE_TOUCHPOINTS);
        assertEquals(touchpoints.count(), touchpoints.select("event_id").distinct().count());
        Dataset<Row> orders = wh.read(Tables.BRONZE_ORDERS);
        assertEquals(orders.count(), orders.select("order_id", "updated_ts").distinct().count());
    }

    @Test
    void noRawIpOrUserAgentFromTheLandingZoneReachesTheWarehouse() {
        Dataset<Row> landing = spark().read().text(config.paths().landing() + "/touchpoints/*/*");
        List<String> secrets = landing.select(get_json_object(col("value"), "$.ip").as("s")).where("s is not null")
                .union(landing.select(get_json_object(col("value"), "$.user_agent").as("s")).where("s is not null"))
                .distinct().limit(200).collectAsList().stream().map(r -> r.getString(0)).toList();
        assertTrue(secrets.size() > 20, "too few personal values to check: " + secrets.size());
        for (Table table : Tables.BRONZE) {
            Dataset<Row> rows = wh.read(table);
            for (StructField field : rows.schema().fields()) {
                if (field.dataType().equals(DataTypes.StringType)) {
                    long leaks = rows.where(col(field.name()).isin(secrets.toArray())).count();
                    assertEquals(0, leaks, table + "." + field.name() + " holds raw IP or user agent values");
                }
            }
        }
    }
}
