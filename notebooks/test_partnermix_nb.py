"""The notebooks' reader sees the published versions only (run with `bin/notebooks --test`)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from deltalake import write_deltalake

from partnermix_nb import Warehouse


def daily(*gmv: float) -> pd.DataFrame:
    return pd.DataFrame({"partner_id": [f"P{i}" for i in range(1, len(gmv) + 1)], "gmv": list(gmv)})


def publish(root, published_at: str, versions: dict[str, int]) -> None:
    rows = pd.DataFrame({
        "run_date": [date.fromisoformat(published_at[:10])] * len(versions),
        "published_at": pd.to_datetime([published_at] * len(versions), utc=True),
        "table_name": list(versions), "delta_version": list(versions.values()), "row_count": [0] * len(versions)})
    write_deltalake(f"{root}/dq/publications", rows, mode="append")


@pytest.fixture
def warehouse(tmp_path):
    write_deltalake(f"{tmp_path}/gold/partner_daily", daily(10.0, 20.0))             # version 0
    write_deltalake(f"{tmp_path}/gold/partner_daily", daily(99.0), mode="append")    # version 1: not checked yet
    write_deltalake(f"{tmp_path}/gold/model_comparison", daily(1.0))
    return tmp_path


def test_reads_the_pinned_version_not_the_latest(warehouse):
    publish(warehouse, "2026-11-20T05:00:00", {"gold.partner_daily": 0, "gold.model_comparison": 0})
    wh = Warehouse.open(warehouse)
    assert wh.run_date == date(2026, 11, 20)
    assert sorted(wh.read("gold.partner_daily")["gmv"]) == [10.0, 20.0]


def test_the_latest_publication_wins(warehouse):
    publish(warehouse, "2026-11-20T05:00:00", {"gold.partner_daily": 0, "gold.model_comparison": 0})
    publish(warehouse, "2026-11-21T05:00:00", {"gold.partner_daily": 1, "gold.model_comparison": 0})
    wh = Warehouse.open(warehouse)
    assert wh.run_date == date(2026, 11, 21)
    assert sorted(wh.read("gold.partner_daily")["gmv"]) == [10.0, 20.0, 99.0]
    assert wh.read("gold.partner_daily", filters=[("partner_id", "=", "P1")])["gmv"].tolist() in ([10.0, 99.0], [99.0, 10.0])


def test_an_unpublished_table_is_refused(warehouse):
    publish(warehouse, "2026-11-20T05:00:00", {"gold.partner_daily": 0})
    wh = Warehouse.open(warehouse)
    assert not wh.has("gold.model_comparison")
    with pytest.raises(KeyError, match="not in the current publication"):
        wh.read("gold.model_comparison")


def test_without_publications_it_reads_the_latest_and_says_so(warehouse, capsys):
    wh = Warehouse.open(warehouse)
    assert "LATEST version" in capsys.readouterr().out
    assert sorted(wh.read("gold.partner_daily")["gmv"]) == [10.0, 20.0, 99.0]
