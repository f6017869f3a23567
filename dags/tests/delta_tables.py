"""Reads a Partnermix warehouse with pyspark and prints one JSON line: the row count of every Delta
table, and the data-quality results and the publication rows of one run date.

Run in a process of its own, so that the tests' process holds no JVM:
    python delta_tables.py <warehouse> <jar holding Delta> <run date>
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def delta_tables(warehouse: Path) -> dict[str, Path]:
    """<schema>.<table> -> folder, for every folder holding a _delta_log."""
    return {
        ".".join(log.parent.relative_to(warehouse).parts): log.parent
        for log in sorted(warehouse.rglob("_delta_log"))
    }


def snapshot(spark, tables: dict[str, Path], run_date: str) -> dict:
    def read(name: str):
        return spark.read.format("delta").load(str(tables[name]))

    counts = {name: read(name).count() for name in tables}
    dq = {}
    if "dq.check_results" in tables:
        rows = (
            read("dq.check_results").where(f"cast(run_date as string) = '{run_date}'")
            .groupBy("layer", "level", "status").count().collect()
        )
        dq = {f"{r['layer']}/{r['level']}/{r['status']}": r["count"] for r in rows}
    published = (read("dq.publications").where(f"cast(run_date as string) = '{run_date}'").count()
                 if "dq.publications" in tables else 0)
    return {"counts": counts, "dq": dq, "published": published}


def main(warehouse: str, jar: str, run_date: str) -> None:
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("partnermix-dag-test-reader")
        .config("spark.jars", jar)
        .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
        .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.databricks.delta.snapshotPartitions", "1")  # Delta's default of 50 tasks per table load
        .config("spark.sql.codegen.wholeStage", "false")  # tiny data: interpreting beats compiling
        .config("spark.sql.codegen.factoryMode", "NO_CODEGEN")
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")  # tiny data
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    tables = delta_tables(Path(warehouse))
    result = {"latest": snapshot(spark, tables, run_date)}
    spark.stop()
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:4])
