"""Reading code shared by the notebooks: the PUBLISHED versions of the gold tables.

`publish` pins, after the gold data-quality gate passed, the Delta version of every gold table and of
dq.check_results in dq.publications (one row per table; the current publication is the rows with the
greatest published_at). Reading those versions, never the latest one, means a night that failed half
way leaves the notebooks on the previous night's checked data, exactly like the BI endpoint (serve).

Until a warehouse has a dq.publications table (publish not run yet), `Warehouse` falls back to the
latest version of each table and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from deltalake import DeltaTable

PUBLICATIONS = "dq.publications"


@dataclass
class Warehouse:
    root: str
    run_date: date | None = None
    versions: dict[str, int] = field(default_factory=dict)
    published: bool = False

    @classmethod
    def open(cls, root: str | Path) -> "Warehouse":
        """The warehouse at its current publication (or, without one, at the latest versions)."""
        wh = cls(str(Path(root).expanduser().resolve()))
        path = wh.path(PUBLICATIONS)
        if DeltaTable.is_deltatable(path):
            rows = DeltaTable(path).to_pandas()
            if not rows.empty:
                current = rows[rows["published_at"] == rows["published_at"].max()]
                wh.versions = {r.table_name: int(r.delta_version) for r in current.itertuples()}
                wh.run_date = pd.Timestamp(current["run_date"].iloc[0]).date()
                wh.published = True
        if wh.published:
            print(f"published night {wh.run_date}: " + ", ".join(f"{t}@v{v}" for t, v in sorted(wh.versions.items())))
        else:
            print(f"no publication in {path} yet (publish has not run): reading the LATEST version of each "
                  "table, which may not have passed the data-quality gate")
        return wh

    def path(self, table: str) -> str:
        schema, name = table.split(".", 1)
        return f"{self.root}/{schema}/{name}"

    def has(self, table: str) -> bool:
        if self.published:
            return table in self.versions
        return DeltaTable.is_deltatable(self.path(table))

    def read(self, table: str, columns: list[str] | None = None, filters: list[tuple] | None = None) -> pd.DataFrame:
        """`table` ("gold.partner_daily") at its published version; `filters` as in deltalake, e.g.
        [("model", "=", "last_click")], so only the rows needed are loaded."""
        if self.published and table not in self.versions:
            raise KeyError(f"{table} is not in the current publication ({sorted(self.versions)})")
        version = self.versions.get(table) if self.published else None
        return DeltaTable(self.path(table), version=version).to_pandas(columns=columns, filters=filters)

    def latest_date(self, table: str, column: str) -> date | None:
        """The run date when published, else the greatest `column` of `table` (the demo's last night)."""
        if self.run_date is not None:
            return self.run_date
        values = self.read(table, columns=[column])[column]
        return None if values.empty else pd.Timestamp(values.max()).date()


# ---------------------------------------------------------------------------------------------------
# Media mix model (gold.mmm_fit, gold.mmm_contributions): the transforms as the mmm job applies them
# (jobs/core/src/main/java/com/partnermix/mmm/Transforms.java) and the read-outs of mmm_review.ipynb.
# ---------------------------------------------------------------------------------------------------

MMM_FIT = "gold.mmm_fit"
MMM_CONTRIBUTIONS = "gold.mmm_contributions"
BASELINE = "baseline"


def latest_mmm_fit(wh: Warehouse) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The terms and contributions of the latest fit in the readable versions, or None (and why) when there is
    none: the mmm stage refuses while the window holds too few region-days and then writes no table."""
    if not (wh.has(MMM_FIT) and wh.has(MMM_CONTRIBUTIONS)):
        where = "in the current publication" if wh.published else "in the warehouse"
        print(f"The media mix model has not fitted yet: no {MMM_FIT} / {MMM_CONTRIBUTIONS} {where}. The mmm stage "
              "refuses (and writes nothing) while its window holds fewer than mmm.min_observations_per_parameter "
              "region-days per fitted parameter, e.g. on a young warehouse or the week-long demo; its log line "
              "says how many it had and needed.")
        return None
    fit = wh.read(MMM_FIT)
    if fit.empty:
        print(f"{MMM_FIT} is empty: the media mix model has not fitted yet")
        return None
    run = fit["run_date"].max()
    return (fit[fit["run_date"] == run].reset_index(drop=True),
            wh.read(MMM_CONTRIBUTIONS, filters=[("run_date", "=", run)]))


def hill(x, shape: float, half_saturation: float) -> np.ndarray:
    """Hill saturation x^a / (x^a + g^a) as the mmm job computes it: 0 at x <= 0, 1 for x > 0 when g <= 0."""
    x = np.asarray(x, dtype=float)
    out = np.zeros_like(x)
    positive = x > 0
    if half_saturation <= 0:
        out[positive] = 1.0
    else:
        out[positive] = 1.0 / (1.0 + (half_saturation / x[positive]) ** shape)
    return out


def adstock(x, theta: float) -> np.ndarray:
    """Geometric adstock x'_t = x_t + theta x'_{t-1} of one daily series."""
    if not 0 <= theta < 1:
        raise ValueError(f"adstock theta must be in [0, 1), got {theta}")
    out = np.zeros(len(x))
    carry = 0.0
    for t, v in enumerate(np.asarray(x, dtype=float)):
        carry = v + theta * carry
        out[t] = carry
    return out


def response_curve(activity, coef: float, theta: float, shape: float, half_saturation: float) -> np.ndarray:
    """What a channel adds per region and day (in the unit of `coef`: orders or revenue) when it runs at a steady
    daily `activity`: the adstock of a constant level settles at activity / (1 - theta), then Hill saturation with
    the fitted shape and absolute half-saturation point, times the coefficient."""
    return coef * hill(np.asarray(activity, dtype=float) / (1.0 - theta), shape, half_saturation)


def roi_bootstrap(contributions: pd.DataFrame, samples: int = 1000, block_days: int = 7, seed: int = 1,
                  level: float = 0.9) -> pd.DataFrame:
    """ROI per channel (incremental revenue / cost over the window) with a moving-block bootstrap over days.

    `contributions`: rows of gold.mmm_contributions (date, channel, cost_usd, incremental_revenue_usd). Days are
    resampled in blocks of `block_days` (keeping weekday and carry-over patterns together) and the ratio of the
    resampled sums is taken; the interval is the central `level` of those ratios. The coefficients stay fixed: this
    is how much the ROI depends on which days the window held, NOT the estimation error of the fit (gold.mmm_fit
    stores no coefficient errors). Channels without cost have no ROI and are left out.
    """
    media = contributions[contributions["channel"] != BASELINE]
    daily = (media.groupby(["channel", "date"])[["incremental_revenue_usd", "cost_usd"]].sum()
             .unstack("channel").fillna(0.0).sort_index())
    revenue = daily["incremental_revenue_usd"]
    cost = daily["cost_usd"]
    channels = [c for c in cost.columns if cost[c].sum() > 0]
    days = len(daily)
    block = max(1, min(block_days, days))
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, days - block + 1, size=(samples, -(-days // block)))
    picks = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(samples, -1)[:, :days]
    rows = []
    tail = (1 - level) / 2
    for c in channels:
        r = revenue[c].to_numpy()[picks].sum(axis=1)
        k = cost[c].to_numpy()[picks].sum(axis=1)
        ratios = np.divide(r, k, out=np.full(samples, np.nan), where=k > 0)
        rows.append({"channel": c, "cost_usd": cost[c].sum(), "incremental_revenue_usd": revenue[c].sum(),
                     "roi": revenue[c].sum() / cost[c].sum(),
                     "roi_low": np.nanquantile(ratios, tail), "roi_high": np.nanquantile(ratios, 1 - tail)})
    return pd.DataFrame(rows, columns=["channel", "cost_usd", "incremental_revenue_usd", "roi", "roi_low",
                                       "roi_high"]).set_index("channel")


def budget_shift(cost: pd.Series, marginal_roi: pd.Series, share: float) -> pd.Series:
    """A budget-neutral shift of `share` of the total cost towards channels whose marginal ROI is above the
    cost-weighted mean, by the rule gold.partner_mix_quarterly uses for partner types (docs/stages/marts.md):
    lean = cost share x (marginal ROI - mean), shift = lean x share x total cost / (sum |lean| / 2). A channel
    without a marginal ROI gets no shift and does not count in the mean."""
    cost = cost.astype(float)
    marginal = marginal_roi.reindex(cost.index).astype(float)
    cost_share = cost / cost.sum() if cost.sum() > 0 else cost * np.nan
    known = marginal.notna()
    mean = (cost_share[known] * marginal[known]).sum() / cost_share[known].sum() if cost_share[known].sum() > 0 else np.nan
    lean = (cost_share * (marginal - mean)).fillna(0.0)
    spread = lean.abs().sum() / 2
    if not spread > 0:
        return pd.Series(0.0, index=cost.index)
    return lean * share * cost.sum() / spread
