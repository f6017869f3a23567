"""The README's backfill command on a real Airflow: which runs it creates, and what each of them submits.

`airflow backfill create` (the exact command of dags/README.md) runs against a copy of the tests' metadata
database, so the runs it queues never meet the other tests. The runs must be the nights of the range, each with
the day as its data interval, oldest first, one at a time. Then `airflow tasks test` executes the ingest task of
every backfill run, and of a scheduled night outside the range, with a stand-in `spark-submit` on the PATH that
records its arguments: a backfill run must submit exactly the command the nightly run of its date submits.
Together with the jobs' own backfill test (NightlyReliabilityTest: the same nights rerun on real Spark give every
silver and gold table identical by content) this is the DAG-level backfill: the DAG passes each night through.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

import partnermix_common as pm
from stand_ins import spark_submit_folder

pytestmark = pytest.mark.slow  # runs the airflow CLI a dozen times: left out of bin/test --fast

NIGHTS = ["2026-11-16", "2026-11-17", "2026-11-18"]  # the backfill's range: --from-date the first, --to-date the last
SCHEDULED_NIGHT = "2026-11-25"  # not in the range: its run is a scheduled-style run made by `tasks test`


def airflow(env: dict[str, str], *args: str) -> str:
    out = subprocess.run(["airflow", *args], env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, f"airflow {' '.join(args)}:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out.stdout


@pytest.fixture(scope="module")
def backfill(tmp_path_factory, partnermix_home):
    work = tmp_path_factory.mktemp("backfill")
    database = work / "airflow.db"
    shutil.copyfile(Path(os.environ["AIRFLOW_HOME"]) / "airflow.db", database)  # migrated by run_tests.sh
    fake_bin = spark_submit_folder(work)
    submit_log = work / "submitted.txt"
    env = {
        **os.environ,
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{database}",
        "PATH": f"{fake_bin}{os.pathsep}{os.environ['PATH']}",
        "PARTNERMIX_TEST_SUBMIT_LOG": str(submit_log),
        "PARTNERMIX_HOME": str(partnermix_home),
        "AIRFLOW_CONN_SPARK_DEFAULT": json.dumps({"conn_type": "spark", "host": "local[2]"}),
    }
    airflow(env, "dags", "reserialize")  # what the DAG processor does before a backfill can be planned
    airflow(env, "backfill", "create", "--dag-id", pm.NIGHTLY_DAG_ID, "--from-date", NIGHTS[0],
            "--to-date", NIGHTS[-1], "--max-active-runs", "1", "--reprocess-behavior", "completed")
    with sqlite3.connect(database) as db:
        backfills = db.execute("SELECT dag_id, max_active_runs, reprocess_behavior FROM backfill").fetchall()
        runs = db.execute(
            "SELECT r.run_id, r.run_type, date(r.logical_date), r.data_interval_start, r.data_interval_end,"
            " b.sort_ordinal FROM dag_run r JOIN backfill_dag_run b ON b.dag_run_id = r.id"
            " ORDER BY b.sort_ordinal").fetchall()
    submitted = {}
    for run_id in [r[0] for r in runs] + [SCHEDULED_NIGHT]:
        submit_log.write_text("")
        airflow(env, "tasks", "test", pm.NIGHTLY_DAG_ID, pm.INGEST.task_id, run_id)
        submitted[run_id] = submit_log.read_text().splitlines()
    return {"backfills": backfills, "runs": runs, "submitted": submitted}


def test_the_backfill_queues_one_run_per_night_oldest_first_one_at_a_time(backfill):
    assert backfill["backfills"] == [(pm.NIGHTLY_DAG_ID, 1, "completed")]  # (dag, max active runs, reprocess)
    runs = backfill["runs"]
    assert [(run_type, day, ordinal) for _, run_type, day, _, _, ordinal in runs] == [
        ("backfill", night, i + 1) for i, night in enumerate(NIGHTS)]
    # Each run's data interval is its day, so {{ ds }} is that night.
    assert [(start[:10], end[:10]) for _, _, _, start, end, _ in runs] == [
        ("2026-11-16", "2026-11-17"), ("2026-11-17", "2026-11-18"), ("2026-11-18", "2026-11-19")]


def test_every_backfill_run_submits_the_command_of_the_nightly_run_of_its_date(backfill):
    submitted = backfill["submitted"]
    assert all(len(commands) == 1 for commands in submitted.values()), submitted
    scheduled = submitted[SCHEDULED_NIGHT][0]
    assert f" ingest --date {SCHEDULED_NIGHT} --conf " in scheduled, scheduled
    for (run_id, *_), night in zip(backfill["runs"], NIGHTS):
        # The same spark-submit, the night's date where the scheduled run has its own (the job, --date, the name).
        assert submitted[run_id][0] == scheduled.replace(SCHEDULED_NIGHT, night), run_id
