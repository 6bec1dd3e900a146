"""model_edge: a margin and total distribution per game from ratings, schedule and injuries.

Expected possessions are ``pace_home + pace_away - league_pace`` (each team's pace is already
"against an average opponent"); per 100 possessions the home side expects
``off_home + def_away - L`` and the away side ``off_away + def_home - L`` with L the league
average rating of the day. Hence

    margin = (net_home - net_away) * poss / 100 + home_court
             + situational(home) - situational(away) - k * (missing_home - missing_away)
    total  = (off_home + def_away + off_away + def_home - 2L) * poss / 100
             + t * k * (missing_home + missing_away)

where ``situational`` is rest (second night of a back-to-back, a third game in four nights,
two or more days off), travel and time-zone shift, and ``missing`` is the injury impact in
player-value units (``k`` converts to points of margin; ``t`` is the share of a missing
player's value that also comes off the total). Margin ~ N(margin, ``margin_sigma``) and
total ~ N(total, total sigma) (see :mod:`nba_assets.analytics.distributions`);
P(home win) = Φ(margin / margin_sigma). The total sigma comes from
:func:`estimate_total_sigma` (residual sd of past totals, shrunk to a default) because the
spread of totals drifts with the league's scoring more than margins do.

No look-ahead: nothing with a knowledge time after ``predicted_at`` is read. Team ratings
with ``inputs_as_of`` after it and injury reports filed after it are filtered out; player
values carrying an ``inputs_as_of`` after it are an error (they are aggregates and cannot be
filtered). ``inputs_known_at`` records the latest knowledge time actually used. Games that
have already tipped off are not predicted: this is a pre-game model.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pandas as pd

from nba_assets.analytics.columns import MODEL_PREDICTIONS, require_columns
from nba_assets.analytics.distributions import norm_cdf
from nba_assets.analytics.injuries import (
    DEFAULT_RULE,
    PlayProbabilityRule,
    injuries_in_force,
    injury_impact,
)
from nba_assets.core.slates import require_aware

MODEL_NAME = "model_edge"


@dataclass(frozen=True, slots=True)
class ModelEdgeConfig:
    """Coefficients of the model; ``version`` is written to ``model_version``."""

    version: str = "model_edge-1.0"
    home_court: float = 2.2
    margin_sigma: float = 12.0
    total_sigma_default: float = 18.0
    total_sigma_floor: float = 14.0
    total_sigma_prior_games: float = 100.0
    back_to_back_second: float = -1.4
    third_in_four_nights: float = -0.6
    well_rested: float = 0.4
    well_rested_days: int = 2
    travel_per_1000_km: float = -0.25
    travel_cap: float = -1.0
    tz_per_hour: float = -0.2
    injury_points_per_value: float = 0.6
    injury_total_share: float = -0.4


DEFAULT_MODEL = ModelEdgeConfig()
_SCHEDULE_COLUMNS = (
    "back_to_back_second",
    "games_last_4_nights",
    "rest_days",
    "travel_km",
    "tz_shift_hours",
)


def estimate_total_sigma(
    pred_total: np.ndarray | pd.Series,
    actual_total: np.ndarray | pd.Series,
    config: ModelEdgeConfig = DEFAULT_MODEL,
) -> float:
    """Residual sd of totals, shrunk toward the default and floored.

    Shrinking (a pooled variance with ``total_sigma_prior_games`` pseudo-games at the default)
    keeps the first weeks from trusting a dozen residuals; the floor guards against a
    lucky stretch making the model overconfident.
    """
    pred = np.asarray(pred_total, dtype=float)
    actual = np.asarray(actual_total, dtype=float)
    ok = np.isfinite(pred) & np.isfinite(actual)
    n = int(ok.sum())
    prior_n = config.total_sigma_prior_games
    sum_sq = float(np.sum((actual[ok] - pred[ok]) ** 2)) if n else 0.0
    pooled = np.sqrt((sum_sq + prior_n * config.total_sigma_default**2) / (n + prior_n))
    return float(max(config.total_sigma_floor, pooled))


def _situational(side: pd.DataFrame, config: ModelEdgeConfig) -> pd.DataFrame:
    """Points of margin one team gains (negative: loses) from its schedule spot."""
    rest = pd.to_numeric(side["rest_days"], errors="coerce")
    b2b = side["back_to_back_second"].eq(True).to_numpy()
    third = pd.to_numeric(side["games_last_4_nights"]).fillna(0).to_numpy() >= 2
    rested = (rest.isna() | (rest >= config.well_rested_days)).to_numpy() & ~b2b
    rest_pts = (
        np.where(b2b, config.back_to_back_second, 0.0)
        + np.where(third, config.third_in_four_nights, 0.0)
        + np.where(rested, config.well_rested, 0.0)
    )
    km = side["travel_km"].fillna(0.0).to_numpy(dtype=float)
    travel_pts = np.maximum(config.travel_cap, config.travel_per_1000_km * km / 1000.0)
    tz_pts = config.tz_per_hour * np.abs(side["tz_shift_hours"].fillna(0.0).to_numpy(dtype=float))
    return pd.DataFrame(
        {"rest_pts": rest_pts, "travel_pts": travel_pts, "tz_pts": tz_pts}, index=side.index
    )


def _ratings_for(
    games: pd.DataFrame, team_stats: pd.DataFrame, predicted_at: datetime
) -> pd.DataFrame:
    """Latest ratings per (game, side) known at ``predicted_at`` and dated on/before the slate."""
    known = team_stats[pd.to_datetime(team_stats["inputs_as_of"], utc=True) <= predicted_at]
    known = known.assign(
        _as_of=pd.to_datetime(known["as_of_date"]).dt.date,
        _known=pd.to_datetime(known["inputs_as_of"], utc=True),
    )
    cols = ["team_id", "_as_of", "_known", "off_rating", "def_rating", "net_rating", "pace"]
    cols += ["games_played"] if "games_played" in known.columns else []
    out = games[["game_id", "slate"]].copy()
    for side in ("home", "away"):
        pairs = games[["game_id", "slate", f"{side}_team_id"]].merge(
            known[cols], left_on=f"{side}_team_id", right_on="team_id", how="left"
        )
        pairs = pairs[pairs["_as_of"].isna() | (pairs["_as_of"] <= pairs["slate"])]
        pairs = pairs.sort_values(["game_id", "_as_of", "_known"], kind="stable")
        best = pairs.drop_duplicates("game_id", keep="last").set_index("game_id")
        for col in cols[2:]:
            out[f"{side}_{col.lstrip('_')}"] = out["game_id"].map(best[col])
    return out


def _prepare_injuries(
    injuries: pd.DataFrame | None,
    player_values: pd.DataFrame | None,
    predicted_at: datetime,
    rule: PlayProbabilityRule,
) -> tuple[pd.Series, pd.Timestamp | None]:
    """Missing value per team, and the latest knowledge time among the inputs used."""
    if injuries is None or player_values is None or injuries.empty or player_values.empty:
        return pd.Series(dtype=float), None
    if "inputs_as_of" in player_values.columns:
        latest = pd.to_datetime(player_values["inputs_as_of"], utc=True).max()
        if pd.notna(latest) and latest > predicted_at:
            raise ValueError(
                f"player_values were computed from data known at {latest}, after "
                f"predicted_at {predicted_at}: that would be look-ahead"
            )
    in_force = injuries_in_force(injuries, predicted_at)
    impact = injury_impact(in_force, player_values, rule).set_index("team_id")["missing_value"]
    times = [pd.to_datetime(in_force["reported_at"], utc=True).max()] if len(in_force) else []
    if "inputs_as_of" in player_values.columns:
        times.append(pd.to_datetime(player_values["inputs_as_of"], utc=True).max())
    times = [t for t in times if pd.notna(t)]
    return impact, (max(times) if times else None)


def predict_games(
    games: pd.DataFrame,
    team_stats: pd.DataFrame,
    schedule: pd.DataFrame | None,
    predicted_at: datetime,
    *,
    injuries: pd.DataFrame | None = None,
    player_values: pd.DataFrame | None = None,
    total_sigma: float | None = None,
    config: ModelEdgeConfig = DEFAULT_MODEL,
    rule: PlayProbabilityRule = DEFAULT_RULE,
) -> pd.DataFrame:
    """``nba.model_predictions`` rows for every game not yet started at ``predicted_at``.

    ``games``: game_id, home_team_id, away_team_id, commence_time (slate from the id).
    ``team_stats``: rows from :func:`nba_assets.analytics.ratings.team_ratings`, any dates.
    ``schedule``: ``nba.schedule_context`` rows (None: no situational adjustments).
    ``injuries``: raw reports; ``player_values``: from
    :func:`nba_assets.analytics.injuries.player_values`.
    """
    require_columns(games, ("game_id", "home_team_id", "away_team_id", "commence_time"), "games")
    predicted_at = require_aware(predicted_at, "predicted_at")
    tips = pd.to_datetime(games["commence_time"], utc=True)
    todo = games[tips > predicted_at].drop_duplicates("game_id", keep="last").copy()
    ymd = todo["game_id"].to_numpy(dtype=np.int64) // 100
    todo["slate"] = pd.to_datetime(pd.Series(ymd.astype(str), index=todo.index)).dt.date
    if todo.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in MODEL_PREDICTIONS})

    rated = _ratings_for(todo, team_stats, predicted_at)
    league = team_stats[pd.to_datetime(team_stats["inputs_as_of"], utc=True) <= predicted_at]
    if league.empty:
        raise ValueError(f"no team ratings were known at predicted_at {predicted_at}")
    latest_day = pd.to_datetime(league["as_of_date"]).max()
    league = league[pd.to_datetime(league["as_of_date"]) == latest_day]
    league_rating = float(league["off_rating"].mean())
    league_pace = float(league["pace"].mean())
    for side in ("home", "away"):
        for col in ("off_rating", "def_rating", "pace"):
            fill = league_pace if col == "pace" else league_rating
            rated[f"{side}_{col}"] = rated[f"{side}_{col}"].fillna(fill)
        rated[f"{side}_net_rating"] = rated[f"{side}_off_rating"] - rated[f"{side}_def_rating"]

    situ = {}
    for side in ("home", "away"):
        ids = todo[["game_id", f"{side}_team_id"]].rename(columns={f"{side}_team_id": "team_id"})
        if schedule is not None and not schedule.empty:
            ctx = ids.merge(
                schedule.drop_duplicates(["game_id", "team_id"], keep="last")[
                    ["game_id", "team_id", *_SCHEDULE_COLUMNS]
                ],
                on=["game_id", "team_id"],
                how="left",
            )
        else:
            ctx = ids.assign(**{c: np.nan for c in _SCHEDULE_COLUMNS})
        situ[side] = _situational(ctx.set_index(todo.index), config)

    impact, injuries_known = _prepare_injuries(injuries, player_values, predicted_at, rule)
    missing = {
        side: todo[f"{side}_team_id"].map(impact).fillna(0.0).to_numpy(dtype=float)
        for side in ("home", "away")
    }

    h, a = "home_", "away_"
    poss = (rated[h + "pace"] + rated[a + "pace"] - league_pace).to_numpy(dtype=float)
    net_diff = (rated[h + "net_rating"] - rated[a + "net_rating"]).to_numpy(dtype=float)
    situ_home = situ["home"].sum(axis=1).to_numpy()
    situ_away = situ["away"].sum(axis=1).to_numpy()
    k = config.injury_points_per_value
    injury_margin = -k * (missing["home"] - missing["away"])
    margin = net_diff * poss / 100.0 + config.home_court + situ_home - situ_away + injury_margin
    per100 = (
        rated[h + "off_rating"]
        + rated[a + "def_rating"]
        + rated[a + "off_rating"]
        + rated[h + "def_rating"]
        - 2.0 * league_rating
    ).to_numpy(dtype=float)
    injury_total = config.injury_total_share * k * (missing["home"] + missing["away"])
    total = per100 * poss / 100.0 + injury_total
    t_sigma = config.total_sigma_default if total_sigma is None else float(total_sigma)

    known_at = pd.concat([rated[h + "known"], rated[a + "known"]], axis=1).max(axis=1)
    if injuries_known is not None:
        known_at = known_at.where(known_at >= injuries_known, injuries_known)
    known_at = pd.to_datetime(known_at, utc=True).fillna(pd.Timestamp(predicted_at))

    features = []
    for i in range(len(todo)):
        row = {
            "poss": poss[i],
            "league_rating": league_rating,
            "home_court": config.home_court,
            "injury_margin": injury_margin[i],
            "injury_total": injury_total[i],
        }
        for side, frame in (("home", situ["home"]), ("away", situ["away"])):
            for col in ("off_rating", "def_rating", "net_rating", "pace", "games_played"):
                if f"{side}_{col}" in rated.columns:
                    row[f"{side}_{col}"] = rated[f"{side}_{col}"].iloc[i]
            for col in frame.columns:
                row[f"{side}_{col}"] = frame[col].iloc[i]
            row[f"{side}_missing_value"] = missing[side][i]
        features.append({key: _jsonable(value) for key, value in row.items()})

    out = pd.DataFrame(
        {
            "game_id": todo["game_id"].to_numpy(dtype=np.int64),
            "model": MODEL_NAME,
            "model_version": config.version,
            "predicted_at": pd.Timestamp(predicted_at),
            "inputs_known_at": known_at.to_numpy(),
            "pred_margin": margin,
            "pred_total": total,
            "margin_sigma": config.margin_sigma,
            "total_sigma": t_sigma,
            "p_home_win": norm_cdf(margin / config.margin_sigma),
            "features": features,
        }
    )
    out["inputs_known_at"] = pd.to_datetime(out["inputs_known_at"], utc=True)
    return out[list(MODEL_PREDICTIONS)]


def _jsonable(value: object) -> object:
    """Plain Python scalars for the jsonb column (numpy types and NaN are not JSON)."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if not np.isfinite(value) else float(value)
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    return value
