package com.partnermix.testing;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/** Small inline fixtures: rows written as JSON objects with a DDL schema. */
public final class Rows {

    private Rows() {}

    public static Dataset<Row> of(SparkSession spark, String ddlSchema, String... jsonRows) {
        return spark.read().schema(ddlSchema).option("mode", "FAILFAST")
                .json(spark.createDataset(Arrays.asList(jsonRows), Encoders.STRING()));
    }

    /** Rows of a dataset rendered as sorted strings, to compare whole tables. */
    public static List<String> sorted(Dataset<Row> rows) {
        return rows.collectAsList().stream().map(Row::toString).sorted().collect(Collectors.toList());
    }
}
