"""Calibration and betting performance per algorithm, version, market and rolling window.

Forecast quality (n, Brier, log loss, ECE, reliability bins) is measured on decided bets
(wins and losses; pushes and voids carry no outcome), one forecast per (algorithm, version,
game, market, outcome, point, scored_at): every book is scored with the same fair
probability, so counting each book would weight a game by how many books list it.

Betting performance is measured on the bets the algorithm recommends, every graded row with
positive EV at its price (``fair_prob * price - 1 > 0``) and not void, staked flat at one
unit: ``roi = sum(profit) / count`` (pushes count as staked, at zero profit) and
``mean_clv`` the mean CLV of those bets that have one.

* Brier: mean (p - y)^2. Log loss: -mean(y log p + (1 - y) log(1 - p)) with p clipped to
  [1e-6, 1 - 1e-6], so one overconfident miss costs at most ~13.8 rather than infinity.
* ECE: ``n_bins`` (10) equal-width bins on [0, 1] (p = 1 falls in the last);
  sum over bins of (n_bin / n) * |mean_pred - mean_obs|.
* Bins: the non-empty bins as {bin_lo, bin_hi, n, mean_pred, mean_obs}.

Windows end on ``window_end`` (a slate date, inclusive) and cover the 7 or 30 slate dates
up to it, or the season so far (from 1 August, see ``core.slates.season_of``); a game's
date is the slate in its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from nba_assets.analytics.charts import cumulative_clv_png, reliability_diagram_png
from nba_assets.analytics.columns import CALIBRATION_METRICS, MARKETS, require_columns
from nba_assets.core.slates import require_aware, season_of

__all__ = [
    "DEFAULT_WINDOWS",
    "LOG_LOSS_EPS",
    "Metrics",
    "Window",
    "bet_rows",
    "brier_score",
    "calibration_metrics",
    "cumulative_clv_png",
    "expected_calibration_error",
    "forecast_rows",
    "log_loss",
    "reliability_bins",
    "reliability_diagram_png",
    "summarize",
]

LOG_LOSS_EPS = 1e-6
N_BINS = 10
_FORECAST_KEY = (
    "algorithm", "algorithm_version", "game_id", "market", "outcome", "point", "scored_at",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Window:
    """A trailing window of ``days`` slate dates ending on window_end; None: season to date."""

    name: str
    days: int | None

    def start(self, end: date) -> date:
        if self.days is None:
            return date(season_of(end), 8, 1)
        return end - timedelta(days=self.days - 1)


DEFAULT_WINDOWS: tuple[Window, ...] = (Window("7d", 7), Window("30d", 30), Window("season", None))


def _arrays(p: ArrayLike, y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    probs = np.asarray(p, dtype=float)
    outcomes = np.asarray(y, dtype=float)
    if probs.shape != outcomes.shape:
        raise ValueError(f"p and y shapes differ: {probs.shape} vs {outcomes.shape}")
    return probs, outcomes


def brier_score(p: ArrayLike, y: ArrayLike) -> float:
    probs, outcomes = _arrays(p, y)
    return float(np.mean((probs - outcomes) ** 2)) if probs.size else float("nan")


def log_loss(p: ArrayLike, y: ArrayLike, eps: float = LOG_LOSS_EPS) -> float:
    probs, outcomes = _arrays(p, y)
    if not probs.size:
        return float("nan")
    q = np.clip(probs, eps, 1.0 - eps)
    return float(-np.mean(outcomes * np.log(q) + (1.0 - outcomes) * np.log1p(-q)))


def reliability_bins(p: ArrayLike, y: ArrayLike, n_bins: int = N_BINS) -> list[dict[str, Any]]:
    """Non-empty equal-width bins with their counts, mean forecast and observed frequency."""
    probs, outcomes = _arrays(p, y)
    which = np.clip((probs * n_bins).astype(np.int64), 0, n_bins - 1)
    counts = np.bincount(which, minlength=n_bins)
    pred = np.bincount(which, weights=probs, minlength=n_bins)
    obs = np.bincount(which, weights=outcomes, minlength=n_bins)
    return [
        {
            "bin_lo": b / n_bins,
            "bin_hi": (b + 1) / n_bins,
            "n": int(counts[b]),
            "mean_pred": float(pred[b] / counts[b]),
            "mean_obs": float(obs[b] / counts[b]),
        }
        for b in range(n_bins)
        if counts[b]
    ]


def expected_calibration_error(p: ArrayLike, y: ArrayLike, n_bins: int = N_BINS) -> float:
    bins = reliability_bins(p, y, n_bins)
    total = sum(b["n"] for b in bins)
    if not total:
        return float("nan")
    return float(sum(b["n"] / total * abs(b["mean_pred"] - b["mean_obs"]) for b in bins))


@dataclass(frozen=True, slots=True)
class Metrics:
    n: int
    brier: float | None
    log_loss: float | None
    ece: float | None
    roi: float | None
    mean_clv: float | None
    bins: list[dict[str, Any]]


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None


def summarize(
    p: ArrayLike,
    y: ArrayLike,
    profit: ArrayLike = (),
    clv: ArrayLike = (),
    n_bins: int = N_BINS,
) -> Metrics:
    """All metrics from forecasts ``p`` with outcomes ``y`` and the bets' profit and CLV.

    ``profit`` holds one entry per unit staked; ``clv`` may contain NaN (no close known).
    """
    probs, outcomes = _arrays(p, y)
    stakes = np.asarray(profit, dtype=float)
    clvs = np.asarray(clv, dtype=float)
    clvs = clvs[np.isfinite(clvs)]
    return Metrics(
        n=int(probs.size),
        brier=_finite(brier_score(probs, outcomes)),
        log_loss=_finite(log_loss(probs, outcomes)),
        ece=_finite(expected_calibration_error(probs, outcomes, n_bins)),
        roi=_finite(stakes.mean()) if stakes.size else None,
        mean_clv=_finite(clvs.mean()) if clvs.size else None,
        bins=reliability_bins(probs, outcomes, n_bins),
    )


def forecast_rows(grades: pd.DataFrame) -> pd.DataFrame:
    """Decided rows, one per forecast (see the module docstring), with ``y`` 1 or 0."""
    decided = grades[grades["result"].isin(["win", "loss"])]
    key = [c for c in _FORECAST_KEY if c in decided.columns]
    decided = decided.drop_duplicates(key, keep="first")
    return decided.assign(y=(decided["result"] == "win").astype(float))


def bet_rows(grades: pd.DataFrame) -> pd.DataFrame:
    """Recommended bets: positive EV at the price taken, not void."""
    ev = grades["fair_prob"].astype(float) * grades["price_decimal"].astype(float) - 1.0
    return grades[(ev > 0) & (grades["result"] != "void")]


def calibration_metrics(
    grades: pd.DataFrame,
    window_end: date,
    computed_at: datetime,
    windows: Sequence[Window] = DEFAULT_WINDOWS,
) -> pd.DataFrame:
    """``nba.calibration_metrics`` rows per (algorithm, version, market) in ``grades`` x window.

    A window with no decided forecast still gets a row (n 0, metrics null), so a dashboard
    can tell "nothing to grade" from "not computed".
    """
    require_columns(
        grades,
        ("algorithm", "algorithm_version", "game_id", "market", "result", "fair_prob",
         "price_decimal", "profit_units", "clv"),
        "grades",
    )  # fmt: skip
    computed_at = require_aware(computed_at, "computed_at")
    ymd = grades["game_id"].to_numpy(dtype=np.int64) // 100
    end_ymd = window_end.year * 10_000 + window_end.month * 100 + window_end.day
    frame = grades.assign(_ymd=ymd, market=grades["market"].astype(str))
    frame = frame[frame["_ymd"] <= end_ymd]
    rows = []
    combos = frame[["algorithm", "algorithm_version", "market"]].drop_duplicates()
    for algorithm, version, market in combos.itertuples(index=False):
        if market not in MARKETS:
            continue
        mine = frame[
            (frame["algorithm"] == algorithm)
            & (frame["algorithm_version"] == version)
            & (frame["market"] == market)
        ]
        for window in windows:
            start = window.start(window_end)
            lo = start.year * 10_000 + start.month * 100 + start.day
            inside = mine[mine["_ymd"] >= lo]
            forecasts = forecast_rows(inside)
            bets = bet_rows(inside)
            m = summarize(forecasts["fair_prob"], forecasts["y"], bets["profit_units"], bets["clv"])
            rows.append(
                {
                    "algorithm": algorithm,
                    "algorithm_version": version,
                    "market": market,
                    "window_name": window.name,
                    "window_end": window_end,
                    "n": m.n,
                    "brier": m.brier,
                    "log_loss": m.log_loss,
                    "ece": m.ece,
                    "roi": m.roi,
                    "mean_clv": m.mean_clv,
                    "bins": m.bins,
                    "computed_at": pd.Timestamp(computed_at),
                }
            )
    if not rows:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in CALIBRATION_METRICS})
    return pd.DataFrame(rows, columns=list(CALIBRATION_METRICS))
