"""Shared defaults of the Partnermix DAGs: the stage lists, the spark-submit operator, the landing
sensor, the failure hook and the default arguments.

The DAG files only say which stages run in which order; everything they have in common lives here.
Nothing in this module does work at import time: it defines constants, functions and one operator
class. Deployment values (jar, configuration file, folders, Spark resources) are read from the
environment when a task runs, on the worker, never while the DAG file is parsed (two exceptions below).

Environment (every variable is optional; defaults suit a checkout of the repository):

  PARTNERMIX_HOME            the repository / installation root (default: the folder above dags/)
  PARTNERMIX_JAR             the application jar (default: $PARTNERMIX_HOME/target/partnermix-cluster.jar)
  PARTNERMIX_CONF            the job configuration file (default: $PARTNERMIX_HOME/conf/local.yaml)
  PARTNERMIX_LANDING         the landing zone the sensor watches and ingest reads
                             (default: $PARTNERMIX_HOME/var/landing, the same as conf/local.yaml)
  PARTNERMIX_WAREHOUSE       the warehouse root; when unset the configuration file decides
  PARTNERMIX_SET             more job overrides, whitespace separated key=value items (each one --set)
  PARTNERMIX_DRIVER_MEMORY   spark.driver.memory (default 4g, the launcher's -Xmx4g)
  PARTNERMIX_DRIVER_JAVA_OPTIONS
                             more JVM options of the driver (spark.driver.extraJavaOptions keeps the
                             flag Java 17 needs and appends these)
  PARTNERMIX_EXECUTOR_MEMORY, PARTNERMIX_EXECUTOR_CORES, PARTNERMIX_NUM_EXECUTORS
                             executor resources; passed only when set
  PARTNERMIX_SPARK_CONF      more Spark properties, whitespace separated key=value items
  PARTNERMIX_SPARK_CONN_ID   the Airflow connection naming the Spark master (default spark_default)
  PARTNERMIX_POOL            an Airflow pool for every task, e.g. one with a single slot so that no two
                             Partnermix jobs run at once, whatever DAG or backfill they belong to
                             (default: none)

PARTNERMIX_SPARK_CONN_ID and PARTNERMIX_POOL are read when the DAG file is parsed: operators take
them as plain (untemplated) arguments.
"""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.standard.sensors.external_task import ExternalTaskSensor
from airflow.providers.standard.sensors.python import PythonSensor
from airflow.sdk import DAG, CronDataIntervalTimetable, chain_linear
from airflow.sdk.exceptions import AirflowException, AirflowFailException

log = logging.getLogger(__name__)

MAIN_CLASS = "com.partnermix.cli.Main"
OWNER = "partnermix-data"
NIGHTLY_DAG_ID = "partnermix_nightly"

# The first night the scheduler runs on its own. Older nights are run with `airflow backfill create`.
START_DATE = pendulum.datetime(2026, 11, 1, tz="UTC")

# Feeds that must be in the landing zone before a night can start (spend and experiments are optional:
# docs/stages/ingest.md, "The landing contract").
REQUIRED_FEEDS = ("touchpoints", "orders", "partners", "fx_rates")

# The run date the jobs get. Nightly: the day the data interval covers. Periodic (weekly, monthly): the
# last day of the interval, so a job reads the week or month that has just ended.
RUN_DATE = "{{ ds }}"
PERIOD_END_DATE = "{{ macros.ds_add(data_interval_end | ds, -1) }}"

# Spark 3.5.7's launcher adds Spark's own --add-opens list (and this flag) to the driver JVM by itself
# (checked with SPARK_PRINT_LAUNCH_COMMAND=1); the flag is still passed, as docs/operations.md says,
# for clusters whose Spark launcher predates it.
DRIVER_JAVA_OPTIONS = "-Djdk.reflect.useDirectMethodHandle=false"


# ---------------------------------------------------------------------------------------------------
# Stages: one task id, the subcommand with its arguments (the run date is appended), a time limit.
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One job of the pipeline: a task id, the subcommand and its arguments, and a time limit."""

    task_id: str
    args: tuple[str, ...]
    timeout: timedelta = timedelta(hours=1)


INGEST = Stage("ingest", ("ingest",), timedelta(hours=2))
DQ_BRONZE = Stage("dq_bronze", ("dq", "--layer", "bronze"), timedelta(minutes=45))
JOURNEYS = Stage("journeys", ("journeys",), timedelta(hours=2))
DQ_SILVER = Stage("dq_silver", ("dq", "--layer", "silver"), timedelta(minutes=45))
ATTRIBUTE = Stage("attribute", ("attribute",), timedelta(hours=3))
DQ_GOLD = Stage("dq_gold", ("dq", "--layer", "gold"), timedelta(minutes=45))

FRAUD = Stage("fraud", ("fraud",), timedelta(hours=2))
MMM = Stage("mmm", ("mmm",), timedelta(hours=1))  # nightly: fits when mmm.refit says so (nightly, weekly, scheduled)
MARTS = Stage("marts", ("marts",), timedelta(hours=1))
# Write, check, then publish: readers see the gold versions the gold gate passed, pinned by `publish`;
# a night that fails before it leaves them on the previous night.
PUBLISH = Stage("publish", ("publish",), timedelta(minutes=30))
MMM_REFIT = Stage("mmm_refit", ("mmm", "--refit"), timedelta(hours=4))  # fits whatever mmm.refit says
COMMISSION_CLOSE = Stage("commission_close", ("commission-close",), timedelta(hours=2))
# OPTIMIZE and VACUUM of every table, keeping the published versions readable; old scratch checkpoints.
MAINTAIN = Stage("maintain", ("maintain",), timedelta(hours=4))

# Stages defined but not wired into any DAG yet (a test checks that none is wired). Empty: every job has landed.
PLANNED_STAGES: tuple[Stage, ...] = ()

# The nightly order after the landing sensor. Each line is a step; the stages of one step run side by
# side, and each step starts when the whole step before it has succeeded. When a job lands, adding it
# is one line in this list.
NIGHTLY_STEPS: tuple[tuple[Stage, ...], ...] = (
    (INGEST,),
    (DQ_BRONZE,),
    (JOURNEYS,),
    (DQ_SILVER,),
    (ATTRIBUTE,),
    (FRAUD,),      # after attribute: it writes the *_adjusted models into the same credit table
    (MMM,),        # refits nightly or weekly as mmm.refit says; too little data is reported, not a failure
    (MARTS,),      # marts and commission statements from the night's credit, fraud flags and MMM
    (DQ_GOLD,),
    (PUBLISH,),
)


@dataclass(frozen=True)
class PeriodicJob:
    """A DAG for heavier work on a longer schedule, run after the nightly run of the interval's last day."""

    dag_id: str
    cron: str  # the data interval: the job runs when it ends, for its last day
    steps: tuple[tuple[Stage, ...], ...]
    doc: str
    catchup: bool = False


# A periodic DAG is defined only while it has stages (a DAG with no task would have the scheduler
# record empty "successful" refits). Adding a stage when its job lands is one line: uncomment it.
PERIODIC_JOBS = (
    PeriodicJob(
        "partnermix_mmm_refit_weekly",
        "0 0 * * 1",  # Monday to Monday (ISO weeks): refits after Sunday's night
        steps=((MMM_REFIT,),),
        doc="Refits the media mix model on the window up to the run date (the week's last day). With this DAG on, "
        "set `mmm.refit: scheduled` so that the nightly `mmm` step does not fit as well.",
        catchup=False,  # only the latest model matters: a missed week is not refitted twice in a row
    ),
    PeriodicJob(
        "partnermix_commission_close_monthly",
        # From the 11th to the 11th: the run date is the 10th, the day the previous month's statement locks
        # (marts.lock_days_after_month_end: 10). Keep the day one after the lock days when changing them.
        "0 0 11 * *",
        steps=((COMMISSION_CLOSE,),),
        doc="Closes the commission months locked by the run date (the 10th: the previous month locks "
        "`marts.lock_days_after_month_end` = 10 days after its last day) into gold.commission_closings.",
        catchup=True,  # every month must be closed, also one missed while the scheduler was down
    ),
    PeriodicJob(
        "partnermix_maintain_weekly",
        "0 0 * * 1",  # Monday to Monday: after Sunday's night, a day before Monday's night starts
        steps=((MAINTAIN,),),
        doc="Table upkeep for the week up to the run date (Sunday): OPTIMIZE every table (Z-order by its join keys), "
        "VACUUM it with a retention that keeps the kept publications readable and `maintain.retention_hours`, and "
        "delete the scratch checkpoints of crashed runs. It never changes table content. With a one-slot "
        "`PARTNERMIX_POOL` it never runs beside a night or another periodic job; without one, keep "
        "`maintain.retention_hours` at 168 (Delta's guard for writers that have not committed yet).",
        catchup=False,  # one pass over the current tables is all a missed week needs
    ),
)


# ---------------------------------------------------------------------------------------------------
# Defaults
# ---------------------------------------------------------------------------------------------------


def log_failure(context: dict[str, Any]) -> None:
    """Failure hook of every task: one log line naming the task, the run date and the log.

    This is where alerting plugs in (a chat message, a page, a ticket): it has what a person needs
    to find the failed night and repair it (clear the task; jobs are idempotent).
    """
    ti = context.get("ti") or context.get("task_instance")
    dag_id = getattr(ti, "dag_id", None) or getattr(context.get("dag"), "dag_id", "?")
    task_id = getattr(ti, "task_id", "?")
    try_number = getattr(ti, "try_number", "?")
    try:
        log_url = ti.log_url if ti is not None else "?"
    except Exception:  # a log URL needs the API server's base URL; never let the hook itself fail
        log_url = "?"
    log.error(
        "Partnermix task failed: dag=%s task=%s run_date=%s try=%s error=%s log=%s",
        dag_id,
        task_id,
        context.get("ds"),
        try_number,
        context.get("exception"),
        log_url,
    )


def default_args(**overrides: Any) -> dict[str, Any]:
    """Default arguments of every Partnermix task: owner, retries with back-off, a time limit, the hook."""
    args: dict[str, Any] = {
        "owner": OWNER,
        "retries": 2,
        "retry_delay": timedelta(minutes=5),
        "retry_exponential_backoff": 2.0,  # 5 min, then 10 min
        "max_retry_delay": timedelta(hours=1),
        "execution_timeout": timedelta(hours=2),  # stages set their own
        "on_failure_callback": log_failure,
        "depends_on_past": False,
    }
    if _env("PARTNERMIX_POOL"):
        args["pool"] = _env("PARTNERMIX_POOL")
    args.update(overrides)
    return args


# ---------------------------------------------------------------------------------------------------
# Environment, read when a task runs
# ---------------------------------------------------------------------------------------------------


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def partnermix_home() -> str:
    return _env("PARTNERMIX_HOME") or str(Path(__file__).resolve().parent.parent)


def landing_path() -> str:
    return _env("PARTNERMIX_LANDING") or f"{partnermix_home()}/var/landing"


def spark_conn_id() -> str:
    return _env("PARTNERMIX_SPARK_CONN_ID") or "spark_default"


def _items(name: str) -> list[str]:
    """key=value items of a whitespace separated variable; a malformed item is a configuration error."""
    items = (_env(name) or "").split()
    for item in items:
        if "=" not in item or item.startswith("="):
            raise AirflowFailException(f"{name}: '{item}' is not key=value")
    return items


@dataclass(frozen=True)
class Deployment:
    """Where the jar, the configuration and the folders are, and what Spark resources a job gets."""

    home: str
    jar: str
    conf_file: str
    landing: str
    warehouse: str | None
    job_sets: tuple[str, ...]
    spark_conf: dict[str, str]

    @classmethod
    def from_env(cls) -> Deployment:
        home = partnermix_home()
        java_options = " ".join(filter(None, [DRIVER_JAVA_OPTIONS, _env("PARTNERMIX_DRIVER_JAVA_OPTIONS")]))
        spark_conf = {"spark.driver.extraJavaOptions": java_options}
        for var, key in (
            ("PARTNERMIX_DRIVER_MEMORY", "spark.driver.memory"),
            ("PARTNERMIX_EXECUTOR_MEMORY", "spark.executor.memory"),
            ("PARTNERMIX_EXECUTOR_CORES", "spark.executor.cores"),
            ("PARTNERMIX_NUM_EXECUTORS", "spark.executor.instances"),
        ):
            if _env(var):
                spark_conf[key] = _env(var)
        spark_conf.setdefault("spark.driver.memory", "4g")
        for item in _items("PARTNERMIX_SPARK_CONF"):
            key, value = item.split("=", 1)
            spark_conf[key] = value
        return cls(
            home=home,
            jar=_env("PARTNERMIX_JAR") or f"{home}/target/partnermix-cluster.jar",
            conf_file=_env("PARTNERMIX_CONF") or f"{home}/conf/local.yaml",
            landing=landing_path(),
            warehouse=_env("PARTNERMIX_WAREHOUSE"),
            job_sets=tuple(_items("PARTNERMIX_SET")),
            spark_conf=spark_conf,
        )

    def job_args(self) -> list[str]:
        """Arguments after the subcommand and its date: the configuration file and the overrides.

        The landing zone is always passed, so the sensor watches the very folder ingest reads. The
        warehouse is passed only when set (a cluster configuration names its object store); the
        data-quality metrics repository moves with it, or reruns would compare against another
        warehouse's history. The demo salt is always refused (privacy.allow_demo_salt=false).
        """
        sets = [f"paths.landing={self.landing}"]
        if self.warehouse:
            sets += [
                f"paths.warehouse={self.warehouse}",
                f"data_quality.metrics_repository={self.warehouse}/dq/_deequ_metrics.json",
            ]
        # A scheduled night never hashes personal data with the public demo salt of conf/local.yaml: ingest
        # stops with exit code 2 unless PARTNERMIX_SALT reaches the driver (see dags/README.md, "The salt").
        sets += ["privacy.allow_demo_salt=false"]
        sets += self.job_sets
        args = ["--conf", self.conf_file]
        for item in sets:
            args += ["--set", item]
        return args


# ---------------------------------------------------------------------------------------------------
# Operators
# ---------------------------------------------------------------------------------------------------

# The provider's message when spark-submit exits non-zero ends with "Error code is: N."
_EXIT_CODE = re.compile(r"Error code is: (\d+)")
USAGE_ERROR_EXIT = 2


class PartnermixSubmitOperator(SparkSubmitOperator):
    """spark-submit of one Partnermix subcommand for the run date.

    The jar, configuration file, folders and resources come from the environment when the task runs
    (see the module docstring), the master from the Airflow connection. Exit code 2 (a usage or
    configuration error, e.g. an unknown subcommand) fails the task without retries: a retry cannot
    fix it. Exit code 1 (a run that stopped) and anything else are retried with back-off. In cluster
    deploy mode spark-submit may not forward the driver's exit code; there a failure is retried.
    """

    def __init__(self, *, stage: Stage, run_date: str = RUN_DATE, **kwargs: Any) -> None:
        kwargs.setdefault("execution_timeout", stage.timeout)
        super().__init__(
            task_id=stage.task_id,
            conn_id=spark_conn_id(),
            java_class=MAIN_CLASS,
            application_args=[*stage.args, "--date", run_date],
            name=f"partnermix-{stage.task_id}-{run_date}",
            **kwargs,
        )
        self.stage = stage

    def _get_hook(self) -> Any:
        hook = super()._get_hook()
        # A standalone master in cluster deploy mode takes no environment for the driver (spark-submit refuses
        # it); there the cluster nodes' own environment sets PARTNERMIX_HOME. On YARN and Kubernetes the
        # provider passes env_vars as spark.yarn.appMasterEnv.* / spark.kubernetes.driverEnv.*.
        if hook._connection.get("deploy_mode") == "cluster" and not (hook._is_yarn or hook._is_kubernetes):
            hook._env_vars = None
        return hook

    def execute(self, context: Any) -> None:
        deployment = Deployment.from_env()
        self.application = deployment.jar
        # The rendered subcommand and date, then the deployment's arguments. Slicing keeps this right
        # when the same operator object runs a second try (dag.test() reuses it).
        own_args = self.application_args[: len(self.stage.args) + 2]
        self.application_args = [*own_args, *deployment.job_args()]
        self.conf = {**deployment.spark_conf, **(self.conf or {})}
        # The job reads PARTNERMIX_HOME for the default configuration and the data-quality checks.
        self.env_vars = {**(self.env_vars or {}), "PARTNERMIX_HOME": deployment.home}
        self._hook = None  # a hook built for this try's arguments
        try:
            super().execute(context)
        except AirflowException as e:
            match = _EXIT_CODE.search(str(e))
            if match and int(match.group(1)) == USAGE_ERROR_EXIT:
                raise AirflowFailException(
                    f"{self.stage.task_id}: exit code 2, a usage or configuration error (is the "
                    f"subcommand '{self.stage.args[0]}' in {deployment.jar}?); not retried: {e}"
                ) from e
            raise


def landing_ready(ds: str) -> bool:
    """True when every required feed has a dt=<ds> folder holding at least one file.

    Files whose names start with '.' or '_' are ignored (uploads in progress, markers). The landing
    zone may be a local folder or an object-store URL (then the matching Airflow provider is needed).
    """
    root = landing_path()
    missing = []
    for feed in REQUIRED_FEEDS:
        if not _holds_files(root, f"{feed}/dt={ds}"):
            missing.append(feed)
    if missing:
        log.info("landing %s: waiting for dt=%s of %s", root, ds, ", ".join(missing))
        return False
    log.info("landing %s: dt=%s has every required feed (%s)", root, ds, ", ".join(REQUIRED_FEEDS))
    return True


def _holds_files(root: str, relative: str) -> bool:
    if "://" in root:
        from airflow.sdk import ObjectStoragePath  # only for object stores, at run time

        folder: Any = ObjectStoragePath(f"{root.rstrip('/')}/{relative}")
    else:
        folder = Path(root) / relative
    if not folder.is_dir():
        return False
    return any(f.is_file() and not f.name.startswith((".", "_")) for f in folder.iterdir())


def landing_sensor(task_id: str = "wait_for_landing") -> PythonSensor:
    """Waits (without holding a worker slot) for the day's required feeds."""
    return PythonSensor(
        task_id=task_id,
        python_callable=landing_ready,
        op_kwargs={"ds": RUN_DATE},
        poke_interval=timedelta(minutes=10),
        timeout=timedelta(hours=8),  # feeds still missing 8 hours after midnight: fail and alert
        mode="reschedule",
        execution_timeout=timedelta(minutes=5),  # one poke; `timeout` bounds the whole wait
    )


def nightly_tasks() -> None:
    """The nightly graph, inside a `with DAG(...)` block: the landing sensor, then NIGHTLY_STEPS."""
    chain_linear(
        landing_sensor(),
        *[[PartnermixSubmitOperator(stage=s) for s in step] for step in NIGHTLY_STEPS],
    )


def periodic_dag(job: PeriodicJob, doc_md: str) -> DAG:
    """The DAG of one periodic job: wait for the interval's last night, then the job's steps."""
    with DAG(
        dag_id=job.dag_id,
        doc_md=f"{job.doc}\n\n{doc_md}",
        schedule=CronDataIntervalTimetable(job.cron, timezone="UTC"),
        start_date=START_DATE,
        catchup=job.catchup,
        max_active_runs=1,
        default_args=default_args(),
        tags=["partnermix", "periodic", "spark"],
    ) as dag:
        periodic_tasks(job)
    return dag


def periodic_tasks(job: PeriodicJob) -> None:
    """A periodic graph, inside a `with DAG(...)` block: wait for the last night, then the steps."""
    chain_linear(
        ExternalTaskSensor(
            task_id="wait_for_nightly",
            external_dag_id=NIGHTLY_DAG_ID,
            external_task_id=None,  # the whole nightly run of the interval's last day
            execution_date_fn=last_night_of_interval,
            allowed_states=["success"],
            failed_states=["failed"],
            poke_interval=timedelta(minutes=15),
            timeout=timedelta(hours=12),
            mode="reschedule",
            execution_timeout=timedelta(minutes=5),  # one poke; `timeout` bounds the whole wait
        ),
        *[[PartnermixSubmitOperator(stage=s, run_date=PERIOD_END_DATE) for s in step] for step in job.steps],
    )


def last_night_of_interval(logical_date: Any, data_interval_end: Any = None, **_: Any) -> Any:
    """The nightly run (logical date) of a periodic interval's last day."""
    return data_interval_end - timedelta(days=1)
