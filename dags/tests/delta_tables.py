"""Reads a Partnermix warehouse with pyspark and prints one JSON line: for the latest version and for
earlier versions of the tables (Delta time travel), the row count and a content digest of every Delta
table, and the data-quality results and the publication rows of one run date.

Run in a process of its own, so that the tests' process holds no JVM:
    python delta_tables.py <warehouse> <jar holding Delta> <run date> [<versions.json>]
versions.json maps <schema>.<table> to an earlier version (see latest_versions); the output then
has "earlier" beside "latest".
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


def latest_versions(warehouse: Path) -> dict[str, int]:
    """The newest commit of every table, from the names of its _delta_log/<version>.json files."""
    return {
        name: max(int(f.stem) for f in (folder / "_delta_log").glob("*.json") if f.stem.isdigit())
        for name, folder in delta_tables(warehouse).items()
    }


def snapshot(spark, tables: dict[str, Path], run_date: str, versions: dict[str, int] | None) -> dict:
    def read(name: str):
        reader = spark.read.format("delta")
        if versions is not None:
            reader = reader.option("versionAsOf", versions[name])
        return reader.load(str(tables[name]))

    names = [n for n in tables if versions is None or n in versions]
    content = {name: count_and_digest(read(name)) for name in names}
    counts = {name: rows for name, (rows, _) in content.items()}
    digests = {name: digest for name, (_, digest) in content.items()}
    dq = {}
    if "dq.check_results" in names:
        rows = (
            read("dq.check_results").where(f"cast(run_date as string) = '{run_date}'")
            .groupBy("layer", "level", "status").count().collect()
        )
        dq = {f"{r['layer']}/{r['level']}/{r['status']}": r["count"] for r in rows}
    published = (read("dq.publications").where(f"cast(run_date as string) = '{run_date}'").count()
                 if "dq.publications" in names else 0)
    return {"counts": counts, "digests": digests, "dq": dq, "published": published}


def count_and_digest(frame) -> tuple[int, str]:
    """Rows and an order-independent digest of their content, as com.partnermix.common.Checksums computes it:
    each row as JSON with its columns in name order, hashed with two seeds, the hashes summed as decimals (no
    overflow; a row delivered twice counts twice). Equal content gives an equal digest whatever files hold it."""
    from pyspark.sql import functions as F

    row_json = F.to_json(F.struct(*[F.col(f"`{c}`") for c in sorted(frame.columns)]))
    row = frame.agg(
        F.count(F.lit(1)),
        F.coalesce(F.sum(F.xxhash64(row_json).cast("decimal(38,0)")), F.lit(0)),
        F.coalesce(F.sum(F.xxhash64(F.lit("partnermix"), row_json).cast("decimal(38,0)")), F.lit(0)),
    ).first()
    schema = ",".join(sorted(f"{f.name}:{f.dataType.simpleString()}" for f in frame.schema.fields))
    return int(row[0]), f"{row[1]}/{row[2]}/{schema}"


def main(warehouse: str, jar: str, run_date: str, versions_file: str | None = None) -> None:
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
        .config("spark.driver.extraJavaOptions", "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC")  # tiny data
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    tables = delta_tables(Path(warehouse))
    latest = snapshot(spark, tables, run_date, None)
    result = {"latest": latest}
    if versions_file:
        earlier = json.loads(Path(versions_file).read_text())
        now = latest_versions(Path(warehouse))
        # A table without a newer commit reads the same at both versions: only the others are read again.
        changed = {name: version for name, version in earlier.items() if now.get(name) != version}
        again = snapshot(spark, tables, run_date, changed)
        result["earlier"] = {
            "counts": {name: again["counts"].get(name, latest["counts"][name]) for name in earlier},
            "digests": {name: again["digests"].get(name, latest["digests"][name]) for name in earlier},
            "dq": again["dq"] if "dq.check_results" in changed
            else latest["dq"] if "dq.check_results" in earlier else {},
            "published": again["published"] if "dq.publications" in changed
            else latest["published"] if "dq.publications" in earlier else 0,
        }
    spark.stop()
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:5])
