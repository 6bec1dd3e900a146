"""Calibration metrics against hand computations, windows, charts and the backtest reuse."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nba_assets.analytics.backtest import backtest_metrics
from nba_assets.analytics.calibration import (
    brier_score,
    calibration_metrics,
    cumulative_clv_png,
    expected_calibration_error,
    log_loss,
    reliability_bins,
    reliability_diagram_png,
    summarize,
)
from nba_assets.analytics.columns import CALIBRATION_METRICS

PNG = b"\x89PNG\r\n\x1a\n"
NOW = datetime(2024, 1, 31, 9, 0, tzinfo=UTC)


def test_tiny_inputs_by_hand() -> None:
    p, y = [0.8, 0.3], [1, 0]
    assert brier_score(p, y) == pytest.approx((0.2**2 + 0.3**2) / 2)
    assert log_loss(p, y) == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2)
    # Bin 8 holds 0.8 (observed 1), bin 3 holds 0.3 (observed 0): 0.5 * 0.2 + 0.5 * 0.3.
    assert expected_calibration_error(p, y) == pytest.approx(0.25)
    bins = reliability_bins([0.12, 0.18, 0.95, 1.0], [0, 1, 1, 1])
    assert bins == [
        {"bin_lo": 0.1, "bin_hi": 0.2, "n": 2, "mean_pred": pytest.approx(0.15), "mean_obs": 0.5},
        {"bin_lo": 0.9, "bin_hi": 1.0, "n": 2, "mean_pred": pytest.approx(0.975), "mean_obs": 1.0},
    ]
    # ECE of those: 0.5 * |0.15 - 0.5| + 0.5 * |0.975 - 1|
    assert expected_calibration_error([0.12, 0.18, 0.95, 1.0], [0, 1, 1, 1]) == pytest.approx(
        0.5 * 0.35 + 0.5 * 0.025
    )


def test_perfect_and_clipped() -> None:
    assert brier_score([1.0, 0.0, 1.0], [1, 0, 1]) == 0.0
    assert expected_calibration_error([1.0, 0.0], [1, 0]) == 0.0
    assert log_loss([0.0], [1]) == pytest.approx(-math.log(1e-6))
    assert math.isnan(brier_score([], []))


@given(st.lists(st.tuples(st.floats(0, 1), st.integers(0, 1)), min_size=1, max_size=50))
def test_metric_ranges(pairs: list[tuple[float, int]]) -> None:
    p, y = zip(*pairs, strict=True)
    assert 0.0 <= brier_score(p, y) <= 1.0
    assert 0.0 <= expected_calibration_error(p, y) <= 1.0
    assert log_loss(p, y) >= 0.0
    assert sum(b["n"] for b in reliability_bins(p, y)) == len(p)


def grade(game_id: int, book: int, fair: float, price: float, result: str, clv: float,
          market: str = "h2h", outcome: str = "home") -> dict:  # fmt: skip
    profit = {"win": price - 1, "loss": -1.0}.get(result, 0.0)
    return {
        "game_id": game_id, "book_id": book, "market": market, "outcome": outcome,
        "point": 0.0, "algorithm": "market_consensus", "algorithm_version": "v1",
        "scored_at": pd.Timestamp(datetime(2024, 1, 1, tzinfo=UTC)), "result": result,
        "profit_units": profit, "price_decimal": price, "fair_prob": fair, "clv": clv,
    }  # fmt: skip


def test_calibration_rows_windows_dedupe_and_roi() -> None:
    grades = pd.DataFrame(
        [
            # 30 January: one forecast (0.6, won) seen at two books, one +EV bet at book 2.
            grade(2024013002, 1, 0.6, 1.60, "win", 0.02),
            grade(2024013002, 2, 0.6, 1.80, "win", 0.05),
            # 29 January: forecast 0.3 for the away side, lost; +EV at 4.0 (0.3 * 4 = 1.2).
            grade(2024012902, 2, 0.3, 4.00, "loss", -0.10, outcome="away"),
            # 10 January: only in the 30-day and season windows.
            grade(2024011002, 1, 0.7, 1.50, "win", 0.00),
            grade(2024011002, 1, 0.5, 1.90, "push", 0.0, market="spreads"),
            grade(2024011003, 1, 0.5, 2.10, "void", 0.0),
        ]
    )
    out = calibration_metrics(grades, date(2024, 1, 30), NOW)
    assert list(out.columns) == list(CALIBRATION_METRICS)
    h2h = out[out["market"] == "h2h"].set_index("window_name")
    week = h2h.loc["7d"]
    assert week["n"] == 2
    assert week["brier"] == pytest.approx((0.4**2 + 0.3**2) / 2)
    # Bets: book 2 at 1.80 (+0.8) and the 4.0 loser (-1): ROI -0.1, mean CLV -0.025.
    assert week["roi"] == pytest.approx((0.8 - 1.0) / 2)
    assert week["mean_clv"] == pytest.approx((0.05 - 0.10) / 2)
    assert h2h.loc["30d", "n"] == 3 and h2h.loc["season", "n"] == 3
    spreads = out[out["market"] == "spreads"].set_index("window_name")
    assert spreads.loc["7d", "n"] == 0 and pd.isna(spreads.loc["7d", "brier"])
    assert spreads.loc["season", "n"] == 0  # a push has no outcome
    assert spreads.loc["season", "bins"] == []
    assert out["computed_at"].iloc[0] == pd.Timestamp(NOW)


def test_pngs() -> None:
    bins = reliability_bins([0.1, 0.4, 0.45, 0.8], [0, 0, 1, 1])
    image = reliability_diagram_png({"market_consensus h2h": bins, "model_edge h2h": bins[:2]})
    assert image.startswith(PNG)
    grades = pd.DataFrame(
        [grade(2024013002, 1, 0.6, 1.8, "win", 0.03), grade(2024013102, 1, 0.6, 1.8, "loss", -0.01)]
    )
    assert cumulative_clv_png(grades).startswith(PNG)
    assert cumulative_clv_png(grades.iloc[0:0]).startswith(PNG)


def test_backtest_reuses_calibration_metrics() -> None:
    rng = np.random.default_rng(3)
    p = rng.uniform(0.2, 0.8, 200)
    y = (rng.uniform(size=200) < p).astype(float)
    price = rng.uniform(1.7, 2.3, 200)
    profit = np.where(y == 1, price - 1, -1.0)
    clv = rng.normal(0, 0.02, 200)
    frame = pd.DataFrame(
        {"algorithm": "model_edge", "fair_prob": p, "outcome": y, "price_decimal": price,
         "profit_units": profit, "clv": clv}
    )  # fmt: skip
    out = backtest_metrics(frame).iloc[0]
    bets = p * price > 1
    expected = summarize(p, y, profit[bets], clv[bets])
    assert out["n"] == 200 and out["bets"] == int(bets.sum())
    assert out["brier"] == pytest.approx(expected.brier)
    assert out["log_loss"] == pytest.approx(expected.log_loss)
    assert out["ece"] == pytest.approx(expected.ece)
    assert out["roi"] == pytest.approx(profit[bets].mean())
    assert out["mean_clv"] == pytest.approx(clv[bets].mean())
