package com.partnermix.ingest;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

import java.util.Arrays;
import java.util.List;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lead;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.sha2;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

/** Pure steps of the ingest: no paths, no config, Datasets in and out. */
public final class IngestTransforms {

    public static final String DISPOSITION = "disposition";
    public static final String NEW = "new";
    public static final String STORED = "stored";
    public static final String REPLACES_LATER = "replaces_later";
    public static final String DUPLICATE = "duplicate";
    static final String STORED_DELIVERY = "stored_delivery_date";

    private IngestTransforms() {}

    /**
     * Gives each valid row its disposition. {@code duplicate}: a second copy inside this
     * delivery (the first by file and line hash wins, so reruns pick the same one), or a key
     * already stored from an earlier delivery. Otherwise the row is accepted, as {@code new}
     * (key not stored), {@code stored} (stored from this same delivery: a rerun, nothing to
     * write) or {@code replaces_later} (stored from a later delivery ingested first: the earlier
     * delivery wins, so the table does not depend on the order deliveries were ingested in).
     * Counting {@code stored} as accepted keeps a delivery's counts the same when it is rerun.
     *
     * Rows of several delivery days are classified as ingesting the days one by one in date order would: the
     * earliest delivery's copy is the first, a copy delivered later is its day's duplicate.
     *
     * @param storedKeys the key columns plus {@code delivery_date} of what the table holds, or null
     * @param deliveryDate each row's delivery day
     */
    public static Dataset<Row> classifyDuplicates(Dataset<Row> valid, Dataset<Row> storedKeys, List<String> keys,
                                                  Column deliveryDate) {
        Column[] keyCols = keys.stream().map(k -> col(k)).toArray(Column[]::new);
        WindowSpec firstCopy = Window.partitionBy(keyCols)
                .orderBy(deliveryDate, col(ParsedLines.SOURCE_FILE), col(ParsedLines.LINE_HASH));
        Dataset<Row> ranked = valid.withColumn("copy_rank", row_number().over(firstCopy));
        Column stored = lit(null).cast("date");
        if (storedKeys != null) {
            ranked = ranked.join(storedKeys.withColumnRenamed("delivery_date", STORED_DELIVERY),
                    scala.collection.JavaConverters.asScalaBuffer(keys).toSeq(), "left");
            stored = col(STORED_DELIVERY);
        }
        Column today = deliveryDate;
        return ranked.withColumn(DISPOSITION,
                        when(col("copy_rank").gt(1), lit(DUPLICATE))
                                .when(stored.isNull(), lit(NEW))
                                .when(stored.lt(today), lit(DUPLICATE))
                                .when(stored.equalTo(today), lit(STORED))
                                .otherwise(lit(REPLACES_LATER)))
                .drop("copy_rank", STORED_DELIVERY);
    }

    /**
     * The keys whose rows need ranking: delivered more than once in this pass, or already stored. Every other
     * valid row is {@code new}. Only the key columns are shuffled to find them, so a large delivery's whole rows
     * need not be shuffled and sorted to rank the few copies it has. Columns are named {@code rank_<key>}.
     *
     * @param storedKeys the key columns (and maybe more) of what the table holds, or null
     */
    public static Dataset<Row> keysToRank(Dataset<Row> valid, Dataset<Row> storedKeys, List<String> keys) {
        Column[] keyCols = keys.stream().map(k -> col(k)).toArray(Column[]::new);
        Dataset<Row> delivered = valid.select(keyCols).withColumn("in_pass", lit(1));
        if (storedKeys != null) {
            delivered = delivered.unionByName(storedKeys.select(keyCols).withColumn("in_pass", lit(0)));
        }
        return delivered.groupBy(keyCols).agg(sum("in_pass").as("in_pass"), count(lit(1)).as("copies"))
                .where(col("in_pass").geq(1).and(col("copies").gt(1)))
                .select(keys.stream().map(k -> col(k).as("rank_" + k)).toArray(Column[]::new));
    }

    /**
     * {@link #classifyDuplicates(Dataset, Dataset, List, Column)} with the same result, ranking only the rows of
     * {@code keysToRank} (see {@link #keysToRank}); the rest are {@code new}. Null keys match null keys, as in the
     * ranking's window.
     */
    public static Dataset<Row> classifyDuplicates(Dataset<Row> valid, Dataset<Row> storedKeys, List<String> keys,
                                                  Column deliveryDate, Dataset<Row> keysToRank) {
        return rowsDeliveredOnce(valid, keys, keysToRank)
                .unionByName(classifyDuplicates(rowsToRank(valid, keys, keysToRank), storedKeys, keys, deliveryDate));
    }

    /** The valid rows whose key is not among {@code keysToRank}: each is {@code new}. */
    public static Dataset<Row> rowsDeliveredOnce(Dataset<Row> valid, List<String> keys, Dataset<Row> keysToRank) {
        return valid.join(keysToRank, sameKey(keys), "left_anti").withColumn(DISPOSITION, lit(NEW));
    }

    /** The valid rows whose key is among {@code keysToRank}: the ones {@link #classifyDuplicates} must rank. */
    public static Dataset<Row> rowsToRank(Dataset<Row> valid, List<String> keys, Dataset<Row> keysToRank) {
        return valid.join(keysToRank, sameKey(keys), "left_semi");
    }

    private static Column sameKey(List<String> keys) {
        return keys.stream().map(k -> col(k).eqNullSafe(col("rank_" + k))).reduce(Column::and).orElseThrow();
    }

    /**
     * The partner catalog as a slowly changing dimension (type 2) rebuilt from every daily
     * snapshot: a new version starts whenever any attribute changes. {@code valid_to} is
     * exclusive and null while open; a partner missing from the newest snapshot is closed the
     * day after it was last seen. The first version is valid from the partner's joined date (or
     * its first snapshot if earlier) so that older touches still resolve.
     */
    public static Dataset<Row> partnerDimension(Dataset<Row> snapshots) {
        List<String> attributes = Arrays.stream(CsvRecords.PARTNER_SCHEMA.fieldNames())
                .filter(name -> !name.equals("partner_id")).toList();
        Column attributeHash = sha2(to_json(struct(attributes.stream().map(a -> col(a)).toArray(Column[]::new))), 256);
        WindowSpec byPartner = Window.partitionBy("partner_id").orderBy("snapshot_date");
        Dataset<Row> marked = snapshots
                .withColumn("attribute_hash", attributeHash)
                .withColumn("previous_hash", lag("attribute_hash", 1).over(byPartner))
                .withColumn("previous_snapshot", lag("snapshot_date", 1).over(byPartner))
                .withColumn("latest_snapshot", max("snapshot_date").over(Window.partitionBy(lit(1))))
                .withColumn("starts_version", when(col("previous_hash").isNull()
                        .or(col("previous_hash").notEqual(col("attribute_hash"))), 1).otherwise(0))
                .withColumn("version", sum("starts_version").over(byPartner));
        Column[] firstValues = attributes.stream()
                .map(a -> org.apache.spark.sql.functions.first(a).as(a)).toArray(Column[]::new);
        Dataset<Row> versions = marked
                .groupBy(col("partner_id"), col("version"))
                .agg(min("snapshot_date").as("first_seen"), concatAll(max("snapshot_date").as("last_seen"),
                        max("latest_snapshot").as("latest_snapshot"), firstValues));
        WindowSpec versionOrder = Window.partitionBy("partner_id").orderBy("version");
        return versions
                .withColumn("next_version_from", lead("first_seen", 1).over(versionOrder))
                .withColumn("valid_from", when(col("version").equalTo(1), least(col("joined_date"), col("first_seen")))
                        .otherwise(col("first_seen")))
                .withColumn("valid_to", when(col("next_version_from").isNotNull(), col("next_version_from"))
                        .when(col("last_seen").lt(col("latest_snapshot")), date_add(col("last_seen"), 1)))
                .withColumn("is_current", col("valid_to").isNull())
                .select(concatAll(col("partner_id"), col("version"),
                        attributes.stream().map(a -> col(a)).toArray(Column[]::new),
                        col("valid_from"), col("valid_to"), col("is_current"), col("first_seen"), col("last_seen")));
    }

    private static Column[] concatAll(Object... parts) {
        java.util.List<Column> out = new java.util.ArrayList<>();
        for (Object part : parts) {
            if (part instanceof Column c) {
                out.add(c);
            } else {
                out.addAll(Arrays.asList((Column[]) part));
            }
        }
        return out.toArray(Column[]::new);
    }
}
