package com.partnermix.serve;

import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * The statement that registers one published table: a view pinned to its Delta version, so BI
 * tools see the checked data of the last publication, never a half-written night. A view rather than
 * a metastore table because JDBC metadata (getColumns) lists the columns of views but not of Delta
 * tables, and a view can carry the column comments.
 */
public final class CatalogDdl {

    private CatalogDdl() {}

    /**
     * @param table   {@code gold.partner_daily}
     * @param path    the Delta folder
     * @param version the pinned version
     * @param schema  the table's schema at that version (one comment per column, in order)
     */
    public static String createView(String table, String path, long version, LocalDate runDate, StructType schema,
                                    CatalogDocs.TableDoc doc) {
        List<String> columns = new ArrayList<>();
        for (StructField field : schema.fields()) {
            String comment = doc.column(field.name());
            columns.add(quoteIdentifier(field.name()) + (comment == null ? "" : " COMMENT " + literal(comment)));
        }
        String description = doc.description() == null ? "" : doc.description().strip() + " ";
        return "CREATE OR REPLACE VIEW " + table + " (" + String.join(", ", columns) + ")"
                + " COMMENT " + literal(description + "(published for " + runDate + ", Delta version " + version + ")")
                + " TBLPROPERTIES ('partnermix.delta_version' = '" + version + "', 'partnermix.run_date' = '"
                + runDate + "')"
                + " AS SELECT * FROM delta." + quoteIdentifier(path) + " VERSION AS OF " + version;
    }

    /** A Spark SQL string literal. */
    static String literal(String text) {
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    static String quoteIdentifier(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
