"""Replaying a season slate by slate with only what was knowable at each scoring instant.

For every slate (in date order) one scoring instant ``at`` is fixed, and both algorithms
run on inputs filtered to it:

* **results**: ``completed_at <= at`` (and, inside the ratings, slate strictly before this
  one). With the archive clock (``feeds.archive.common``) every earlier slate's game is
  complete by 22:30 ET of its own day, so the slate sees all of them and none of its own;
* **odds**: each book's latest snapshot with ``snapshot_time <= at``
  (``analytics.boards.latest_board``);
* **schedule**: the whole season's games, which are published in advance and carry no
  outcome (rest, back-to-backs and travel come from it, as in the live pipeline).

Scoring instants:

* ``open``: 12:00 ET on the slate day, after the archive's open snapshot (10:00 ET the day
  before) and before its close (19:00 ET). Bets are taken at the opening prices.
* ``close``: 30 minutes before the slate's first tip-off (19:00 ET with the archive's
  assumed 19:30 tip-off), i.e. at the closing snapshot itself.
* ``auto``: ``open`` when the season has any snapshot posted before its slate's noon (the
  SBR layout has opening lines), else ``close`` (the Kaggle layout has only closing lines).

The two algorithms are the live ones from :mod:`nba_assets.analytics`:

* market_consensus: every book on the board at ``at`` devigged and combined
  (``market_consensus``); with a single archive book it is that book's devigged line.
* model_edge: margin-based, opponent-adjusted, recency-weighted team ratings with a home
  edge (``ratings.team_ratings``; the archives have scores but no box scores, so possessions
  default to the league prior and ratings are effectively point margins), schedule context
  and ``model_edge.predict_games``.

One piece lives here rather than in analytics: ``predict_games`` always adds the home-court
edge, so predictions for neutral-site games (the 2020 bubble, international games) get it
removed again (:func:`neutral_site_adjustment`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Literal

import numpy as np
import pandas as pd

from nba_assets.analytics.boards import latest_board
from nba_assets.analytics.distributions import norm_cdf
from nba_assets.analytics.market_consensus import (
    DEFAULT_CONSENSUS,
    ConsensusConfig,
    market_consensus,
)
from nba_assets.analytics.model_edge import (
    DEFAULT_MODEL,
    ModelEdgeConfig,
    estimate_total_sigma,
    predict_games,
)
from nba_assets.analytics.ratings import DEFAULT_RATINGS, RatingsConfig, season_team_ratings
from nba_assets.analytics.schedule_context import schedule_context
from nba_assets.analytics.value import (
    DEFAULT_VALUE,
    ValueConfig,
    score_market_consensus,
    score_model_edge,
)
from nba_assets.backtest.data import SeasonData
from nba_assets.core.slates import SLATE_TZ

ScoringMode = Literal["auto", "open", "close"]
OPEN_SCORING_ET = time(12, 0)
CLOSE_LEAD = timedelta(minutes=30)
_BOX_COLUMNS = ("game_id", "team_id", "fga", "fta", "oreb", "turnover")


@dataclass(frozen=True)
class BacktestConfig:
    """The replay's knobs; the algorithm configs are the live defaults unless overridden."""

    at: ScoringMode = "auto"
    reference_method: str = "multiplicative"
    ratings: RatingsConfig = DEFAULT_RATINGS
    model: ModelEdgeConfig = DEFAULT_MODEL
    consensus: ConsensusConfig = DEFAULT_CONSENSUS
    value: ValueConfig = DEFAULT_VALUE


DEFAULT_BACKTEST = BacktestConfig()


@dataclass(frozen=True)
class Replay:
    """What the algorithms produced: value scores, model predictions, scoring instants."""

    mode: str
    scores: pd.DataFrame
    predictions: pd.DataFrame
    instants: dict[date, datetime] = field(repr=False)


def resolve_mode(data: SeasonData, mode: ScoringMode) -> str:
    if mode != "auto":
        return mode
    if data.odds.empty:
        return "close"
    slate = (data.odds["game_id"].to_numpy(dtype=np.int64) // 100).astype(str)
    noon = pd.to_datetime(pd.Series(slate), format="%Y%m%d") + pd.Timedelta(hours=12)
    noon_utc = noon.dt.tz_localize(SLATE_TZ).dt.tz_convert("UTC").to_numpy()
    early = data.odds["snapshot_time"].to_numpy() <= noon_utc
    return "open" if early.any() else "close"


def scoring_instant(slate: date, tip_offs: pd.Series, mode: str) -> datetime:
    """The instant a slate is scored at (see the module docstring)."""
    if mode == "open":
        return datetime.combine(slate, OPEN_SCORING_ET, SLATE_TZ)
    if mode == "close":
        return pd.to_datetime(tip_offs, utc=True).min().to_pydatetime() - CLOSE_LEAD
    raise ValueError(f"unknown scoring mode {mode!r}; expected open, close or auto")


def neutral_site_adjustment(
    predictions: pd.DataFrame, games: pd.DataFrame, config: ModelEdgeConfig
) -> pd.DataFrame:
    """Remove the home-court edge from predictions of neutral-site games."""
    if predictions.empty or "neutral_site" not in games.columns:
        return predictions
    neutral = set(games.loc[games["neutral_site"].astype(bool), "game_id"])
    mask = predictions["game_id"].isin(neutral).to_numpy()
    if not mask.any():
        return predictions
    out = predictions.copy()
    margin = out["pred_margin"].to_numpy(dtype=float) - np.where(mask, config.home_court, 0.0)
    out["pred_margin"] = margin
    out["p_home_win"] = norm_cdf(margin / out["margin_sigma"].to_numpy(dtype=float))
    return out


def slate_ratings(
    games: pd.DataFrame,
    results: pd.DataFrame,
    instants: dict[date, datetime],
    config: RatingsConfig = DEFAULT_RATINGS,
) -> pd.DataFrame:
    """Team ratings for every slate, each fitted on results completed by its instant.

    Fitting once on the season and cutting it per slate is much faster than one fit per
    slate, and gives the same rows whenever every result completed before the next slate's
    scoring instant (always true with the archive clock). When some result completed later
    (a late game, a score corrected the next day), each slate is fitted on its own with that
    slate's instant as the knowledge bound instead. Either way ``inputs_as_of`` is the
    slate's scoring instant, which is what ``predict_games`` checks against.
    """
    no_box = pd.DataFrame({c: pd.Series(dtype="int64") for c in _BOX_COLUMNS})
    days = sorted(instants)
    if _complete_before_next_slate(games, results, instants):
        rated = season_team_ratings(days, games, results, no_box, max(instants.values()), config)
        at = pd.Series({d: pd.Timestamp(t) for d, t in instants.items()})
        return rated.assign(inputs_as_of=pd.to_datetime(rated["as_of_date"].map(at), utc=True))
    return season_team_ratings(days, games, results, no_box, instants, config)


def _complete_before_next_slate(
    games: pd.DataFrame, results: pd.DataFrame, instants: dict[date, datetime]
) -> bool:
    """Whether each result was complete by the scoring instant of the slate after its own."""
    if results.empty:
        return True
    days = sorted(instants)
    following = {d: instants[n] for d, n in pairwise(days)}
    slate = results["game_id"].map(games.set_index("game_id")["slate_date"])
    deadline = pd.to_datetime(slate.map(following), utc=True)
    completed = pd.to_datetime(results["completed_at"], utc=True)
    late = deadline.notna() & (completed > deadline)
    return not bool(late.any())


def replay(data: SeasonData, config: BacktestConfig = DEFAULT_BACKTEST) -> Replay:
    """Run both algorithms slate by slate; nothing later than each ``at`` is read."""
    mode = resolve_mode(data, config.at)
    games = data.games.sort_values(["slate_date", "game_id"], kind="stable")
    schedule = schedule_context(games)
    days = list(games.groupby("slate_date", sort=True))
    instants = {slate: scoring_instant(slate, day["commence_time"], mode) for slate, day in days}
    ratings = slate_ratings(games, data.results, instants, config.ratings)
    by_day = dict(list(ratings.groupby("as_of_date", sort=False)))
    scores: list[pd.DataFrame] = []
    predictions: list[pd.DataFrame] = []
    for slate, day in days:
        at = instants[slate]
        context = schedule[schedule["game_id"].isin(day["game_id"])]
        sigma = total_sigma_at(predictions, data.results, at, config.model)
        preds = predict_games(
            day, by_day[slate], context, at, total_sigma=sigma, config=config.model
        )
        preds = neutral_site_adjustment(preds, day, config.model)
        predictions.append(preds)
        odds = data.odds[data.odds["game_id"].isin(day["game_id"])]
        board = latest_board(odds, at) if not odds.empty else odds
        if board.empty:
            continue
        consensus = market_consensus(board, config.consensus)
        scores.append(
            score_market_consensus(
                board, consensus, at, consensus_config=config.consensus, config=config.value
            )
        )
        if not preds.empty:
            scores.append(score_model_edge(board, preds, at, config=config.value))
    return Replay(
        mode=mode,
        scores=_concat(scores),
        predictions=_concat(predictions),
        instants=instants,
    )


def total_sigma_at(
    predictions: list[pd.DataFrame],
    results: pd.DataFrame,
    at: datetime,
    config: ModelEdgeConfig = DEFAULT_MODEL,
) -> float:
    """The total's sigma from earlier slates' predictions and results completed by ``at``."""
    done = results[pd.to_datetime(results["completed_at"], utc=True) <= pd.Timestamp(at)]
    past = _concat(predictions)
    if past.empty or done.empty:
        return estimate_total_sigma([], [], config)
    joined = past[["game_id", "pred_total"]].merge(
        done.assign(actual_total=done["home_score"] + done["away_score"])[
            ["game_id", "actual_total"]
        ],
        on="game_id",
    )
    return estimate_total_sigma(joined["pred_total"], joined["actual_total"], config)


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
