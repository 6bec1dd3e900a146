"""Team ratings as of a slate date: opponent-adjusted, recency-weighted, shrunk early on.

One weighted ridge regression per slate date, over every finished game before it:

    100 * points / possessions = mu + off[team] + def[opponent] + eta * (1/2 home, -1/2 away)

``off`` is how many points per 100 possessions a team scores above an average offence against
an average defence, ``def`` how many it allows above average, ``eta`` the home-court edge in
points per 100. Why this form:

* **Opponent adjustment.** Raw ratings reward soft schedules; a joint least-squares fit
  credits every result against the strength of whoever it came against, in one solve rather
  than an iterate-until-stable adjustment loop.
* **Shrinkage.** The ridge penalty ``prior_games`` is worth that many games of exactly
  league-average play per team, so in week one a 3-0 start moves a team a little, not to the
  top of the league; by February the data swamps it. Estimates with no data are the league
  average, never NaN.
* **Recency.** Teams change (injuries, trades, rotations), so a game's weight halves every
  ``half_life_games`` games, counted per team (the mean of both teams' "games ago").
* **Pace** is fitted the same way (possessions = pi + pace[home] + pace[away]) and reported
  per 48 minutes, so overtime games do not inflate it when ``game_results.periods`` is given.

Possessions per game are the mean of both teams' box-score estimates
FGA + 0.44 * FTA - OREB + TOV (the 0.44 is the usual share of free throws that end a
possession); a game without box scores gets the league mean of the known ones.

No look-ahead: only games whose slate date is strictly before ``as_of_date`` with a final
result are used, and when the frames carry knowledge times (``completed_at`` on results,
``observed_at`` on box-score lines), rows known after ``inputs_as_of`` are ignored. Adding
games, results or box scores from later changes nothing (a test proves it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nba_assets.analytics.columns import TEAM_STATS, require_columns
from nba_assets.core.slates import require_aware


@dataclass(frozen=True, slots=True)
class RatingsConfig:
    """Knobs of the rating fit; ``version`` tags every row computed with them."""

    version: str = "ratings-1.0"
    half_life_games: float = 20.0
    prior_games: float = 6.0
    prior_rating: float = 114.0
    prior_pace: float = 99.0
    prior_home_edge: float = 2.4
    home_prior_games: float = 40.0
    free_throw_factor: float = 0.44
    last_n: int = 10


DEFAULT_RATINGS = RatingsConfig()
_BOX_COLUMNS = ("fga", "fta", "oreb", "turnover")
_GAME_COLUMNS = ("game_id", "slate_date", "home_team_id", "away_team_id")


def team_game_totals(player_stats: pd.DataFrame) -> pd.DataFrame:
    """Box-score lines summed per (game_id, team_id), keeping the latest ``observed_at``.

    Idempotent (summing already-summed rows changes nothing), so a season run can sum once
    and pass the result to every :func:`team_ratings` call.
    """
    require_columns(player_stats, ("game_id", "team_id", *_BOX_COLUMNS), "player_stats")
    agg: dict[str, str] = {c: "sum" for c in _BOX_COLUMNS}
    if "observed_at" in player_stats.columns:
        agg["observed_at"] = "max"
    return player_stats.groupby(["game_id", "team_id"], as_index=False).agg(agg)


def _latest_finals(results: pd.DataFrame, inputs_as_of: datetime) -> pd.DataFrame:
    require_columns(results, ("game_id", "home_score", "away_score", "final"), "game_results")
    frame = results
    if "completed_at" in frame.columns:
        frame = frame[pd.to_datetime(frame["completed_at"], utc=True) <= inputs_as_of]
    if "version" in frame.columns:
        frame = frame.sort_values(["game_id", "version"], kind="stable")
    frame = frame.drop_duplicates("game_id", keep="last")
    return frame[frame["final"].astype(bool)]


def _played_games(
    as_of_date: date,
    games: pd.DataFrame,
    results: pd.DataFrame,
    totals: pd.DataFrame,
    inputs_as_of: datetime,
    config: RatingsConfig,
) -> pd.DataFrame:
    """Finished games before ``as_of_date``: scores, possessions, per-48 possessions."""
    sched = games.drop_duplicates("game_id", keep="last")
    sched = sched[pd.to_datetime(sched["slate_date"]).dt.date < as_of_date]
    finals = _latest_finals(results, inputs_as_of)
    cols = ["game_id", "home_score", "away_score"]
    if "periods" in finals.columns:
        cols.append("periods")
    played = sched[["game_id", "slate_date", "home_team_id", "away_team_id"]].merge(
        finals[cols], on="game_id", how="inner"
    )
    if "observed_at" in totals.columns:
        totals = totals[pd.to_datetime(totals["observed_at"], utc=True) <= inputs_as_of]
    box = totals.assign(
        poss=totals["fga"]
        + config.free_throw_factor * totals["fta"]
        - totals["oreb"]
        + totals["turnover"]
    )[["game_id", "team_id", "poss"]]
    for side in ("home", "away"):
        played = played.merge(
            box.rename(columns={"team_id": f"{side}_team_id", "poss": f"{side}_poss"}),
            on=["game_id", f"{side}_team_id"],
            how="left",
        )
    played["raw_poss"] = played[["home_poss", "away_poss"]].mean(axis=1, skipna=False)
    played = played.sort_values(["slate_date", "game_id"], kind="stable", ignore_index=True)
    return _with_possession_fill(played, config)


def _with_possession_fill(played: pd.DataFrame, config: RatingsConfig) -> pd.DataFrame:
    """Possessions per game (league mean of these games where box scores are missing)."""
    known = played["raw_poss"].dropna()
    fill = float(known.mean()) if len(known) else config.prior_pace
    poss = played["raw_poss"].fillna(fill).to_numpy(dtype=float)
    periods = played["periods"].fillna(4) if "periods" in played.columns else 4
    pace48 = poss * 48.0 / (48.0 + 5.0 * (np.asarray(periods) - 4.0))
    return played.assign(poss=poss, pace48=pace48)


def _games_ago(played: pd.DataFrame) -> NDArray[np.float64]:
    """Per game, the mean over both teams of how many of its games came after this one."""
    n = len(played)
    long = pd.DataFrame(
        {
            "row": np.concatenate([np.arange(n), np.arange(n)]),
            "team": np.concatenate([played["home_team_id"], played["away_team_id"]]),
        }
    )
    ago = long.iloc[::-1].groupby("team").cumcount().iloc[::-1]
    return ago.groupby(long["row"]).mean().to_numpy(dtype=float)


def _ridge(
    cols: NDArray,
    vals: NDArray,
    target: NDArray,
    weights: NDArray,
    penalty: NDArray,
    prior: NDArray,
) -> NDArray:
    """Minimise sum w (y - X b)^2 + sum penalty * (b - prior)^2 in closed form.

    X is sparse (each row has a handful of non-zeros, at ``cols`` with values ``vals``), so
    the normal equations are accumulated with ``bincount`` instead of a dense product: the
    parameter count stays ~60 while a season has thousands of rows.
    """
    p = penalty.size
    pair = (cols[:, :, None] * p + cols[:, None, :]).ravel()
    outer = (weights[:, None, None] * vals[:, :, None] * vals[:, None, :]).ravel()
    lhs = np.bincount(pair, weights=outer, minlength=p * p).reshape(p, p) + np.diag(penalty)
    rhs = np.bincount(
        cols.ravel(), weights=((weights * target)[:, None] * vals).ravel(), minlength=p
    )
    return np.linalg.solve(lhs, rhs + penalty * prior)


def _fit(
    played: pd.DataFrame, team_index: Mapping[int, int], config: RatingsConfig
) -> tuple[NDArray, NDArray, NDArray]:
    """(off, def, pace) per team index, league prior when there is nothing to fit."""
    t = len(team_index)
    n = len(played)
    home = played["home_team_id"].map(team_index).to_numpy(dtype=np.int64)
    away = played["away_team_id"].map(team_index).to_numpy(dtype=np.int64)
    w_game = 0.5 ** (_games_ago(played) / config.half_life_games) if n else np.zeros(0)

    # Efficiency: unknowns [mu, off_0..off_t-1, def_0..def_t-1, eta], two rows per game.
    offence = np.concatenate([home, away])
    defence = np.concatenate([away, home])
    cols = np.stack(
        [np.zeros(2 * n, dtype=np.int64), 1 + offence, 1 + t + defence, np.full(2 * n, 2 * t + 1)],
        axis=1,
    )
    vals = np.ones((2 * n, 4))
    vals[:, 3] = np.concatenate([np.full(n, 0.5), np.full(n, -0.5)])
    poss = played["poss"].to_numpy(dtype=float)
    points = np.concatenate([played["home_score"], played["away_score"]]).astype(float)
    y = 100.0 * points / np.concatenate([poss, poss])
    penalty = np.concatenate(
        [[1e-6 if n else 1.0], np.full(2 * t, config.prior_games), [config.home_prior_games]]
    )
    prior = np.zeros(2 * t + 2)
    prior[0], prior[-1] = config.prior_rating, config.prior_home_edge
    beta = _ridge(cols, vals, y, np.concatenate([w_game, w_game]), penalty, prior)
    mu, off, dfn = beta[0], beta[1 : 1 + t], beta[1 + t : 1 + 2 * t]

    # Pace: possessions per 48 = pi + pace[home] + pace[away].
    p_cols = np.stack([np.zeros(n, dtype=np.int64), 1 + home, 1 + away], axis=1)
    p_pen = np.concatenate([[1e-6 if n else 1.0], np.full(t, config.prior_games)])
    p_prior = np.zeros(t + 1)
    p_prior[0] = config.prior_pace
    pace = played["pace48"].to_numpy(dtype=float)
    gamma = _ridge(p_cols, np.ones((n, 3)), pace, w_game, p_pen, p_prior)
    return mu + off, mu + dfn, gamma[0] + gamma[1:]


def _raw_form(played: pd.DataFrame, config: RatingsConfig) -> pd.DataFrame:
    """Unadjusted record, average margin and last-N net rating per team."""
    sides = []
    for side, other in (("home", "away"), ("away", "home")):
        sides.append(
            pd.DataFrame(
                {
                    "team_id": played[f"{side}_team_id"].to_numpy(dtype=np.int64),
                    "order": np.arange(len(played)),
                    "pts_for": played[f"{side}_score"].to_numpy(dtype=float),
                    "pts_against": played[f"{other}_score"].to_numpy(dtype=float),
                    "poss": played["poss"].to_numpy(dtype=float),
                }
            )
        )
    long = pd.concat(sides, ignore_index=True).sort_values(["team_id", "order"], kind="stable")
    long["margin"] = long["pts_for"] - long["pts_against"]
    long["win"] = (long["margin"] > 0).astype(np.int64)
    by_team = long.groupby("team_id")
    form = pd.DataFrame(
        {
            "games_played": by_team.size(),
            "wins": by_team["win"].sum(),
            "margin_avg": by_team["margin"].mean(),
        }
    )
    recent = long.groupby("team_id").tail(config.last_n).groupby("team_id")
    sums = recent[["pts_for", "pts_against", "poss"]].sum()
    form["last10_net"] = 100.0 * (sums["pts_for"] - sums["pts_against"]) / sums["poss"]
    form["losses"] = form["games_played"] - form["wins"]
    return form


def _rate(
    played: pd.DataFrame,
    teams: np.ndarray,
    as_of_date: date,
    inputs_as_of: datetime,
    config: RatingsConfig,
) -> pd.DataFrame:
    team_index = {int(team): i for i, team in enumerate(teams)}
    off, dfn, pace = _fit(played, team_index, config)
    out = pd.DataFrame(
        {
            "team_id": teams.astype(np.int64),
            "off_rating": off,
            "def_rating": dfn,
            "net_rating": off - dfn,
            "pace": pace,
        }
    )
    form = _raw_form(played, config)
    out = out.merge(form, left_on="team_id", right_index=True, how="left")
    for col in ("games_played", "wins", "losses"):
        out[col] = out[col].fillna(0).astype(np.int64)
    out["as_of_date"] = as_of_date
    out["inputs_as_of"] = pd.Timestamp(inputs_as_of)
    return out[list(TEAM_STATS)].reset_index(drop=True)


def _teams(games: pd.DataFrame) -> np.ndarray:
    return np.union1d(games["home_team_id"].unique(), games["away_team_id"].unique())


def team_ratings(
    as_of_date: date,
    games: pd.DataFrame,
    results: pd.DataFrame,
    player_stats: pd.DataFrame,
    inputs_as_of: datetime,
    config: RatingsConfig = DEFAULT_RATINGS,
    teams: Iterable[int] | None = None,
) -> pd.DataFrame:
    """One ``nba.team_stats`` row per team, rated on games before ``as_of_date``.

    ``player_stats`` may be box-score lines or their sums from :func:`team_game_totals`.
    ``teams`` defaults to those in ``games``; pass the league's franchises to rate a team
    whose first game the warehouse has not loaded yet (it gets the prior, like any team
    with no finished game: league ratings and null margin/last-10 values).
    """
    require_columns(games, _GAME_COLUMNS, "games")
    inputs_as_of = require_aware(inputs_as_of, "inputs_as_of")
    totals = team_game_totals(player_stats)
    played = _played_games(as_of_date, games, results, totals, inputs_as_of, config)
    rated = _teams(games) if teams is None else np.union1d(_teams(games), list(teams))
    return _rate(played, rated, as_of_date, inputs_as_of, config)


def season_team_ratings(
    as_of_dates: Iterable[date],
    games: pd.DataFrame,
    results: pd.DataFrame,
    player_stats: pd.DataFrame,
    inputs_as_of: Mapping[date, datetime] | datetime,
    config: RatingsConfig = DEFAULT_RATINGS,
) -> pd.DataFrame:
    """:func:`team_ratings` for many slate dates, preparing the season's games only once.

    ``inputs_as_of`` is one instant for all dates (a backtest reading everything as of now
    still cannot see games on or after each date) or a mapping per date. With one instant,
    the finished games are assembled once and each date fits on the prefix before it; the
    rows are identical to separate :func:`team_ratings` calls (a test checks it).
    """
    require_columns(games, _GAME_COLUMNS, "games")
    days = sorted(set(as_of_dates))
    if not days:
        return pd.DataFrame(columns=list(TEAM_STATS))
    totals = team_game_totals(player_stats)
    teams = _teams(games)
    if isinstance(inputs_as_of, Mapping):
        return pd.concat(
            [team_ratings(d, games, results, totals, inputs_as_of[d], config) for d in days],
            ignore_index=True,
        )
    known = require_aware(inputs_as_of, "inputs_as_of")
    season = _played_games(max(days) + timedelta(days=1), games, results, totals, known, config)
    slate = pd.to_datetime(season["slate_date"]).dt.date
    frames = []
    for day in days:
        played = season[slate < day].reset_index(drop=True)
        played = _with_possession_fill(played, config)
        frames.append(_rate(played, teams, day, known, config))
    return pd.concat(frames, ignore_index=True)
