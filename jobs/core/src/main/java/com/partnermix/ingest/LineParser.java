package com.partnermix.ingest;

import org.apache.spark.sql.Row;

import java.io.Serializable;

/** Turns one landing line into a typed row; throws {@link Rejection}; returns null for a CSV header line. */
@FunctionalInterface
public interface LineParser extends Serializable {
    Row parse(String sourceFile, String line);
}
