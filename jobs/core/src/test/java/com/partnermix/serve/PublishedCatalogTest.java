package com.partnermix.serve;

import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.testing.Rows;
import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.catalog.DropTableEvent;
import org.apache.spark.sql.catalyst.catalog.ExternalCatalogEventListener;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The refresh of the served views, in the shared test session's (in-memory) catalog. */
class PublishedCatalogTest extends SparkTestBase {

    private static final String PUBLICATIONS = "run_date DATE, published_at TIMESTAMP, table_name STRING, "
            + "delta_version LONG, row_count LONG";

    @Test
    void servesNothingBeforeThePublicationThenExactlyThePublishedVersions() {
        write(Tables.GOLD_PATH_SUMMARY, "overwrite", "{\"path\":\"content > coupon\",\"journeys\":3}");   // v0
        write(Tables.GOLD_PATH_SUMMARY, "append", "{\"path\":\"(none)\",\"journeys\":9}");                // v1
        write(Tables.GOLD_PARTNER_ANOMALIES, "overwrite", "{\"path\":\"x\",\"journeys\":1}");
        PublishedCatalog catalog = new PublishedCatalog(warehouse(), CatalogDocs.load(Path.of("conf/catalog.yaml")));

        assertTrue(catalog.refresh().startsWith("no publication in "));
        assertFalse(spark().catalog().tableExists("gold.path_summary"), "nothing unchecked is served");

        publish("2026-11-20T05:00:00Z", "gold.path_summary", 0, "gold.partner_anomalies", 0);
        assertEquals("serving the publication of 2026-11-20: gold.partner_anomalies@v0, gold.path_summary@v0",
                catalog.refresh());
        assertEquals(3L, spark().sql("SELECT SUM(journeys) FROM gold.path_summary").first().getLong(0));
        assertNull(catalog.refresh(), "an unchanged publication is not registered again");

        // The next night publishes path_summary at version 1 and no longer partner_anomalies.
        publish("2026-11-21T05:00:00Z", "gold.path_summary", 1, null, 0);
        List<String> dropped = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExternalCatalogEventListener listener = event -> {
            if (event instanceof DropTableEvent drop) {
                dropped.add(drop.database() + "." + drop.name());
            }
        };
        spark().sharedState().externalCatalog().addListener(listener);
        try {
            assertEquals("serving the publication of 2026-11-21: gold.path_summary@v1", catalog.refresh());
        } finally {
            spark().sharedState().externalCatalog().removeListener(listener);
        }
        assertFalse(dropped.contains("gold.path_summary"), "a served view was dropped while replaced: " + dropped);
        assertEquals(12L, spark().sql("SELECT SUM(journeys) FROM gold.path_summary").first().getLong(0));
        // Replaced in place (never dropped, so a BI query meanwhile finds it), with the new version's properties and
        // the column docs, and no staging view left.
        assertEquals("1", spark().sql("SHOW TBLPROPERTIES gold.path_summary ('partnermix.delta_version')")
                .first().getString(1));
        assertEquals("Journeys that followed the path.", spark().sql("DESCRIBE gold.path_summary")
                .where("col_name = 'journeys'").first().getString(2));
        assertFalse(spark().catalog().tableExists("gold." + PublishedCatalog.STAGING_PREFIX + "path_summary"));
        assertFalse(spark().catalog().tableExists("gold.partner_anomalies"), "an unpublished table is dropped");
        assertTrue(ReadOnlyExtension.published().stream().allMatch(pin -> pin.endsWith("/gold/path_summary@1")),
                ReadOnlyExtension.published().toString());
        spark().sql("DROP VIEW gold.path_summary");
    }

    private static void publish(String at, String table1, long version1, String table2, long version2) {
        String row = "{\"run_date\":\"%s\",\"published_at\":\"%s\",\"table_name\":\"%s\",\"delta_version\":%d,\"row_count\":0}";
        Dataset<Row> rows = table2 == null
                ? Rows.of(spark(), PUBLICATIONS, String.format(row, at.substring(0, 10), at, table1, version1))
                : Rows.of(spark(), PUBLICATIONS, String.format(row, at.substring(0, 10), at, table1, version1),
                        String.format(row, at.substring(0, 10), at, table2, version2));
        rows.write().format("delta").mode("append").save(warehouse().path(Tables.DQ_PUBLICATIONS));
    }

    private static void write(Table table, String mode, String json) {
        Rows.of(spark(), "path STRING, journeys LONG", json).write().format("delta").mode(mode)
                .save(warehouse().path(table));
    }
}
