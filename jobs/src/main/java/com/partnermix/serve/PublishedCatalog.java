package com.partnermix.serve;

import com.partnermix.common.Table;
import com.partnermix.common.Warehouse;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.types.StructType;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
            spark.sql(CatalogDdl.createView(table.qualifiedName(), wh.path(table), entry.getValue(), current.runDate(),
                    schema, docs.table(table.qualifiedName())));
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

    private static Set<String> views(SparkSession spark, String database) {
        return spark.sql("SHOW VIEWS IN " + database).collectAsList().stream()
                .filter(row -> !row.getBoolean(2))   // isTemporary
                .map(row -> row.getString(1)).collect(Collectors.toSet());
    }
}
