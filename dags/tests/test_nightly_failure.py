"""A night whose job fails, on a real Airflow (dag.test()) with a stand-in `spark-submit` (stand_ins.py) on the PATH.

What the DAG promises when a stage dies: the stages after it are not run (upstream_failed), so neither the
gold gate nor publish runs and BI stays on the last publication; rerunning the DAG run repairs the night by
submitting every stage again with exactly the commands of a clean night. What the jobs promise in that case
(the published versions stay, a rerun gives identical tables) is tested on real Spark by the Java suite
(NightlyReliabilityTest); the real-Spark night through this DAG is test_nightly_e2e.py.
"""

from __future__ import annotations

import json
import os

import pendulum
import pytest

import partnermix_common as pm
from stand_ins import spark_submit_folder

RUN_DATE = "2026-11-21"
TASKS_BEFORE = ["wait_for_landing", "ingest", "dq_bronze", "journeys", "dq_silver"]
TASKS_AFTER = ["fraud", "mmm", "marts", "dq_gold", "publish"]


def run_nightly(dag) -> dict[str, str]:
    run = dag.test(logical_date=pendulum.parse(RUN_DATE))
    states = {ti.task_id: str(getattr(ti.state, "value", ti.state)) for ti in run.get_task_instances()}
    return states | {"__run__": str(getattr(run.state, "value", run.state))}


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    work = tmp_path_factory.mktemp("failing-night")
    for feed in pm.REQUIRED_FEEDS:
        folder = work / "landing" / feed / f"dt={RUN_DATE}"
        folder.mkdir(parents=True)
        (folder / "part-0000.jsonl").write_text("{}\n")
    fake_bin = spark_submit_folder(work)
    submitted = work / "submitted.txt"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PATH", f"{fake_bin}:{os.environ['PATH']}")
        env.setenv("PARTNERMIX_TEST_SUBMIT_LOG", str(submitted))
        env.setenv("PARTNERMIX_HOME", "/opt/partnermix")
        env.setenv("PARTNERMIX_LANDING", str(work / "landing"))
        env.setenv("PARTNERMIX_WAREHOUSE", str(work / "warehouse"))
        for name in ("PARTNERMIX_JAR", "PARTNERMIX_CONF", "PARTNERMIX_SET", "PARTNERMIX_SPARK_CONN_ID"):
            env.delenv(name, raising=False)
        env.setenv("AIRFLOW_CONN_SPARK_DEFAULT", json.dumps({"conn_type": "spark", "host": "local[2]"}))
        import partnermix_nightly

        dag = partnermix_nightly.dag
        for task in dag.tasks:  # the failure must show now, not after minutes of retry back-off
            task.retries = 0
        env.setenv("PARTNERMIX_TEST_FAILING_STAGE", "attribute")
        failed = run_nightly(dag)
        failed_submits = submitted.read_text().splitlines()
        submitted.unlink()
        env.setenv("PARTNERMIX_TEST_FAILING_STAGE", "")
        repaired = run_nightly(dag)
        repaired_submits = submitted.read_text().splitlines()
        submitted.unlink()
        clean = run_nightly(dag)
        clean_submits = submitted.read_text().splitlines()
    return {"failed": failed, "repaired": repaired, "clean": clean,
            "failed_submits": failed_submits, "repaired_submits": repaired_submits, "clean_submits": clean_submits}


def stage_of(command: str) -> str:
    """The subcommand: the word after the jar."""
    words = command.split()
    return words[next(i for i, w in enumerate(words) if w.endswith(".jar")) + 1]


def test_a_failing_stage_stops_the_night_before_the_gate_and_publish(nights):
    failed = nights["failed"]
    assert failed["__run__"] == "failed"
    assert {t: failed[t] for t in TASKS_BEFORE} == {t: "success" for t in TASKS_BEFORE}
    assert failed["attribute"] == "failed"
    assert {t: failed[t] for t in TASKS_AFTER} == {t: "upstream_failed" for t in TASKS_AFTER}
    # Nothing after the failing stage was submitted: publish never ran, readers keep the last publication.
    assert [stage_of(c) for c in nights["failed_submits"]] == ["ingest", "dq", "journeys", "dq", "attribute"]


def test_rerunning_the_night_submits_every_stage_again_as_a_clean_night_does(nights):
    assert nights["repaired"]["__run__"] == "success"
    assert set(nights["repaired"].values()) == {"success"}
    assert [stage_of(c) for c in nights["repaired_submits"]] == [
        "ingest", "dq", "journeys", "dq", "attribute", "fraud", "mmm", "marts", "dq", "publish"]
    # Same commands, same order: the jobs are idempotent per date, so the repaired night equals a clean one.
    assert nights["repaired_submits"] == nights["clean_submits"]
