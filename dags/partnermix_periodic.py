"""
### Partnermix periodic jobs

Heavier work on longer schedules, one DAG per entry of `PERIODIC_JOBS` in `partnermix_common.py`:

| DAG | data interval | catchup | tasks |
|---|---|---|---|
| `partnermix_mmm_refit_weekly` | Monday to Monday (UTC) | off | `wait_for_nightly` -> `mmm_refit` (`mmm --refit`) |
| `partnermix_commission_close_monthly` | the 11th to the 11th (UTC) | on | `wait_for_nightly` -> `commission_close` |
| `partnermix_maintain_weekly` | Monday to Monday (UTC) | off | `wait_for_nightly` -> `maintain` (`maintain`) |

The run date passed to the jobs is the **last day of the interval**: Sunday for the refit and maintain, the 10th for the
close (the day the previous month's statement locks, `marts.lock_days_after_month_end` = 10 days after the
month's last day). `wait_for_nightly` waits for the nightly run of that day to succeed, so a refit or a
close never reads a week or month whose last night is missing. Catchup is off for the refit (only the
newest model matters) and on for the close (every month must be closed, also one missed while the
scheduler was down; a close also picks up any earlier locked month not closed yet).

With the weekly refit on, set `mmm.refit: scheduled` in the configuration so that the nightly `mmm` step
stops fitting (it would otherwise fit every night, the embedded default). A refit or a close writes gold
tables outside the nightly chain; the next night's gold gate checks them and its `publish` makes them
visible to BI. `maintain` rewrites files without changing any row and keeps every version the last
`maintain.keep_publications` publications pinned (docs/operations.md, "Maintenance").
"""

from __future__ import annotations

import partnermix_common as pm

# The DAGs are built by the helper; this file names "airflow" and "dag" so that Airflow's safe-mode
# DAG discovery, which skips files lacking both words, still parses it.

for _job in pm.PERIODIC_JOBS:
    if _job.steps:  # a job whose subcommands have not landed yet gets no DAG
        globals()[_job.dag_id] = pm.periodic_dag(_job, doc_md=__doc__)
