"""Scoring a book's price against a fair probability: EV, Kelly stake and a 0-100 value score.

Both algorithms end here; only the fair probability (and how much to trust it) differs.

Definitions, for a price ``d`` (decimal odds) and fair probability ``p``:

* ``ev = p * d - 1``: expected profit per unit staked.
* ``kelly_fraction = min(cap, multiplier * max(0, (p * d - 1) / (d - 1)))``: full Kelly
  maximises long-run log growth but assumes ``p`` is exact; the fraction (default 1/4)
  gives up little growth for a large cut in variance and in the cost of an overstated ``p``,
  and the cap (default 5 % of bankroll) bounds any single bet whatever the model says.
* ``value_score = 100 * confidence * (1 - exp(-ev / ev_scale))`` when ``ev > 0``, else 0,
  with ``ev_scale = 0.03``. The EV term is 0 at break-even, 63 % of the maximum at 3 % EV,
  96 % at 10 % EV and saturates beyond (a 30 % edge is almost always a stale or wrong
  line, not three times the opportunity). ``confidence`` in [0, 1] says how far the fair
  probability deserves trust:

  - market_consensus: ``min(1, total_weight / full_weight) / (1 + (dispersion / 0.02)^2)``,
    i.e. enough books (``full_weight`` 5 = one sharp and two retail books at 3:1) that
    agree (books' fair probabilities within about 2 points of each other).
  - model_edge: ``clip(min(games played by either team) / 20, 0.25, 1)``: the ratings are
    mostly prior early in the season.

  The score is therefore monotone in EV at fixed confidence and in confidence at fixed EV.

Pushes. Every fair probability here is conditional on the bet not pushing (a push refunds
the stake): devigged two-way prices are such probabilities by construction, and model_edge
probabilities are converted with :func:`distributions.no_push_probability`. ``ev`` and the
Kelly fraction are then exact per unit *given action*: with a push probability ``r`` the
unconditional EV is ``(1 - r) * ev`` and the Kelly-optimal stake is unchanged.

No look-ahead: prices with ``snapshot_time`` after ``scored_at`` and predictions made after
it are ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from nba_assets.analytics.columns import MARKETS, OUTCOMES, VALUE_SCORES, require_columns
from nba_assets.analytics.distributions import bet_sign_threshold, no_push_probability, norm_cdf
from nba_assets.analytics.keys import category_codes
from nba_assets.analytics.market_consensus import (
    DEFAULT_CONSENSUS,
    ConsensusConfig,
    ConsensusResult,
)
from nba_assets.core.slates import require_aware

# Keeps fair probabilities strictly inside (0, 1), as the warehouse requires.
_PROBABILITY_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class ValueConfig:
    """Staking and scoring knobs; ``version`` joins the algorithm's own in algorithm_version."""

    version: str = "value-1.0"
    kelly_multiplier: float = 0.25
    kelly_cap: float = 0.05
    ev_scale: float = 0.03
    full_weight: float = 5.0
    dispersion_scale: float = 0.02
    model_full_games: float = 20.0
    model_min_confidence: float = 0.25


DEFAULT_VALUE = ValueConfig()


def expected_value(fair_prob: ArrayLike, price: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(fair_prob, dtype=float) * np.asarray(price, dtype=float) - 1.0


def kelly_fraction(
    fair_prob: ArrayLike, price: ArrayLike, config: ValueConfig = DEFAULT_VALUE
) -> NDArray[np.float64]:
    d = np.asarray(price, dtype=float)
    full = np.maximum(0.0, expected_value(fair_prob, d) / (d - 1.0))
    return np.minimum(config.kelly_cap, config.kelly_multiplier * full)


def value_score(
    ev: ArrayLike, confidence: ArrayLike = 1.0, config: ValueConfig = DEFAULT_VALUE
) -> NDArray[np.float64]:
    edge = np.asarray(ev, dtype=float)
    trust = np.clip(np.asarray(confidence, dtype=float), 0.0, 1.0)
    raw = 100.0 * trust * -np.expm1(-np.maximum(edge, 0.0) / config.ev_scale)
    return np.where(edge > 0.0, np.clip(raw, 0.0, 100.0), 0.0)


def consensus_confidence(
    total_weight: ArrayLike, dispersion: ArrayLike, config: ValueConfig = DEFAULT_VALUE
) -> NDArray[np.float64]:
    coverage = np.minimum(1.0, np.asarray(total_weight, dtype=float) / config.full_weight)
    spread = np.nan_to_num(np.asarray(dispersion, dtype=float), nan=0.0)
    return coverage / (1.0 + (spread / config.dispersion_scale) ** 2)


def model_confidence(
    min_games_played: ArrayLike, config: ValueConfig = DEFAULT_VALUE
) -> NDArray[np.float64]:
    games = np.nan_to_num(np.asarray(min_games_played, dtype=float), nan=0.0)
    return np.clip(games / config.model_full_games, config.model_min_confidence, 1.0)


def score_prices(
    board: pd.DataFrame,
    fair_prob: ArrayLike,
    confidence: ArrayLike,
    *,
    algorithm: str,
    algorithm_version: str,
    scored_at: datetime,
    config: ValueConfig = DEFAULT_VALUE,
) -> pd.DataFrame:
    """``nba.value_scores`` rows for every board price that has a fair probability.

    ``fair_prob`` and ``confidence`` are aligned with ``board`` rows (NaN: not scorable).
    """
    require_columns(
        board,
        ("game_id", "book_id", "market", "outcome", "point", "price_decimal", "snapshot_time"),
        "odds board",
    )
    scored_at = require_aware(scored_at, "scored_at")
    fair = np.asarray(fair_prob, dtype=float)
    trust = np.broadcast_to(np.asarray(confidence, dtype=float), fair.shape)
    snap = pd.to_datetime(board["snapshot_time"], utc=True)
    keep = np.isfinite(fair) & (snap <= pd.Timestamp(scored_at)).to_numpy()
    if keep.all():
        keep = slice(None)
    rows = board[keep]
    p = np.clip(fair[keep], _PROBABILITY_EPS, 1.0 - _PROBABILITY_EPS)
    price = rows["price_decimal"].to_numpy(dtype=float)
    ev = expected_value(p, price)
    # Extension arrays (.array) keep categoricals and tz-aware times as they are: .to_numpy()
    # would build ten million Python objects on a season's board.
    out = pd.DataFrame(
        {
            "game_id": rows["game_id"].to_numpy(),
            "book_id": rows["book_id"].to_numpy(),
            "market": rows["market"].array,
            "outcome": rows["outcome"].array,
            "point": rows["point"].to_numpy(dtype=float),
            "algorithm": algorithm,
            "algorithm_version": algorithm_version,
            "scored_at": pd.Timestamp(scored_at),
            "snapshot_time": snap[keep].array,
            "price_decimal": price,
            "fair_prob": p,
            "ev": ev,
            "kelly_fraction": kelly_fraction(p, price, config),
            "value_score": value_score(ev, trust[keep], config),
        }
    )
    return out[list(VALUE_SCORES)]


def score_market_consensus(
    board: pd.DataFrame,
    result: ConsensusResult,
    scored_at: datetime,
    *,
    consensus_config: ConsensusConfig = DEFAULT_CONSENSUS,
    config: ValueConfig = DEFAULT_VALUE,
) -> pd.DataFrame:
    """Score every board price against the consensus ``result`` computed from that board."""
    fair, weight, dispersion = result.row_lookup()
    if fair.shape[0] != len(board):
        raise ValueError("the consensus result was computed from a different board")
    return score_prices(
        board,
        fair,
        consensus_confidence(weight, dispersion, config),
        algorithm="market_consensus",
        algorithm_version=f"{consensus_config.version}/{config.version}",
        scored_at=scored_at,
        config=config,
    )


def model_fair_probabilities(
    board: pd.DataFrame, predictions: pd.DataFrame, scored_at: datetime | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """(fair_prob, min games played) per board row from model_edge predictions.

    Moneyline: P(home win) and its complement. Spreads and totals: P(win | no push) under
    the normal margin/total model at the row's own point. The latest prediction per game
    made at or before ``scored_at`` is used; rows without one (or a total without
    ``pred_total``) get NaN.
    """
    require_columns(
        predictions,
        ("game_id", "predicted_at", "pred_margin", "pred_total", "margin_sigma", "total_sigma",
         "p_home_win"),
        "model predictions",
    )  # fmt: skip
    preds = predictions
    if scored_at is not None:
        cutoff = pd.Timestamp(require_aware(scored_at, "scored_at"))
        preds = preds[pd.to_datetime(preds["predicted_at"], utc=True) <= cutoff]
    preds = preds.sort_values("predicted_at", kind="stable").drop_duplicates("game_id", keep="last")
    where = pd.Index(preds["game_id"]).get_indexer(board["game_id"])
    found = where >= 0
    idx = np.maximum(where, 0)

    def column(name: str) -> NDArray[np.float64]:
        values = pd.to_numeric(preds[name], errors="coerce").to_numpy(dtype=float)
        return np.where(found, values[idx] if values.size else np.nan, np.nan)

    market = category_codes(board["market"], MARKETS, "market")
    outcome = category_codes(board["outcome"], OUTCOMES, "outcome")
    sign, threshold = bet_sign_threshold(market, outcome, board["point"].to_numpy(dtype=float))
    is_total = market == 2
    mean = np.where(is_total, column("pred_total"), column("pred_margin"))
    sigma = np.where(is_total, column("total_sigma"), column("margin_sigma"))
    with np.errstate(invalid="ignore", divide="ignore"):
        point_prob = no_push_probability(mean, sigma, sign, threshold)
        h2h = norm_cdf(sign * column("pred_margin") / column("margin_sigma"))
    fair = np.where(market == 0, h2h, point_prob)

    games = np.full(len(preds), np.nan)
    if "features" in preds.columns:
        games = np.array(
            [
                min(f.get("home_games_played") or 0, f.get("away_games_played") or 0)
                if isinstance(f, dict)
                else np.nan
                for f in preds["features"]
            ],
            dtype=float,
        )
    min_games = np.where(found, games[idx] if games.size else np.nan, np.nan)
    return fair, min_games


def score_model_edge(
    board: pd.DataFrame,
    predictions: pd.DataFrame,
    scored_at: datetime,
    *,
    model_version: str | None = None,
    config: ValueConfig = DEFAULT_VALUE,
) -> pd.DataFrame:
    """Score every board price against the model's probability at the price's own point."""
    if model_version is None:
        versions = predictions["model_version"].unique()
        if len(versions) != 1:
            raise ValueError(f"pass model_version: predictions hold {list(versions)}")
        model_version = str(versions[0])
    preds = predictions[predictions["model_version"] == model_version]
    fair, min_games = model_fair_probabilities(board, preds, scored_at)
    return score_prices(
        board,
        fair,
        model_confidence(min_games, config),
        algorithm="model_edge",
        algorithm_version=f"{model_version}/{config.version}",
        scored_at=scored_at,
        config=config,
    )
