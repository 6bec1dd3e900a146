"""Settling value scores: win/loss/push/void, profit at the price taken, closing line value.

Result rules (the home margin M = home_score - away_score, the total T = sum of scores):

* moneyline home wins when M > 0, away when M < 0 (a tie, impossible with overtime, pushes);
* spread at point x: home wins when M + x > 0, away when -M + x > 0, push on exactly 0;
* total at t: over wins when T > t, under when T < t, push when T == t;
* void when the game has no final result (canceled, postponed, never completed).

Profit in units staked: win ``price - 1``, loss ``-1``, push and void ``0``.

Closing line value. The close is the devigged market consensus of each book's last price
before tip-off (``boards.closing_board`` then ``market_consensus``), and

    clv = close_fair_prob * price_taken - 1

i.e. the EV of the bet had it been priced at the closing fair probability (equivalently
close_fair_prob / (1 / price) - 1). Positive CLV means the bet beat the close. Using the
fair (devigged) close rather than the raw closing price keeps the closing book's margin
out of the measure.

Moved points. Spreads and totals often close at a different number than the bet was taken
at. When the closing consensus has no line at the bet's exact point, the closing line of
the same side with the nearest point (ties: the one nearest 50 %) is carried to the bet's
point with the normal model of :mod:`nba_assets.analytics.distributions`: the mean of the
margin (sigma ``margin_sigma``, 12) or total (``total_sigma``, 18) implied by the closing
line's no-push probability is held fixed and the bet is re-priced at its own point,
including the push band of integer points. ``close_point`` records the line actually used.
Moneylines have no points, so a missing closing moneyline leaves CLV null.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from nba_assets.analytics.columns import GRADES, MARKETS, OUTCOMES, VALUE_KEY, require_columns
from nba_assets.analytics.distributions import bet_sign_threshold, shift_line_probability
from nba_assets.analytics.keys import category_codes
from nba_assets.core.slates import require_aware


@dataclass(frozen=True, slots=True)
class GradingConfig:
    """Sigmas of the moved-point interpolation."""

    version: str = "grading-1.0"
    margin_sigma: float = 12.0
    total_sigma: float = 18.0


DEFAULT_GRADING = GradingConfig()


def _latest_finals(results: pd.DataFrame) -> pd.DataFrame:
    require_columns(results, ("game_id", "home_score", "away_score", "final"), "game_results")
    frame = results
    if "version" in frame.columns:
        frame = frame.sort_values(["game_id", "version"], kind="stable")
    frame = frame.drop_duplicates("game_id", keep="last")
    return frame[frame["final"].astype(bool)]


def settle(scores: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """``result`` and ``profit_units`` per value-score row (same index)."""
    finals = _latest_finals(results).set_index("game_id")
    home = scores["game_id"].map(finals["home_score"]).to_numpy(dtype=float)
    away = scores["game_id"].map(finals["away_score"]).to_numpy(dtype=float)
    market = category_codes(scores["market"], MARKETS, "market")
    outcome = category_codes(scores["outcome"], OUTCOMES, "outcome")
    sign, threshold = bet_sign_threshold(market, outcome, scores["point"].to_numpy(dtype=float))
    value = np.where(market == 2, home + away, home - away)
    edge = sign * value - threshold
    result = np.select(
        [np.isnan(edge), np.isclose(edge, 0.0, atol=1e-9), edge > 0],
        ["void", "push", "win"],
        default="loss",
    )
    price = scores["price_decimal"].to_numpy(dtype=float)
    profit = np.select([result == "win", result == "loss"], [price - 1.0, -1.0], default=0.0)
    return pd.DataFrame({"result": result, "profit_units": profit}, index=scores.index)


def _point_key(points: pd.Series) -> np.ndarray:
    return np.rint(points.to_numpy(dtype=float) * 10.0).astype(np.int64)


def closing_probabilities(
    scores: pd.DataFrame, closing: pd.DataFrame, config: GradingConfig = DEFAULT_GRADING
) -> pd.DataFrame:
    """``close_fair_prob`` and ``close_point`` per value-score row (same index)."""
    require_columns(closing, ("game_id", "market", "outcome", "point", "fair_prob"), "closing")
    side_keys = ["game_id", "market", "outcome"]
    bets = (
        scores[side_keys]
        .astype({"market": str, "outcome": str})
        .assign(_pk=_point_key(scores["point"]), _row=np.arange(len(scores)))
    )
    close = closing[[*side_keys, "point", "fair_prob"]].astype({"market": str, "outcome": str})
    close = close.assign(_ck=_point_key(close["point"])).dropna(subset=["fair_prob"])
    close = close.drop_duplicates([*side_keys, "_ck"], keep="last")
    pairs = bets.merge(close, on=side_keys, how="inner")
    pairs["_dist"] = (pairs["_ck"] - pairs["_pk"]).abs()
    pairs["_balance"] = (pairs["fair_prob"] - 0.5).abs()
    best = pairs.sort_values(["_row", "_dist", "_balance"], kind="stable").drop_duplicates(
        "_row", keep="first"
    )
    best = best[(best["_dist"] == 0) | (best["market"] != "h2h")]

    prob = best["fair_prob"].to_numpy(dtype=float, copy=True)
    moved = best["_dist"].to_numpy() > 0
    if moved.any():
        market = category_codes(best["market"][moved], MARKETS, "market")
        outcome = category_codes(best["outcome"][moved], OUTCOMES, "outcome")
        bet_points = best["_pk"].to_numpy()[moved] / 10.0
        close_points = best["_ck"].to_numpy()[moved] / 10.0
        sign, to_threshold = bet_sign_threshold(market, outcome, bet_points)
        _, from_threshold = bet_sign_threshold(market, outcome, close_points)
        sigma = np.where(market == 2, config.total_sigma, config.margin_sigma)
        prob[moved] = shift_line_probability(prob[moved], sigma, sign, from_threshold, to_threshold)
    out = pd.DataFrame(
        {"close_fair_prob": np.nan, "close_point": np.nan}, index=np.arange(len(scores))
    )
    rows = best["_row"].to_numpy()
    out.loc[rows, "close_fair_prob"] = prob
    out.loc[rows, "close_point"] = best["_ck"].to_numpy() / 10.0
    out.index = scores.index
    return out


def grade_value_scores(
    scores: pd.DataFrame,
    results: pd.DataFrame,
    closing: pd.DataFrame,
    graded_at: datetime,
    config: GradingConfig = DEFAULT_GRADING,
) -> pd.DataFrame:
    """``nba.grades`` rows: every value score settled, with CLV against the closing consensus.

    ``closing``: consensus rows (game_id, market, outcome, point, fair_prob) of the closing
    board, e.g. ``market_consensus(closing_board(odds, games)).consensus``.
    """
    require_columns(scores, (*VALUE_KEY, "price_decimal", "fair_prob"), "value_scores")
    graded_at = require_aware(graded_at, "graded_at")
    settled = settle(scores, results)
    close = closing_probabilities(scores, closing, config)
    price = scores["price_decimal"].to_numpy(dtype=float)
    out = scores[list(VALUE_KEY)].copy()
    out["result"] = settled["result"]
    out["profit_units"] = settled["profit_units"]
    out["price_decimal"] = price
    out["fair_prob"] = scores["fair_prob"].to_numpy(dtype=float)
    out["close_fair_prob"] = close["close_fair_prob"]
    out["close_point"] = close["close_point"]
    out["clv"] = close["close_fair_prob"].to_numpy(dtype=float) * price - 1.0
    out["graded_at"] = pd.Timestamp(graded_at)
    return out[list(GRADES)].reset_index(drop=True)
