"""End to end: the nightly DAG, run with dag.test() against local Spark, on one generated day.

A temporary landing zone is generated with the all-in jar (300 persons, one day), then the DAG runs
for that date with the jobs' folders moved into the temporary folder through PARTNERMIX_* variables,
and the Spark master from an AIRFLOW_CONN_ variable, exactly as a deployment configures it. Every task
must succeed, the tables must exist, dq.check_results must hold the date's results and publish must pin
every gold table; then every notebook runs on that warehouse. One run: every task is a spark-submit of
its own (about a minute each on two cores). A failing stage and the rerun that repairs it are DAG
behaviour, tested with a stand-in spark-submit (test_nightly_failure.py); that a rerun or a repair gives
identical tables is the jobs' promise, tested on real Spark by the Java suite (NightlyReliabilityTest).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pendulum
import pytest

import partnermix_common as pm

pytestmark = pytest.mark.slow  # spark-submits a whole night: left out of bin/test --fast

RUN_DATE = "2026-11-20"
# For tiny data: no C2 compiler, serial GC. Halves the CPU time of each job on a 2-core machine.
FAST_SMALL_JVM = ["-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"]
# Tiny data: interpreting each query costs less than compiling its generated Java code (a fifth less per job).
SMALL_DATA_SETS = "spark.shuffle_partitions=2 spark.interpret_queries=true"
NIGHTLY_TASKS = ["wait_for_landing", *(s.task_id for step in pm.NIGHTLY_STEPS for s in step)]


def jars(home: Path) -> tuple[Path, Path]:
    all_jar, cluster_jar = home / "target" / "partnermix-all.jar", home / "target" / "partnermix-cluster.jar"
    missing = [str(j) for j in (all_jar, cluster_jar) if not j.is_file()]
    if missing:
        pytest.fail(f"missing {missing}: build them first (mvn -DskipTests package)")
    return all_jar, cluster_jar


def generate_landing(home: Path, all_jar: Path, work: Path) -> None:
    """`generate` with the launcher's JVM flags (the jar's manifest opens the modules Spark needs)."""
    command = [
        "java", "-Xmx2g", *FAST_SMALL_JVM, "-Djdk.reflect.useDirectMethodHandle=false",
        f"-Dlog4j2.configurationFile={home / 'conf' / 'log4j2.properties'}",
        "-jar", str(all_jar),
        "generate", "--date", RUN_DATE, "--days", "1", "--persons", "300",
        "--set", f"paths.landing={work / 'landing'}",
        "--set", f"paths.ground_truth={work / 'truth'}",
        "--set", f"paths.warehouse={work / 'generate-warehouse'}",
        "--set", "spark.shuffle_partitions=2",
    ]
    out = subprocess.run(command, cwd=work, env={**os.environ, "PARTNERMIX_HOME": str(home)},
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]


def read_warehouse(warehouse: Path, cluster_jar: Path) -> dict:
    """Row counts, dq results and publications of the night ("latest")."""
    out = subprocess.run([sys.executable, str(Path(__file__).with_name("delta_tables.py")), str(warehouse),
                          str(cluster_jar), RUN_DATE],
                         cwd=warehouse.parent, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_nightly(dag) -> dict[str, str]:
    """One dag.test() run for RUN_DATE; returns the state of every task."""
    started = time.monotonic()
    run = dag.test(logical_date=pendulum.datetime(2026, 11, 20, tz="UTC"))
    states = {ti.task_id: state_name(ti.state) for ti in run.get_task_instances()}
    print(f"nightly {RUN_DATE}: {state_name(run.state)} in {time.monotonic() - started:.0f} s: {states}")
    return states | {"__run__": state_name(run.state)}


def state_name(state) -> str:
    return str(getattr(state, "value", state))


@pytest.fixture(scope="module")
def night(tmp_path_factory, partnermix_home):
    """Generates the landing zone, runs the nightly DAG for RUN_DATE, reads the warehouse."""
    all_jar, cluster_jar = jars(partnermix_home)
    work = tmp_path_factory.mktemp("nightly")
    generate_landing(partnermix_home, all_jar, work)
    warehouse = work / "warehouse"
    with pytest.MonkeyPatch.context() as env:
        env.chdir(work)  # anything Spark drops in the working directory stays in the temp folder
        env.setenv("PARTNERMIX_HOME", str(partnermix_home))
        env.setenv("PARTNERMIX_JAR", str(cluster_jar))
        env.setenv("PARTNERMIX_LANDING", str(work / "landing"))
        env.setenv("PARTNERMIX_WAREHOUSE", str(warehouse))
        env.setenv("PARTNERMIX_SET", SMALL_DATA_SETS)
        env.setenv("PARTNERMIX_SALT", "dag-e2e-test-salt")  # the DAG refuses the demo salt of conf/local.yaml
        env.setenv("PARTNERMIX_DRIVER_MEMORY", "2g")
        env.setenv("PARTNERMIX_DRIVER_JAVA_OPTIONS", " ".join(FAST_SMALL_JVM))
        env.delenv("PARTNERMIX_CONF", raising=False)
        env.delenv("PARTNERMIX_SPARK_CONN_ID", raising=False)
        env.setenv("AIRFLOW_CONN_SPARK_DEFAULT", json.dumps({"conn_type": "spark", "host": "local[2]"}))
        import partnermix_nightly

        dag = partnermix_nightly.dag
        for task in dag.tasks:  # a failure should fail the test now, not after minutes of retry back-off
            task.retries = 0
        first = run_nightly(dag)
    tables = read_warehouse(warehouse, cluster_jar) if warehouse.is_dir() else {}
    return {"first": first, "after_first": tables.get("latest", {"counts": {}, "dq": {}}), "warehouse": warehouse}


def test_every_nightly_task_succeeds(night):
    assert night["first"] == {**{t: "success" for t in NIGHTLY_TASKS}, "__run__": "success"}


@pytest.mark.parametrize("table", [
    "bronze/touchpoints", "bronze/orders", "bronze/ingest_runs", "silver/dim_partner",
    "silver/journeys", "gold/attribution_credit", "dq/check_results",
])
def test_the_night_writes_delta_tables(night, table):
    assert (night["warehouse"] / table / "_delta_log").is_dir(), sorted(
        str(p.parent.relative_to(night["warehouse"])) for p in night["warehouse"].rglob("_delta_log"))


def test_the_night_ingests_rows(night):
    counts = night["after_first"]["counts"]
    assert counts.get("bronze.touchpoints", 0) > 100
    assert counts.get("bronze.orders", 0) > 0


def test_data_quality_results_are_recorded_for_the_run_date_in_every_layer(night):
    dq = night["after_first"]["dq"]
    layers = {key.split("/")[0] for key in dq}
    assert layers == {"bronze", "silver", "gold"}, dq
    failed_errors = {k: n for k, n in dq.items() if k.split("/")[1:] == ["error", "failed"]}
    assert failed_errors == {}


def test_publish_pins_every_gold_table_the_gate_checked(night):
    counts = night["after_first"]["counts"]
    gold = sorted(name for name in counts if name.startswith("gold."))
    assert len(gold) >= 10, gold
    # One row per gold table written tonight, plus dq.check_results.
    assert night["after_first"]["published"] == len(gold) + 1


def test_every_notebook_runs_on_the_nights_warehouse(night):
    """bin/notebooks (its own pinned virtualenv) executes each notebook against this warehouse; a failing
    cell fails the test. Reuses the nights above instead of building a warehouse of its own."""
    repo = Path(__file__).resolve().parents[2]
    notebooks = sorted(p.name for p in (repo / "notebooks").glob("*.ipynb"))
    out = subprocess.run([str(repo / "bin" / "notebooks"), str(night["warehouse"]), "--no-html"],
                         capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, out.stdout[-6000:] + out.stderr[-3000:]
    ok = [line for line in out.stdout.splitlines() if line.startswith("ok ")]
    assert sorted(line.split()[1] for line in ok) == notebooks, out.stdout
    # Each notebook draws at least one chart from the night's tables (a notebook that only prints "no data" fails).
    charts = {line.split()[1]: int(line.split(", ")[-1].split()[0]) for line in ok}
    # Except the MMM review while the model has not fitted (these few nights are far too few: the mmm stage refuses
    # and writes no table); it then says so and draws nothing, and must draw once a fit exists.
    if not (Path(night["warehouse"]) / "gold" / "mmm_fit" / "_delta_log").is_dir():
        assert charts.pop("mmm_review.ipynb") == 0, charts
    assert all(n >= 1 for n in charts.values()), charts
