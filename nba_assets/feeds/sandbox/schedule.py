"""An 82-game regular season for the real 30 franchises, built the way the league builds one.

The matchup counts follow the NBA formula (4 games against each division rival, 3 or 4
against the other conference teams, 2 against the other conference), which makes every team
41 home / 41 away by construction. Dates are then filled day by day: teams behind their pace
play first, back-to-backs are discouraged but not forbidden (about 14 per team, as in the real
league) and a team that is on the road tends to stay there, which produces road trips.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import numpy as np

from nba_assets.core.slates import game_id_for
from nba_assets.core.teams import FRANCHISES, Franchise, franchise
from nba_assets.feeds.sandbox._stable import stable_hex, stable_rng

GAMES_PER_TEAM = 82
_WEEKDAY_WEIGHT = (0.95, 0.9, 1.25, 0.75, 1.15, 1.1, 0.9)
_EVENING = ((19, 0), (19, 30), (20, 0), (18, 0))
_EVENING_P = (0.47, 0.40, 0.09, 0.04)
_AFTERNOON = ((12, 0), (13, 0), (15, 0), (15, 30), (17, 0))
_B2B_PENALTY = 0.3
_TRIP_BONUS = 0.12
_BALANCE = 1.0


@dataclass(frozen=True, slots=True)
class SandboxGame:
    """One scheduled game with its internal id and both providers' ids."""

    index: int
    game_id: int
    season: int
    slate: date
    home_id: int
    away_id: int
    tip_off: datetime
    odds_event_id: str
    bdl_game_id: int
    tip_epoch: int

    @property
    def home(self) -> Franchise:
        return franchise(self.home_id)

    @property
    def away(self) -> Franchise:
        return franchise(self.away_id)


def season_window(season: int) -> tuple[date, date]:
    """Opening night (first Tuesday from 18 October) and the last day (second Sunday of April).

    This reproduces the real calendars: 2022-10-18..2023-04-09, 2023-10-24..2024-04-14,
    2024-10-22..2025-04-13.
    """
    first = date(season, 10, 18)
    first += timedelta(days=(1 - first.weekday()) % 7)
    april = date(season + 1, 4, 1)
    last = april + timedelta(days=(6 - april.weekday()) % 7 + 7)
    return first, last


def off_days(season: int) -> frozenset[date]:
    """Thanksgiving, Christmas Eve and the All-Star break (Friday to Wednesday)."""
    november = date(season, 11, 1)
    thanksgiving = november + timedelta(days=(3 - november.weekday()) % 7 + 21)
    february = date(season + 1, 2, 1)
    all_star_sunday = february + timedelta(days=(6 - february.weekday()) % 7 + 14)
    days = {thanksgiving, date(season, 12, 24)}
    days |= {all_star_sunday + timedelta(days=k) for k in range(-2, 4)}
    return frozenset(days)


def build_schedule(season: int, seed: int) -> tuple[SandboxGame, ...]:
    rng = stable_rng("schedule", season, seed)
    home, away = _matchups(rng)
    first, last = season_window(season)
    closed = off_days(season)
    days = [
        first + timedelta(days=k)
        for k in range((last - first).days + 1)
        if first + timedelta(days=k) not in closed
    ]
    day_of_game = _assign_days(rng, home, away, days, first)
    return _finalise(rng, season, seed, home, away, day_of_game, first)


def _matchups(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    pairs: list[tuple[int, int]] = []
    teams = list(FRANCHISES)
    for i, a in enumerate(teams):
        for b in teams[i + 1 :]:
            if a.conference != b.conference:
                pairs += [(a.team_id, b.team_id), (b.team_id, a.team_id)]
            elif a.division == b.division:
                pairs += [(a.team_id, b.team_id), (b.team_id, a.team_id)] * 2
    for conference in ("East", "West"):
        names = sorted({f.division for f in teams if f.conference == conference})
        divs = [
            [int(t) for t in rng.permutation([f.team_id for f in teams if f.division == name])]
            for name in names
        ]
        # Offsets 0 and 1 between neighbouring divisions make the 3-game series: each team
        # gets four, hosting two of them twice, so home/away stays 41/41.
        for x, y in ((0, 1), (1, 2), (2, 0)):
            for i, a_id in enumerate(divs[x]):
                for j, b_id in enumerate(divs[y]):
                    offset = (j - i) % 5
                    if offset == 0:
                        pairs += [(a_id, b_id), (a_id, b_id), (b_id, a_id)]
                    elif offset == 1:
                        pairs += [(b_id, a_id), (b_id, a_id), (a_id, b_id)]
                    else:
                        pairs += [(a_id, b_id), (b_id, a_id)] * 2
    order = rng.permutation(len(pairs))
    arr = np.array(pairs, dtype=np.int64)[order]
    return arr[:, 0], arr[:, 1]


def _distance_matrix() -> np.ndarray:
    """Great-circle km between arenas, indexed by team id (row and column 0 unused)."""
    lat = np.radians([0.0, *(f.latitude for f in FRANCHISES)])
    lon = np.radians([0.0, *(f.longitude for f in FRANCHISES)])
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    h = np.sin(dlat / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, :]) * np.sin(dlon / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


_DIST = _distance_matrix()


def distance_km(team_a: int, team_b: int) -> float:
    """Great-circle distance between two arenas, for travel effects."""
    return float(_DIST[team_a, team_b])


def _day_weights(days: list[date]) -> np.ndarray:
    """Relative slate sizes: Wednesdays and Fridays are busy, Thursdays light (national TV),
    and the last day is big because every team finishes on it or close to it."""
    weights = np.array([_WEEKDAY_WEIGHT[d.weekday()] for d in days])
    weights[-1] = 2.0
    return weights


def _assign_days(
    rng: np.random.Generator,
    home: np.ndarray,
    away: np.ndarray,
    days: list[date],
    first: date,
) -> np.ndarray:
    """Day offset (from opening night) of every matchup.

    Each day takes a weekday-shaped share of the games left, picking greedily by a score that
    favours teams behind pace, penalises back-to-backs, long trips, lopsided home/away
    remainders and rematches within 12 days, and never allows three games in three days.
    """
    n_games = len(home)
    day_of_game = np.full(n_games, -1, dtype=np.int64)
    weights = _day_weights(days)
    offsets = np.array([(d - first).days for d in days])
    left = np.full(31, GAMES_PER_TEAM, dtype=float)
    left[0] = 0
    home_left = np.full(31, GAMES_PER_TEAM / 2)
    last_day = np.full(31, -10, dtype=np.int64)
    prev_day = np.full(31, -10, dtype=np.int64)
    last_home = np.zeros(31, dtype=bool)
    streak = np.zeros(31, dtype=float)
    last_site = np.arange(31)
    pair_last = np.full((31, 31), -100, dtype=np.int64)
    remaining = np.arange(n_games)
    for k, day in enumerate(days):
        off = int(offsets[k])
        if len(remaining) == 0:
            break
        if k == 0:
            target = 2
        elif day.month == 12 and day.day == 25:
            target = 5
        else:
            share = len(remaining) * weights[k] / weights[k:].sum()
            target = math.floor(share + rng.random())
        urgency = left / max(1, len(days) - k)
        h = home[remaining]
        a = away[remaining]
        played_yday = last_day == off - 1
        three_in_three = played_yday & (prev_day == off - 2)
        feasible = ~(three_in_three[h] | three_in_three[a])
        score = 4.0 * (urgency[h] + urgency[a])
        score -= _B2B_PENALTY * (played_yday[h].astype(float) + played_yday[a])
        on_trip = ~last_home[a] & (last_day[a] >= off - 2)
        score += _TRIP_BONUS * on_trip + 0.5 * _TRIP_BONUS * (
            last_home[h] & (last_day[h] >= off - 2)
        )
        long_h = np.where(last_home[h], np.maximum(streak[h] - 3, 0), 0)
        long_a = np.where(~last_home[a], np.maximum(streak[a] - 3, 0), 0)
        score -= 0.3 * (long_h + long_a)
        home_share = home_left / np.maximum(left, 1.0)
        score += _BALANCE * ((home_share[h] - 0.5) + (0.5 - home_share[a]))
        score -= 0.15 * _DIST[last_site[a], h] / 1000.0 * played_yday[a]
        score -= 0.6 * ((off - pair_last[h, a]) < 12)
        score += rng.normal(0.0, 0.35, len(remaining))
        score[~feasible] = -np.inf
        busy: set[int] = set()
        picked: list[int] = []
        for pos in np.argsort(-score, kind="stable"):
            if len(picked) >= target or not np.isfinite(score[pos]):
                break
            hh, aa = int(h[pos]), int(a[pos])
            if hh in busy or aa in busy:
                continue
            busy.update((hh, aa))
            picked.append(int(pos))
            g = int(remaining[pos])
            day_of_game[g] = k
            for team, is_home in ((hh, True), (aa, False)):
                left[team] -= 1
                home_left[team] -= is_home
                streak[team] = streak[team] + 1 if last_home[team] == is_home else 1
                prev_day[team] = last_day[team]
                last_day[team] = off
                last_home[team] = is_home
                last_site[team] = hh
            pair_last[hh, aa] = pair_last[aa, hh] = off
        remaining = np.delete(remaining, picked)
    _repair(remaining, home, away, day_of_game, offsets)
    return offsets[day_of_game]


def _repair(
    remaining: np.ndarray,
    home: np.ndarray,
    away: np.ndarray,
    day_of_game: np.ndarray,
    offsets: np.ndarray,
) -> None:
    """Place games the greedy pass could not fit on the day that hurts rest the least.

    Three games in three days stay forbidden; among the other free days the one adding the
    fewest back-to-backs wins.
    """
    busy: dict[int, set[int]] = {t: set() for t in range(1, 31)}
    for g, k in enumerate(day_of_game.tolist()):
        if k >= 0:
            busy[int(home[g])].add(int(offsets[k]))
            busy[int(away[g])].add(int(offsets[k]))
    for g in remaining.tolist():
        teams = (int(home[g]), int(away[g]))
        best, best_cost = -1, math.inf
        for k, off in enumerate(offsets.tolist()):
            cost = 0.0
            for team in teams:
                days = busy[team]
                if off in days or any(
                    off + a in days and off + b in days for a, b in ((-2, -1), (-1, 1), (1, 2))
                ):
                    cost = math.inf
                    break
                cost += (off - 1 in days) + (off + 1 in days)
            if cost < best_cost:
                best, best_cost = k, cost
        day_of_game[g] = best
        for team in teams:
            busy[team].add(int(offsets[best]))


def _finalise(
    rng: np.random.Generator,
    season: int,
    seed: int,
    home: np.ndarray,
    away: np.ndarray,
    day_offset: np.ndarray,
    first: date,
) -> tuple[SandboxGame, ...]:
    by_team_days: dict[int, set[int]] = {t: set() for t in range(1, 31)}
    for h, a, off in zip(home.tolist(), away.tolist(), day_offset.tolist(), strict=True):
        by_team_days[h].add(off)
        by_team_days[a].add(off)
    drafts = []
    for h, a, off in zip(home.tolist(), away.tolist(), day_offset.tolist(), strict=True):
        slate = first + timedelta(days=off)
        rested = off - 1 not in by_team_days[h] and off - 1 not in by_team_days[a]
        tip = _tip_off(rng, slate, franchise(h), afternoon_ok=rested)
        drafts.append((tip, h, a, slate))
    drafts.sort(key=lambda d: (d[0], d[1]))
    games = []
    for index, (tip, h, a, slate) in enumerate(drafts):
        game_id = game_id_for(slate, h)
        games.append(
            SandboxGame(
                index=index,
                game_id=game_id,
                season=season,
                slate=slate,
                home_id=h,
                away_id=a,
                tip_off=tip,
                odds_event_id=stable_hex("odds-api-event", season, seed, game_id),
                bdl_game_id=1_000_000 + (season % 100) * 10_000 + index,
                tip_epoch=int(tip.timestamp()),
            )
        )
    return tuple(games)


def _tip_off(
    rng: np.random.Generator, slate: date, home: Franchise, *, afternoon_ok: bool
) -> datetime:
    weekend = slate.weekday() >= 5
    if afternoon_ok and weekend and rng.random() < (0.25 if slate.weekday() == 6 else 0.12):
        hour, minute = _AFTERNOON[int(rng.integers(len(_AFTERNOON)))]
    else:
        hour, minute = _EVENING[int(rng.choice(len(_EVENING), p=_EVENING_P))]
    local = datetime.combine(slate, time(hour, minute), tzinfo=ZoneInfo(home.time_zone))
    return local.astimezone(UTC)


class ScheduleIndex:
    """Lookups the feeds need: by provider id, by team, by slate, by tip-off time."""

    def __init__(self, games: tuple[SandboxGame, ...]) -> None:
        self.games = games
        self.by_game_id = {g.game_id: g for g in games}
        self.by_event_id = {g.odds_event_id: g for g in games}
        self.by_bdl_id = {g.bdl_game_id: g for g in games}
        self.tips = np.array([g.tip_epoch for g in games], dtype=np.int64)
        self.by_team: dict[int, list[SandboxGame]] = {t: [] for t in range(1, 31)}
        self.by_slate: dict[date, list[SandboxGame]] = {}
        for g in games:
            self.by_team[g.home_id].append(g)
            self.by_team[g.away_id].append(g)
            self.by_slate.setdefault(g.slate, []).append(g)

    @cached_property
    def previous_game(self) -> dict[tuple[int, int], SandboxGame | None]:
        """(game index, team id) -> that team's previous game, for rest and travel."""
        out: dict[tuple[int, int], SandboxGame | None] = {}
        for team, team_games in self.by_team.items():
            prev: SandboxGame | None = None
            for g in team_games:
                out[(g.index, team)] = prev
                prev = g
        return out
