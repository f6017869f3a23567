"""What every Partnermix DAG must satisfy, checked on the DagBag exactly as Airflow loads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pendulum
import pytest
import yaml

import partnermix_common as pm
from conftest import DAGS, declared_nightly_steps

# A chain of single-stage steps (a step of several would need the test below to allow fan-out).
NIGHTLY_CHAIN = ["wait_for_landing", *(stage for step in declared_nightly_steps() for stage in step)]
DAG_FILES = sorted(p for p in DAGS.glob("*.py"))


def expected_dag_ids() -> set[str]:
    return {pm.NIGHTLY_DAG_ID} | {job.dag_id for job in pm.PERIODIC_JOBS if job.steps}


def test_dagbag_loads_without_import_errors(dagbag):
    assert dagbag.import_errors == {}


def test_dagbag_holds_the_nightly_dag_and_the_periodic_dags_whose_jobs_exist(dagbag):
    assert set(dagbag.dag_ids) == expected_dag_ids()


def test_every_dag_has_tags_docs_and_a_run_limit(dagbag):
    for dag_id, dag in dagbag.dags.items():
        assert dag.tags and "partnermix" in dag.tags, dag_id
        assert dag.doc_md and len(dag.doc_md) > 200, dag_id
        assert dag.max_active_runs == 1, dag_id
        assert dag.start_date == pm.START_DATE, dag_id


def test_every_task_has_an_owner_retries_with_backoff_a_time_limit_and_the_failure_hook(dagbag):
    for dag in dagbag.dags.values():
        for task in dag.tasks:
            where = f"{dag.dag_id}.{task.task_id}"
            assert task.owner == pm.OWNER, where
            assert task.retries >= 1, where
            assert task.retry_exponential_backoff > 1, where
            assert task.execution_timeout is not None and task.execution_timeout > timedelta(0), where
            callbacks = task.on_failure_callback
            callbacks = callbacks if isinstance(callbacks, list) else [callbacks]
            assert pm.log_failure in callbacks, where


def test_nightly_runs_the_expected_chain_in_order(dagbag):
    dag = dagbag.get_dag(pm.NIGHTLY_DAG_ID)
    assert sorted(dag.task_ids) == sorted(NIGHTLY_CHAIN)
    for before, after in zip(NIGHTLY_CHAIN, NIGHTLY_CHAIN[1:]):
        assert dag.get_task(before).downstream_task_ids == {after}, before
        assert dag.get_task(after).upstream_task_ids == {before}, after
    assert dag.get_task(NIGHTLY_CHAIN[0]).upstream_task_ids == set()
    assert dag.get_task(NIGHTLY_CHAIN[-1]).downstream_task_ids == set()


def test_nightly_processes_the_day_of_its_data_interval_one_night_at_a_time(dagbag):
    dag = dagbag.get_dag(pm.NIGHTLY_DAG_ID)
    assert type(dag.timetable).__name__ == "CronDataIntervalTimetable"  # ds = the day, not the trigger time
    assert dag.catchup is True
    assert dag.max_active_runs == 1
    # depends_on_past would deadlock a repair: the blocked next night holds the only active slot.
    assert not any(task.depends_on_past for task in dag.tasks)


def test_landing_sensor_reschedules_with_a_timeout(dagbag):
    sensor = dagbag.get_dag(pm.NIGHTLY_DAG_ID).get_task("wait_for_landing")
    assert sensor.mode == "reschedule"
    assert 0 < sensor.poke_interval <= 3600
    assert 0 < sensor.timeout <= 24 * 3600
    assert sensor.op_kwargs == {"ds": "{{ ds }}"}


def test_each_job_task_submits_the_jar_for_the_run_date(dagbag):
    dag = dagbag.get_dag(pm.NIGHTLY_DAG_ID)
    stages = {s.task_id: s for step in pm.NIGHTLY_STEPS for s in step}
    for task_id, stage in stages.items():
        task = dag.get_task(task_id)
        assert isinstance(task, pm.PartnermixSubmitOperator)
        assert task._java_class == pm.MAIN_CLASS
        assert task.application_args == [*stage.args, "--date", "{{ ds }}"]
        assert task.execution_timeout == stage.timeout


def test_planned_stages_are_not_wired_into_any_dag(dagbag):
    planned = {s.task_id for s in pm.PLANNED_STAGES}
    for dag in dagbag.dags.values():
        assert planned.isdisjoint(dag.task_ids), dag.dag_id


def test_periodic_dags_exist_only_for_jobs_that_have_stages(dagbag):
    for job in pm.PERIODIC_JOBS:
        if job.steps:
            dag = dagbag.get_dag(job.dag_id)
            assert dag.task_ids[0] == "wait_for_nightly"
        else:
            assert job.dag_id not in dagbag.dag_ids


@pytest.mark.parametrize("path", DAG_FILES, ids=lambda p: p.name)
def test_dag_files_do_no_work_at_import(path):
    text = path.read_text()
    for forbidden in ("Variable.get", "datetime.now", "utcnow(", "pendulum.now", "date.today", "time.time("):
        assert forbidden not in text, f"{path.name} uses {forbidden}"


def test_dag_files_import_without_the_partnermix_environment_and_without_heavy_modules():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTNERMIX_", "AIRFLOW_CONN_"))}
    probe = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(DAGS)!r})\n"
        "import partnermix_nightly, partnermix_periodic\n"
        "print(json.dumps({'tasks': len(partnermix_nightly.dag.tasks),"
        " 'heavy': sorted(m for m in ('pyspark', 'pandas', 'numpy', 'py4j') if m in sys.modules)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["tasks"] == len(NIGHTLY_CHAIN)
    assert result["heavy"] == []


def data_interval(dag, run_after):
    """The data interval the scheduler gives a run starting at run_after (the SDK timetable only holds the cron)."""
    from airflow.timetables.interval import CronDataIntervalTimetable

    return CronDataIntervalTimetable(dag.timetable.expression, timezone="UTC").infer_manual_data_interval(
        run_after=run_after)


def test_weekly_refit_fits_for_sunday_after_sundays_night(dagbag):
    dag = dagbag.get_dag("partnermix_mmm_refit_weekly")
    assert dag.catchup is False  # only the newest model matters
    refit = dag.get_task("mmm_refit")
    assert refit.application_args == ["mmm", "--refit", "--date", pm.PERIOD_END_DATE]
    assert refit.upstream_task_ids == {"wait_for_nightly"}
    # The interval Monday 2026-11-16 .. Monday 2026-11-23 refits for Sunday the 22nd.
    interval = data_interval(dag, run_after=pendulum.datetime(2026, 11, 23, 6, tz="UTC"))
    assert (interval.start, interval.end) == (pendulum.datetime(2026, 11, 16, tz="UTC"),
                                              pendulum.datetime(2026, 11, 23, tz="UTC"))
    assert pm.last_night_of_interval(interval.start, data_interval_end=interval.end).date().isoformat() == "2026-11-22"


def test_monthly_close_runs_on_the_day_the_previous_month_locks(dagbag):
    dag = dagbag.get_dag("partnermix_commission_close_monthly")
    assert dag.catchup is True  # every month is closed, also one missed while the scheduler was down
    close = dag.get_task("commission_close")
    assert close.application_args == ["commission-close", "--date", pm.PERIOD_END_DATE]
    # October locks 10 days after its last day (marts.lock_days_after_month_end): the run for the interval
    # ending 2026-11-11 closes with run date 2026-11-10, after that night succeeded.
    interval = data_interval(dag, run_after=pendulum.datetime(2026, 11, 11, 6, tz="UTC"))
    assert interval.end == pendulum.datetime(2026, 11, 11, tz="UTC")
    assert pm.last_night_of_interval(interval.start, data_interval_end=interval.end).date().isoformat() == "2026-11-10"
    lock_days = yaml.safe_load((DAGS.parent / "conf" / "business.yaml").read_text())["marts"]["lock_days_after_month_end"]
    assert interval.end.day == lock_days + 1, "the close's cron day must follow marts.lock_days_after_month_end"


def test_weekly_maintain_runs_for_sunday_after_sundays_night_in_the_shared_pool(dagbag, monkeypatch):
    dag = dagbag.get_dag("partnermix_maintain_weekly")
    assert dag.catchup is False and dag.max_active_runs == 1
    assert "periodic" in dag.tags
    maintain = dag.get_task("maintain")
    assert sorted(dag.task_ids) == ["maintain", "wait_for_nightly"]
    assert maintain.application_args == ["maintain", "--date", pm.PERIOD_END_DATE]
    assert maintain.upstream_task_ids == {"wait_for_nightly"}
    assert maintain.execution_timeout == timedelta(hours=4)
    # The interval Monday 2026-11-16 .. Monday 2026-11-23 maintains for Sunday the 22nd, after that night.
    interval = data_interval(dag, run_after=pendulum.datetime(2026, 11, 23, 6, tz="UTC"))
    assert (interval.start, interval.end) == (pendulum.datetime(2026, 11, 16, tz="UTC"),
                                              pendulum.datetime(2026, 11, 23, tz="UTC"))
    assert pm.last_night_of_interval(interval.start, data_interval_end=interval.end).date().isoformat() == "2026-11-22"
    # The same pool as every nightly task: with a one-slot pool it never runs beside a night.
    monkeypatch.setenv("PARTNERMIX_POOL", "partnermix")
    job = next(j for j in pm.PERIODIC_JOBS if j.dag_id == "partnermix_maintain_weekly")
    pooled = pm.periodic_dag(job, doc_md="")
    assert {t.pool for t in pooled.tasks} == {"partnermix"}
