"""The notebooks' reader sees the published versions only, and the media mix read-outs of mmm_review.ipynb compute
what the mmm job fitted (run with `bin/notebooks --test`)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from deltalake import write_deltalake

from partnermix_nb import Warehouse, adstock, budget_shift, hill, latest_mmm_fit, response_curve, roi_bootstrap


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


def test_hill_is_zero_without_activity_half_at_the_half_saturation_point_and_one_without_a_scale():
    assert hill([0.0, 5.0, 10.0, 20.0], 1.0, 10.0).tolist() == pytest.approx([0.0, 1 / 3, 0.5, 2 / 3])
    assert hill([20.0], 2.0, 10.0).tolist() == pytest.approx([0.8])          # 400 / (400 + 100)
    assert hill([0.0, 3.0], 1.5, 0.0).tolist() == [0.0, 1.0]


def test_adstock_carries_a_share_of_yesterday_over():
    assert adstock([10.0, 0.0, 0.0, 5.0], 0.5).tolist() == [10.0, 5.0, 2.5, 6.25]
    with pytest.raises(ValueError, match="theta"):
        adstock([1.0], 1.0)


def test_the_response_curve_is_the_coefficient_times_hill_of_the_settled_adstock():
    # theta 0.5: a steady 5 a day settles at 10 = g, half saturated; 15 a day at 30: 30 / (30 + 10)
    assert response_curve([0.0, 5.0, 15.0], coef=100.0, theta=0.5, shape=1.0, half_saturation=10.0).tolist() \
        == pytest.approx([0.0, 50.0, 75.0])
    # shape 2, g 20: 5 a day settles at 10, 100 / (100 + 400) = 0.2 of 40
    assert response_curve([5.0], coef=40.0, theta=0.5, shape=2.0, half_saturation=20.0).tolist() == pytest.approx([8.0])
    # the same as running the daily series through adstock and Hill once the carry-over has settled
    settled = 40.0 * hill(adstock([5.0] * 60, 0.5), 2.0, 20.0)[-1]
    assert settled == pytest.approx(8.0)


def contributions(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["date", "region", "channel", "cost_usd", "incremental_revenue_usd"])


DAYS = [date(2026, 11, d) for d in (1, 2, 3, 4)]


@pytest.fixture
def two_channels():
    rows = []
    for i, d in enumerate(DAYS):
        rows += [(d, "EU", "display", 6.0, 15.0), (d, "US", "display", 4.0, 5.0),   # 20 / 10 a day: ROI 2 every day
                 (d, "EU", "search", 10.0, [10.0, 30.0][i % 2]),                    # ROI 1 and 3 by turns: 2 overall
                 (d, "EU", "organic", 0.0, 7.0),                                     # no cost: no ROI
                 (d, "EU", "baseline", None, 500.0)]
    return contributions(rows)


def test_roi_is_revenue_over_cost_summed_over_regions_and_days_and_channels_without_cost_are_left_out(two_channels):
    roi = roi_bootstrap(two_channels, samples=200, block_days=1)
    assert roi.index.tolist() == ["display", "search"]
    assert roi.loc["display", ["cost_usd", "incremental_revenue_usd", "roi", "roi_low", "roi_high"]].tolist() \
        == pytest.approx([40.0, 80.0, 2.0, 2.0, 2.0])        # the same ratio every day: no spread
    assert roi.loc["search", "roi"] == pytest.approx(2.0)
    assert 1.0 <= roi.loc["search", "roi_low"] < 2.0 < roi.loc["search", "roi_high"] <= 3.0


def test_a_block_as_long_as_the_window_resamples_the_window_itself(two_channels):
    roi = roi_bootstrap(two_channels, samples=50, block_days=4)
    assert roi.loc["search", ["roi", "roi_low", "roi_high"]].tolist() == pytest.approx([2.0, 2.0, 2.0])


def test_the_bootstrap_is_reproducible_for_a_seed(two_channels):
    a = roi_bootstrap(two_channels, samples=100, block_days=1, seed=3)
    b = roi_bootstrap(two_channels, samples=100, block_days=1, seed=3)
    pd.testing.assert_frame_equal(a, b)


def test_the_budget_shift_moves_the_share_towards_the_better_marginal_roi_budget_neutral():
    cost = pd.Series({"A": 100.0, "B": 100.0, "C": 200.0})
    marginal = pd.Series({"A": 2.0, "B": 1.0})          # C: no marginal ROI, no shift, not in the mean (1.5)
    # cost shares .25 .25 .5; leans .125, -.125, 0; pool 0.1 x 400 = 40 over sum |lean| / 2 = .125
    assert budget_shift(cost, marginal, 0.1).to_dict() == pytest.approx({"A": 40.0, "B": -40.0, "C": 0.0})
    assert budget_shift(cost, pd.Series({"A": 1.0, "B": 1.0, "C": 1.0}), 0.1).to_dict() == {"A": 0.0, "B": 0.0, "C": 0.0}


def test_without_a_fit_the_mmm_read_out_says_the_model_has_not_fitted(warehouse, capsys):
    wh = Warehouse.open(warehouse)
    assert latest_mmm_fit(wh) is None
    assert "has not fitted yet" in capsys.readouterr().out


def test_the_mmm_read_out_is_the_latest_fit(warehouse):
    for run, coef in ((date(2026, 11, 1), 1.0), (date(2026, 11, 8), 2.0)):
        write_deltalake(f"{warehouse}/gold/mmm_fit", pd.DataFrame(
            {"run_date": [run], "term": ["display"], "coef_revenue": [coef]}), mode="append")
        write_deltalake(f"{warehouse}/gold/mmm_contributions", contributions(
            [(run, "EU", "display", 1.0, coef)]).assign(run_date=run), mode="append")
    fit, contrib = latest_mmm_fit(Warehouse.open(warehouse))
    assert fit["coef_revenue"].tolist() == [2.0]
    assert contrib["incremental_revenue_usd"].tolist() == [2.0]
