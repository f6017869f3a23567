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
