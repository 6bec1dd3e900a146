"""Rest, back-to-backs, travel and time-zone shifts for every team-game of a schedule.

Schedule fatigue is one of the few edges that is fully known in advance, so these features
use the whole schedule, future games included: whether tonight is the *first* half of a
back-to-back depends on tomorrow's game, which is on the schedule long before either tips.
Nothing here depends on results.

Conventions (the ``nba.schedule_context`` columns):

* ``rest_days``: full days off between the previous game and this one (consecutive nights
  give 0); null for a team's first game.
* ``back_to_back``: this game and an adjacent one are on consecutive slate dates (either
  half); ``back_to_back_second``: this game is the second night.
* ``games_last_N_nights``: the team's games on the N slate dates before this one (d-N to
  d-1), this game excluded, so the third game in four nights has at least 2.
* ``travel_km``: great-circle (haversine, mean Earth radius) distance from the previous
  game's location to this one; 0 for the first game. A game is located at the home team's
  arena, neutral sites included, because the schedule does not carry venue coordinates.
* ``tz_shift_hours``: UTC offset of this game's arena at its tip-off minus that of the
  previous game's arena at its tip-off, via ``zoneinfo`` so daylight saving is honoured
  (Phoenix does not observe it). Positive means the team moved east (body clock behind).
* ``home_streak`` / ``road_streak``: consecutive home (road) games ending with this one,
  0 for the other kind.

Postponed and canceled games are dropped before anything is computed (when the frame has a
``status`` column): a game that was never played gave nobody rest or travel.
"""

from __future__ import annotations

import math
from datetime import datetime
from functools import cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from nba_assets.analytics.columns import SCHEDULE_CONTEXT, require_columns
from nba_assets.core.teams import FRANCHISES

# Mean Earth radius (IUGG), the conventional choice for haversine distances.
EARTH_RADIUS_KM = 6371.0088
_NOT_PLAYED = ("postponed", "canceled")
_GAME_COLUMNS = ("game_id", "slate_date", "home_team_id", "away_team_id", "commence_time")
_DAY_GAP = 1_000_000  # separates teams when dates are packed into one sorted key


def haversine_km(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> NDArray:
    """Great-circle distance in km between points given in degrees, elementwise."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2, dtype=float) - np.asarray(lon1, dtype=float))
    a = np.sin(dphi / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2.0) ** 2
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@cache
def _arena_table() -> tuple[NDArray, NDArray, tuple[str, ...]]:
    size = max(f.team_id for f in FRANCHISES) + 1
    lat = np.full(size, np.nan)
    lon = np.full(size, np.nan)
    zones = [""] * size
    for f in FRANCHISES:
        lat[f.team_id], lon[f.team_id], zones[f.team_id] = f.latitude, f.longitude, f.time_zone
    return lat, lon, tuple(zones)


@cache
def _utc_offset_hours(zone: str, when: datetime) -> float:
    offset = when.astimezone(ZoneInfo(zone)).utcoffset()
    return offset.total_seconds() / 3600.0 if offset is not None else math.nan


def _offsets(team_ids: NDArray, tips: pd.Series) -> NDArray:
    """UTC offset of each team's arena at each tip-off, computed once per (zone, instant).

    The tip-off itself, not its day, is converted: on a daylight-saving Sunday an afternoon
    game and the previous evening's game can straddle the change.
    """
    _, _, zones = _arena_table()
    keys = pd.DataFrame({"zone": [zones[t] for t in team_ids], "tip": tips.to_numpy()})
    unique = keys.drop_duplicates()
    unique_offsets = [
        _utc_offset_hours(z, t.to_pydatetime())
        for z, t in zip(unique["zone"], unique["tip"], strict=True)
    ]
    table = unique.assign(offset=unique_offsets)
    return keys.merge(table, on=["zone", "tip"], how="left")["offset"].to_numpy(dtype=float)


def _team_games(games: pd.DataFrame) -> pd.DataFrame:
    """One row per (team, game), sorted by team then tip-off."""
    frame = games.drop_duplicates("game_id", keep="last")
    if "status" in frame.columns:
        frame = frame[~frame["status"].isin(_NOT_PLAYED)]
    tips = pd.to_datetime(frame["commence_time"], utc=True)
    base = pd.DataFrame(
        {
            "game_id": frame["game_id"].to_numpy(dtype=np.int64),
            "slate_date": pd.to_datetime(frame["slate_date"]).to_numpy(),
            "commence_time": tips.to_numpy(),
            "venue_team_id": frame["home_team_id"].to_numpy(dtype=np.int64),
        }
    )
    home = base.assign(team_id=frame["home_team_id"].to_numpy(dtype=np.int64), is_home=True)
    away = base.assign(team_id=frame["away_team_id"].to_numpy(dtype=np.int64), is_home=False)
    both = pd.concat([home, away], ignore_index=True)
    both["commence_time"] = pd.to_datetime(both["commence_time"], utc=True)
    return both.sort_values(["team_id", "commence_time"], kind="stable", ignore_index=True)


def _streaks(team: NDArray, is_home: NDArray) -> tuple[NDArray, NDArray]:
    """Run lengths of consecutive home/road games per team, counting the current game."""
    n = len(team)
    idx = np.arange(n)
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = (team[1:] != team[:-1]) | (is_home[1:] != is_home[:-1])
    run_start = np.maximum.accumulate(np.where(new_run, idx, 0))
    length = idx - run_start + 1
    return np.where(is_home, length, 0), np.where(is_home, 0, length)


def schedule_context(games: pd.DataFrame) -> pd.DataFrame:
    """Two rows per played game (home and away team) with the ``nba.schedule_context`` columns.

    ``games`` needs game_id, slate_date, home_team_id, away_team_id and an aware
    commence_time; pass every game of the season (or at least the previous week) so the
    first game of a slate gets its true previous game rather than "first game" defaults.
    """
    require_columns(games, _GAME_COLUMNS, "games")
    tg = _team_games(games)
    if tg.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in SCHEDULE_CONTEXT})

    team = tg["team_id"].to_numpy()
    day = (tg["slate_date"].to_numpy().astype("datetime64[D]").astype(np.int64)).astype(np.int64)
    venue = tg["venue_team_id"].to_numpy()
    is_home = tg["is_home"].to_numpy(dtype=bool)
    n = len(tg)

    has_prev = np.zeros(n, dtype=bool)
    has_prev[1:] = team[1:] == team[:-1]
    has_next = np.zeros(n, dtype=bool)
    has_next[:-1] = team[:-1] == team[1:]
    prev = np.where(has_prev, np.arange(n) - 1, 0)
    nxt = np.where(has_next, np.arange(n) + 1, 0)

    gap_prev = np.where(has_prev, day - day[prev], -1)
    gap_next = np.where(has_next, day[nxt] - day, -1)
    b2b_second = gap_prev == 1
    b2b = b2b_second | (gap_next == 1)

    key = team * _DAY_GAP + day
    counts = {}
    for nights in (4, 6):
        first = np.searchsorted(key, key - nights, side="left")
        counts[nights] = np.arange(n) - first

    lat, lon, _ = _arena_table()
    here_lat, here_lon = lat[venue], lon[venue]
    km = haversine_km(here_lat[prev], here_lon[prev], here_lat, here_lon)
    travel = np.where(has_prev, km, 0.0)

    offsets = _offsets(venue, tg["commence_time"])
    tz_shift = np.where(has_prev, offsets - offsets[prev], 0.0)
    home_streak, road_streak = _streaks(team, is_home)

    out = pd.DataFrame(
        {
            "game_id": tg["game_id"].to_numpy(dtype=np.int64),
            "team_id": team.astype(np.int64),
            "is_home": is_home,
            "rest_days": pd.array(np.where(has_prev, gap_prev - 1, 0), dtype="Int64"),
            "back_to_back": b2b,
            "back_to_back_second": b2b_second,
            "games_last_4_nights": counts[4].astype(np.int64),
            "games_last_6_nights": counts[6].astype(np.int64),
            "travel_km": travel,
            "tz_shift_hours": tz_shift,
            "home_streak": home_streak.astype(np.int64),
            "road_streak": road_streak.astype(np.int64),
        }
    )
    out.loc[~has_prev, "rest_days"] = pd.NA
    return out.sort_values(["game_id", "is_home"], ascending=[True, False], ignore_index=True)[
        list(SCHEDULE_CONTEXT)
    ]
