package com.partnermix.ingest;

import com.partnermix.testing.SparkTestBase;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

import java.sql.Date;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.junit.jupiter.api.Assertions.assertEquals;

class IngestTransformsTest extends SparkTestBase {

    private static final Date D1 = Date.valueOf("2026-11-19");
    private static final Date D2 = Date.valueOf("2026-11-20");
    private static final List<String> KEYS = List.of("k1", "k2");

    private static Dataset<Row> delivered() {
        StructType schema = new StructType().add("k1", "string").add("k2", "string").add("delivery_date", "date")
                .add(ParsedLines.SOURCE_FILE, "string").add(ParsedLines.LINE_HASH, "long").add("id", "int");
        return spark().createDataFrame(List.of(
                RowFactory.create("a", "x", D1, "f1", 1L, 1),    // two copies in one delivery: f1 comes first
                RowFactory.create("a", "x", D1, "f2", 0L, 2),
                RowFactory.create("b", null, D1, "f1", 5L, 3),   // a null key part, delivered on both days
                RowFactory.create("b", null, D2, "f1", 3L, 4),
                RowFactory.create("c", "y", D2, "f1", 7L, 5),    // stored from an earlier delivery
                RowFactory.create("d", "y", D1, "f1", 8L, 6),    // stored from this delivery (a rerun)
                RowFactory.create("e", "y", D1, "f1", 9L, 7),    // stored from a later delivery ingested first
                RowFactory.create("f", "y", D2, "f1", 2L, 8),
                RowFactory.create("g", null, D1, "f1", 4L, 9)), schema);
    }

    private static Dataset<Row> stored() {
        StructType schema = new StructType().add("k1", "string").add("k2", "string").add("delivery_date", "date");
        return spark().createDataFrame(List.of(RowFactory.create("c", "y", D1), RowFactory.create("d", "y", D1),
                RowFactory.create("e", "y", D2), RowFactory.create("z", "z", D1)), schema);
    }

    private static List<String> dispositions(Dataset<Row> classified) {
        return classified.orderBy("id").select("id", IngestTransforms.DISPOSITION).collectAsList().stream()
                .map(Row::toString).toList();
    }

    private static final List<String> EXPECTED = List.of("[1,new]", "[2,duplicate]", "[3,new]", "[4,duplicate]",
            "[5,duplicate]", "[6,stored]", "[7,replaces_later]", "[8,new]", "[9,new]");

    @Test
    void onlyKeysDeliveredTwiceOrAlreadyStoredAreRanked() {
        List<String> toRank = IngestTransforms.keysToRank(delivered(), stored(), KEYS).orderBy("rank_k1")
                .collectAsList().stream().map(Row::toString).toList();

        assertEquals(List.of("[a,x]", "[b,null]", "[c,y]", "[d,y]", "[e,y]"), toRank);
    }

    @Test
    void rankingOnlyThoseKeysGivesEveryRowTheDispositionOfRankingThemAll() {
        Dataset<Row> toRank = IngestTransforms.keysToRank(delivered(), stored(), KEYS);

        assertEquals(EXPECTED, dispositions(
                IngestTransforms.classifyDuplicates(delivered(), stored(), KEYS, col("delivery_date"))));
        assertEquals(EXPECTED, dispositions(
                IngestTransforms.classifyDuplicates(delivered(), stored(), KEYS, col("delivery_date"), toRank)));
    }
}
