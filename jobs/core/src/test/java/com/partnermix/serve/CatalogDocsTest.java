package com.partnermix.serve;

import com.partnermix.common.Table;
import com.partnermix.common.Tables;
import com.partnermix.dq.DqJob;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CatalogDocsTest {

    private static final CatalogDocs DOCS = CatalogDocs.load(Path.of("conf/catalog.yaml"));

    @Test
    void everyServedTableHasADescriptionAndColumnDescriptions() {
        List<Table> served = new ArrayList<>(Tables.GOLD);
        served.add(Tables.DQ_CHECK_RESULTS);
        for (Table table : served) {
            CatalogDocs.TableDoc doc = DOCS.table(table.qualifiedName());
            assertTrue(doc.description() != null && !doc.description().isBlank(), table + " has no description");
            assertTrue(doc.columns().size() >= 5, table + " documents only " + doc.columns().keySet());
        }
    }

    @Test
    void everyColumnOfTheCheckResultsIsDescribed() {
        for (StructField field : DqJob.RESULT_SCHEMA.fields()) {
            assertTrue(DOCS.table("dq.check_results").column(field.name()) != null, field.name());
        }
    }

    @Test
    void theViewIsPinnedToItsVersionAndCarriesTheCommentsQuoted() {
        CatalogDocs.TableDoc doc = new CatalogDocs.TableDoc("Daily marts.", Map.of("gmv", "Partner's GMV \\ credited"));
        String ddl = CatalogDdl.createView("gold.partner_daily", "/wh/gold/partner_daily", 7, LocalDate.of(2026, 11, 20),
                new StructType().add("date", "date").add("gmv", "double"), doc);
        assertEquals("CREATE OR REPLACE VIEW gold.partner_daily (`date`, `gmv` COMMENT 'Partner\\'s GMV \\\\ credited')"
                + " COMMENT 'Daily marts. (published for 2026-11-20, Delta version 7)'"
                + " TBLPROPERTIES ('partnermix.delta_version' = '7', 'partnermix.run_date' = '2026-11-20')"
                + " AS SELECT * FROM delta.`/wh/gold/partner_daily` VERSION AS OF 7", ddl);
    }
}
