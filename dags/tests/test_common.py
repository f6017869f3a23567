"""The helper module's behaviour: the landing check, the spark-submit command built from the
environment, the retry decision on exit codes, the failure hook and the periodic run date."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pendulum
import pytest
from airflow.providers.apache.spark.hooks.spark_submit import SparkSubmitHook
from airflow.sdk.exceptions import AirflowException, AirflowFailException

import partnermix_common as pm
from conftest import declared_nightly_steps

DATE = "2026-11-20"


def landing_with(root: Path, feeds, date: str = DATE, name: str = "part-0000.jsonl") -> Path:
    for feed in feeds:
        folder = root / feed / f"dt={date}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text("{}\n")
    return root


@pytest.fixture
def clean_env(monkeypatch):
    for name in (
        "PARTNERMIX_JAR", "PARTNERMIX_CONF", "PARTNERMIX_LANDING", "PARTNERMIX_WAREHOUSE", "PARTNERMIX_SET",
        "PARTNERMIX_DRIVER_MEMORY", "PARTNERMIX_DRIVER_JAVA_OPTIONS", "PARTNERMIX_EXECUTOR_MEMORY", "PARTNERMIX_EXECUTOR_CORES",
        "PARTNERMIX_NUM_EXECUTORS", "PARTNERMIX_SPARK_CONF", "PARTNERMIX_SPARK_CONN_ID", "PARTNERMIX_POOL",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PARTNERMIX_HOME", "/opt/partnermix")
    return monkeypatch


def test_nightly_steps_follow_the_declared_order_the_java_pipeline_is_checked_against_too():
    """dags/nightly_stages.txt ties NIGHTLY_STEPS to NightlyPipeline.stages() (NightlyStagesOrderTest)."""
    steps = [sorted(s.task_id for s in step) for step in pm.NIGHTLY_STEPS]
    assert steps == [sorted(step) for step in declared_nightly_steps()]


def test_landing_is_ready_when_every_required_feed_has_files_for_the_day(tmp_path, clean_env):
    clean_env.setenv("PARTNERMIX_LANDING", str(landing_with(tmp_path, pm.REQUIRED_FEEDS)))
    assert pm.landing_ready(DATE) is True


def test_landing_waits_for_a_missing_feed_and_ignores_the_optional_spend(tmp_path, clean_env):
    clean_env.setenv("PARTNERMIX_LANDING", str(landing_with(tmp_path, ["touchpoints", "orders", "partners", "spend"])))
    assert pm.landing_ready(DATE) is False


def test_landing_waits_for_the_run_date_not_another_day(tmp_path, clean_env):
    clean_env.setenv("PARTNERMIX_LANDING", str(landing_with(tmp_path, pm.REQUIRED_FEEDS, date="2026-11-19")))
    assert pm.landing_ready(DATE) is False


def test_landing_ignores_empty_folders_and_files_still_being_written(tmp_path, clean_env):
    landing_with(tmp_path, ["touchpoints", "orders", "partners"])
    landing_with(tmp_path, ["fx_rates"], name="_COPYING_fx_rates.csv")
    (tmp_path / "fx_rates" / f"dt={DATE}" / ".fx_rates.csv.tmp").write_text("x")
    clean_env.setenv("PARTNERMIX_LANDING", str(tmp_path))
    assert pm.landing_ready(DATE) is False
    (tmp_path / "fx_rates" / f"dt={DATE}" / "fx_rates.csv").write_text("date,currency,usd_per_unit\n")
    assert pm.landing_ready(DATE) is True


def test_landing_can_be_an_object_store_url(tmp_path, clean_env):
    """URLs go through Airflow's ObjectStoragePath (file:// here; s3:// etc. with their providers)."""
    clean_env.setenv("PARTNERMIX_LANDING", f"file://{landing_with(tmp_path, pm.REQUIRED_FEEDS)}")
    assert pm.landing_ready(DATE) is True
    assert pm.landing_ready("2026-11-21") is False


def test_deployment_defaults_point_into_the_installation_and_leave_the_warehouse_to_the_conf(clean_env):
    d = pm.Deployment.from_env()
    assert d.jar == "/opt/partnermix/target/partnermix-cluster.jar"
    assert d.conf_file == "/opt/partnermix/conf/local.yaml"
    assert d.job_args() == ["--conf", "/opt/partnermix/conf/local.yaml",
                            "--set", "paths.landing=/opt/partnermix/var/landing",
                            "--set", "privacy.allow_demo_salt=false"]
    assert d.spark_conf == {"spark.driver.extraJavaOptions": "-Djdk.reflect.useDirectMethodHandle=false",
                            "spark.driver.memory": "4g"}


def test_deployment_reads_paths_overrides_and_resources_from_the_environment(clean_env):
    clean_env.setenv("PARTNERMIX_JAR", "/jars/pm.jar")
    clean_env.setenv("PARTNERMIX_CONF", "/etc/pm/cluster.yaml")
    clean_env.setenv("PARTNERMIX_LANDING", "s3a://landing")
    clean_env.setenv("PARTNERMIX_WAREHOUSE", "s3a://wh")
    clean_env.setenv("PARTNERMIX_SET", "spark.shuffle_partitions=64  privacy.salt=x")
    clean_env.setenv("PARTNERMIX_EXECUTOR_MEMORY", "8g")
    clean_env.setenv("PARTNERMIX_NUM_EXECUTORS", "10")
    clean_env.setenv("PARTNERMIX_SPARK_CONF", "spark.yarn.queue=etl")
    clean_env.setenv("PARTNERMIX_DRIVER_JAVA_OPTIONS", "-XX:+UseSerialGC -Dx=y")
    d = pm.Deployment.from_env()
    assert d.jar == "/jars/pm.jar"
    assert d.job_args() == [
        "--conf", "/etc/pm/cluster.yaml",
        "--set", "paths.landing=s3a://landing",
        "--set", "paths.warehouse=s3a://wh",
        "--set", "data_quality.metrics_repository=s3a://wh/dq/_deequ_metrics.json",
        "--set", "privacy.allow_demo_salt=false",
        "--set", "spark.shuffle_partitions=64",
        "--set", "privacy.salt=x",
    ]
    assert d.spark_conf["spark.executor.memory"] == "8g"
    assert d.spark_conf["spark.executor.instances"] == "10"
    assert d.spark_conf["spark.yarn.queue"] == "etl"
    assert d.spark_conf["spark.driver.extraJavaOptions"] == \
        "-Djdk.reflect.useDirectMethodHandle=false -XX:+UseSerialGC -Dx=y"


def test_a_malformed_override_is_a_configuration_error_not_a_retry(clean_env):
    clean_env.setenv("PARTNERMIX_SET", "spark.shuffle_partitions")
    with pytest.raises(AirflowFailException, match="not key=value"):
        pm.Deployment.from_env()


@pytest.fixture
def submitted(clean_env, monkeypatch):
    """Runs PartnermixSubmitOperator.execute with spark-submit replaced: returns the command and
    lets a test choose spark-submit's exit code."""
    clean_env.setenv("AIRFLOW_CONN_SPARK_DEFAULT", '{"conn_type": "spark", "host": "local[2]"}')
    clean_env.setenv("PARTNERMIX_WAREHOUSE", "/data/wh")
    outcome = SimpleNamespace(exit_code=0, command=None, env=None)

    def fake_submit(hook, application="", **kwargs):
        outcome.command = hook._build_spark_submit_command(application)
        outcome.env = hook._env
        if outcome.exit_code:
            raise AirflowException(f"Cannot execute: {' '.join(outcome.command)}. Error code is: {outcome.exit_code}.")

    monkeypatch.setattr(SparkSubmitHook, "submit", fake_submit)
    return outcome


def run_stage(stage: pm.Stage) -> None:
    op = pm.PartnermixSubmitOperator(stage=stage, run_date=DATE)
    op.execute(context={})


def test_a_job_is_one_spark_submit_of_the_jar_with_subcommand_date_conf_and_paths(submitted):
    run_stage(pm.DQ_BRONZE)
    cmd = submitted.command
    assert cmd[:3] == ["spark-submit", "--master", "local[2]"]
    assert "spark.driver.extraJavaOptions=-Djdk.reflect.useDirectMethodHandle=false" in cmd
    assert "spark.driver.memory=4g" in cmd
    jar = cmd.index("/opt/partnermix/target/partnermix-cluster.jar")
    assert cmd[jar - 2: jar] == ["--class", "com.partnermix.cli.Main"]
    assert cmd[jar + 1:] == [
        "dq", "--layer", "bronze", "--date", DATE, "--conf", "/opt/partnermix/conf/local.yaml",
        "--set", "paths.landing=/opt/partnermix/var/landing",
        "--set", "paths.warehouse=/data/wh",
        "--set", "data_quality.metrics_repository=/data/wh/dq/_deequ_metrics.json",
        "--set", "privacy.allow_demo_salt=false",  # a scheduled night never runs on the public demo salt
    ]
    assert submitted.env == {"PARTNERMIX_HOME": "/opt/partnermix"}


def test_on_yarn_in_cluster_mode_the_driver_gets_the_home_through_the_application_master(submitted, clean_env):
    clean_env.setenv("AIRFLOW_CONN_SPARK_DEFAULT",
                     '{"conn_type": "spark", "host": "yarn", "extra": {"deploy-mode": "cluster"}}')
    clean_env.setenv("PARTNERMIX_CONF", "s3a://acme/partnermix/conf/cluster.yaml")
    run_stage(pm.JOURNEYS)
    cmd = submitted.command
    assert cmd[:3] == ["spark-submit", "--master", "yarn"]
    assert "spark.yarn.appMasterEnv.PARTNERMIX_HOME=/opt/partnermix" in cmd
    assert cmd[cmd.index("--deploy-mode") + 1] == "cluster"
    # The driver runs on a cluster node: its configuration comes from the cluster's storage.
    assert cmd[cmd.index("--conf", cmd.index("journeys")) + 1] == "s3a://acme/partnermix/conf/cluster.yaml"


def test_a_standalone_master_in_cluster_mode_gets_no_environment_it_would_refuse(submitted, clean_env):
    clean_env.setenv("AIRFLOW_CONN_SPARK_DEFAULT",
                     '{"conn_type": "spark", "host": "spark://master", "port": 7077, "extra": {"deploy-mode": "cluster"}}')
    run_stage(pm.ATTRIBUTE)
    assert submitted.command[:3] == ["spark-submit", "--master", "spark://master:7077"]
    assert not any("PARTNERMIX_HOME" in part for part in submitted.command)


def test_a_second_try_of_the_same_operator_submits_the_same_command(submitted):
    op = pm.PartnermixSubmitOperator(stage=pm.INGEST, run_date=DATE)
    op.execute(context={})
    first = submitted.command
    op.execute(context={})
    assert submitted.command == first


def test_exit_code_2_fails_the_task_without_retries(submitted):
    submitted.exit_code = 2
    with pytest.raises(AirflowFailException, match="exit code 2"):
        run_stage(pm.JOURNEYS)


def test_exit_code_1_is_retried(submitted):
    submitted.exit_code = 1
    with pytest.raises(AirflowException) as raised:
        run_stage(pm.INGEST)
    assert not isinstance(raised.value, AirflowFailException)


def test_the_failure_hook_names_task_run_date_and_log(caplog):
    ti = SimpleNamespace(dag_id="partnermix_nightly", task_id="ingest", try_number=3,
                         log_url="http://airflow/dags/partnermix_nightly/runs/x/tasks/ingest")
    with caplog.at_level(logging.ERROR, logger=pm.log.name):
        pm.log_failure({"ti": ti, "ds": DATE, "exception": RuntimeError("boom")})
    line = caplog.records[-1].getMessage()
    for part in ("partnermix_nightly", "task=ingest", f"run_date={DATE}", "try=3", "boom", ti.log_url):
        assert part in line


def test_the_failure_hook_never_fails_itself():
    class NoUrl:
        dag_id, task_id, try_number = "d", "t", 1

        @property
        def log_url(self):
            raise RuntimeError("no api server configured")

    pm.log_failure({"ti": NoUrl(), "ds": DATE})
    pm.log_failure({})


def test_periodic_jobs_run_for_the_last_day_of_their_interval():
    dag = pm.periodic_dag(
        pm.PeriodicJob("partnermix_test_monthly", "0 0 1 * *", ((pm.DQ_GOLD,),), "test", catchup=True), "doc"
    )
    from airflow.sdk import macros

    end = pendulum.datetime(2026, 12, 1, tz="UTC")
    rendered = dag.get_template_env().from_string(pm.PERIOD_END_DATE).render(data_interval_end=end, macros=macros)
    assert rendered == "2026-11-30"
    assert pm.last_night_of_interval(pendulum.datetime(2026, 11, 1, tz="UTC"), data_interval_end=end) == \
        pendulum.datetime(2026, 11, 30, tz="UTC")
    job = dag.get_task("dq_gold")
    assert job.application_args == ["dq", "--layer", "gold", "--date", pm.PERIOD_END_DATE]
    assert job.upstream_task_ids == {"wait_for_nightly"}
    sensor = dag.get_task("wait_for_nightly")
    assert sensor.external_dag_id == pm.NIGHTLY_DAG_ID and sensor.mode == "reschedule"
    assert dag.catchup is True and dag.max_active_runs == 1 and "periodic" in dag.tags
    assert all(t.retries >= 1 and t.owner == pm.OWNER for t in dag.tasks)


def test_a_pool_from_the_environment_serialises_every_task(clean_env):
    assert "pool" not in pm.default_args()
    clean_env.setenv("PARTNERMIX_POOL", "partnermix")
    assert pm.default_args()["pool"] == "partnermix"


def test_every_stage_has_a_time_limit_and_a_unique_task_id():
    stages = [s for step in pm.NIGHTLY_STEPS for s in step] + list(pm.PLANNED_STAGES)
    assert len({s.task_id for s in stages}) == len(stages)
    assert all(timedelta(0) < s.timeout <= timedelta(hours=6) for s in stages)
