"""
### Partnermix nightly

One run per day: the **run date** is the day the data interval covers (`{{ ds }}`), never the clock.
The run for 2026-11-20 starts at 2026-11-21 00:00 UTC and processes the landing folders
`dt=2026-11-20`.

`wait_for_landing` -> `ingest` -> `dq_bronze` -> `journeys` -> `dq_silver` -> `attribute` -> `fraud` ->
`mmm` -> `marts` -> `dq_gold` -> `publish`

- `wait_for_landing` waits (reschedule mode, up to 8 h) until the required feeds (touchpoints,
  orders, partners, fx_rates) have a `dt=<run date>` folder holding files.
- Every other task is one `spark-submit` of the project's jar: `<subcommand> --date <run date>`.
  The `dq_*` tasks are the data-quality gates: an error-level check failing stops the night.
- Write, check, then publish: the jobs write the gold tables, `dq_gold` checks them, and `publish`
  pins the versions the gate passed in `dq.publications`. BI (the `serve` endpoint) and the notebooks
  read only the pinned versions, so a night that fails or is killed before `publish` leaves readers
  on the previous night's gold, whole and unchanged. Clearing and rerunning the night repairs it.
- The stage list is `NIGHTLY_STEPS` in `partnermix_common.py`.

**Catchup is on, on purpose**, with `max_active_runs=1`: nights run one at a time and in date
order, never side by side (they write shared Delta tables, and journeys look back over earlier
days). A night missed while the scheduler was down is run afterwards; older dates are loaded with
`airflow backfill create ... --max-active-runs 1`. Every job rewrites exactly its date's slice, so
rerunning or backfilling a date gives the same tables.

`depends_on_past` is off on purpose: with it, the night after a failed one would sit blocked in the
single active slot, and the cleared failed night could never start again (a deadlock).

Repair a failed night: fix the cause, then clear that night and the nights after it (they read what
it writes): the cleared runs run again one at a time, in date order. Environment, connection,
backfill and repair: `dags/README.md`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, CronDataIntervalTimetable

import partnermix_common as pm

with DAG(
    dag_id=pm.NIGHTLY_DAG_ID,
    doc_md=__doc__,
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),  # interval = the day; ds = that day
    start_date=pm.START_DATE,
    catchup=True,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=20),
    default_args=pm.default_args(),
    tags=["partnermix", "nightly", "spark"],
) as dag:
    pm.nightly_tasks()
