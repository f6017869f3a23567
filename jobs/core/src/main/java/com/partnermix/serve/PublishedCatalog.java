package com.partnermix.serve;

import com.partnermix.common.Table;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.TableIdentifier;
import org.apache.spark.sql.catalyst.catalog.CatalogTable;
import org.apache.spark.sql.catalyst.catalog.SessionCatalog;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.types.StructType;
import scala.Option;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Keeps the metastore in step with the current publication: one view per published table, pinned to
 * its version, and no view for anything else. Runs in the server's own session (the only one allowed
 * to write the catalog).
 */
final class PublishedCatalog {

    static final List<String> DATABASES = List.of("gold", "dq");

    private final Warehouse wh;
    private final CatalogDocs docs;
    private Publication served;

    PublishedCatalog(Warehouse wh, CatalogDocs docs) {
        this.wh = wh;
        this.docs = docs;
    }

    /** @return what changed, in one line; null when the publication is the one already served */
    String refresh() {
        SparkSession spark = wh.spark();
        Publication current = Publication.current(wh);
        if (current != null && current.equals(served)) {
            return null;
        }
        for (String database : DATABASES) {
            spark.sql("CREATE DATABASE IF NOT EXISTS " + database);
        }
        Map<Table, Long> versions = current == null ? Map.of() : current.versions();
        Set<String> pins = versions.entrySet().stream()
                .map(e -> ReadOnlyExtension.pin(DeltaLog.forTable(spark, wh.path(e.getKey())).dataPath().toString(),
                        e.getValue()))
                .collect(Collectors.toSet());
        // While the views change, both the old and the new pins may be read; afterwards only the new ones.
        Set<String> during = new HashSet<>(ReadOnlyExtension.published());
        during.addAll(pins);
        ReadOnlyExtension.publish(during);
        // Drop first what is no longer published: unchecked data must never stay visible.
        for (String database : DATABASES) {
            for (String view : views(spark, database)) {
                if (!versions.containsKey(new Table(database, view))) {
                    spark.sql("DROP VIEW IF EXISTS " + database + "." + CatalogDdl.quoteIdentifier(view));
                }
            }
        }
        for (Map.Entry<Table, Long> entry : versions.entrySet()) {
            Table table = entry.getKey();
            StructType schema = spark.read().format("delta").option("versionAsOf", entry.getValue())
                    .load(wh.path(table)).schema();
            replaceView(spark, table, name -> CatalogDdl.createView(name, wh.path(table), entry.getValue(),
                    current.runDate(), schema, docs.table(table.qualifiedName())));
        }
        ReadOnlyExtension.publish(pins);
        served = current;
        if (current == null) {
            return "no publication in " + wh.path(com.partnermix.common.Tables.DQ_PUBLICATIONS)
                    + " yet: serving no table until `publish` has passed the gold gate";
        }
        return "serving the publication of " + current.runDate() + ": " + versions.entrySet().stream()
                .map(e -> e.getKey() + "@v" + e.getValue()).collect(Collectors.joining(", "));
    }

    /** Prefix of the short-lived view a replacement is built in; one left by a crash is dropped at the next refresh. */
    static final String STAGING_PREFIX = "partnermix_next_";

    /**
     * Creates the view, or replaces it so that a query running meanwhile always finds it. Spark's CREATE OR REPLACE
     * VIEW drops the old view before it creates the new one, and a BI query resolving the name in between fails with
     * TABLE_OR_VIEW_NOT_FOUND. So the new definition (columns, comments, properties) is built as a staging view by
     * the same DDL and copied over the existing view in one metastore update, as ALTER VIEW ... AS does.
     */
    private static void replaceView(SparkSession spark, Table table, Function<String, String> ddl) {
        SessionCatalog catalog = spark.sessionState().catalog();
        TableIdentifier target = new TableIdentifier(table.name(), Option.apply(table.schema()));
        if (!catalog.tableExists(target)) {
            spark.sql(ddl.apply(table.qualifiedName()));
            return;
        }
        TableIdentifier staging = new TableIdentifier(STAGING_PREFIX + table.name(), Option.apply(table.schema()));
        String stagingName = table.schema() + "." + CatalogDdl.quoteIdentifier(staging.table());
        spark.sql(ddl.apply(stagingName));
        CatalogTable next;
        try {
            next = catalog.getTableMetadata(staging);
        } catch (org.apache.spark.sql.AnalysisException e) {
            throw new IllegalStateException("serve: the staging view " + stagingName + " just created is missing", e);
        }
        catalog.alterTable(next.copy(target, next.tableType(), next.storage(), next.schema(), next.provider(),
                next.partitionColumnNames(), next.bucketSpec(), next.owner(), next.createTime(), next.lastAccessTime(),
                next.createVersion(), next.properties(), next.stats(), next.viewText(), next.comment(),
                next.unsupportedFeatures(), next.tracksPartitionsInCatalog(), next.schemaPreservesCase(),
                next.ignoredProperties(), next.viewOriginalText()));
        spark.sql("DROP VIEW IF EXISTS " + stagingName);
    }

    private static Set<String> views(SparkSession spark, String database) {
        return spark.sql("SHOW VIEWS IN " + database).collectAsList().stream()
                .filter(row -> !row.getBoolean(2))   // isTemporary
                .map(row -> row.getString(1)).collect(Collectors.toSet());
    }
}
