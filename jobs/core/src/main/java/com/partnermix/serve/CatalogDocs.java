package com.partnermix.serve;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The descriptions BI tools show for the served tables (conf/catalog.yaml): per table
 * ({@code gold.partner_daily}) a description and one sentence per column.
 */
public record CatalogDocs(Map<String, TableDoc> tables) {

    public record TableDoc(String description, Map<String, String> columns) {
        public TableDoc {
            columns = columns == null ? Map.of() : new LinkedHashMap<>(columns);
        }

        public String column(String name) {
            return columns.get(name);
        }
    }

    public static CatalogDocs load(Path file) {
        try {
            Map<String, TableDoc> tables = new ObjectMapper(new YAMLFactory())
                    .readValue(Files.readString(file), new TypeReference<LinkedHashMap<String, TableDoc>>() {});
            return new CatalogDocs(tables == null ? Map.of() : tables);
        } catch (IOException e) {
            throw new IllegalArgumentException("Cannot read the catalog descriptions " + file + ": " + e.getMessage(), e);
        }
    }

    /** The table's documentation; an undocumented table is served without comments. */
    public TableDoc table(String qualifiedName) {
        TableDoc doc = tables.get(qualifiedName);
        return doc == null ? new TableDoc(null, Map.of()) : doc;
    }
}
