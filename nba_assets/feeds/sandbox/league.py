"""The simulated NBA season behind both sandbox feeds, with plain-Python accessors.

Everything derives from ``(season, seed)`` through hash-seeded generators, so two leagues
built in different processes answer every question identically. Expensive pieces (price
paths, results, box scores) are computed on first use and cached.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import numpy as np

from nba_assets.core.slates import require_aware
from nba_assets.feeds.sandbox._stable import stable_rng
from nba_assets.feeds.sandbox.books import BOOKS, Book
from nba_assets.feeds.sandbox.boxscore import StatLine, team_lines
from nba_assets.feeds.sandbox.injuries import InjuryLedger, InjuryReport
from nba_assets.feeds.sandbox.model import (
    TOTAL_PER_MISSING_POINT,
    FairLine,
    GameBase,
    Strengths,
    fair_line,
    game_base,
)
from nba_assets.feeds.sandbox.odds import (
    MARKETS,
    InfoFn,
    PricePath,
    build_price_path,
    market_open,
    render_event,
)
from nba_assets.feeds.sandbox.results import GameResult, LiveState, live_state, simulate_result
from nba_assets.feeds.sandbox.rosters import SandboxPlayer, build_rosters
from nba_assets.feeds.sandbox.schedule import (
    SandboxGame,
    ScheduleIndex,
    build_schedule,
    season_window,
)

GameKey = SandboxGame | int | str
_LOOKAHEAD = 2 * 86_400


def _epoch(moment: datetime | int) -> int:
    if isinstance(moment, int):
        return moment
    return int(require_aware(moment, "as-of instant").timestamp())


class SandboxLeague:
    """One deterministic season: schedule, rosters, injuries, results and every book's prices."""

    def __init__(self, season: int = 2023, seed: int = 7, *, path_cache: int = 256) -> None:
        self.season = season
        self.seed = seed
        self.first_day, self.last_day = season_window(season)
        self._index = ScheduleIndex(build_schedule(season, seed))
        self._rosters = build_rosters(season, seed)
        self._players = {p.player_id: p for ps in self._rosters.values() for p in ps}
        self._strengths = Strengths(season, seed, (self.last_day - self.first_day).days + 1)
        self._injuries = InjuryLedger(
            season, seed, self._rosters, self._index.by_team, self.first_day, self.last_day
        )
        self._bases: dict[int, GameBase] = {}
        # Price paths are ~140 KB a game: keep the most recent ones (a backfill walks slates
        # in order) and rebuild any other on demand, which is deterministic and takes ~4 ms.
        self._paths: OrderedDict[int, PricePath] = OrderedDict()
        self._path_cache = max(1, path_cache)
        self._lock = threading.Lock()
        self._results: dict[int, GameResult] = {}
        self._boxes: dict[int, tuple[list[StatLine], list[StatLine]]] = {}

    def __repr__(self) -> str:
        return f"SandboxLeague(season={self.season}, seed={self.seed})"

    # Schedule, teams, players, books

    def games(self) -> tuple[SandboxGame, ...]:
        """Every regular-season game in tip-off order (``index`` is the position here)."""
        return self._index.games

    def game(self, key: GameKey) -> SandboxGame:
        """A game by object, internal id, BallDontLie id or Odds API event id."""
        if isinstance(key, SandboxGame):
            return key
        if isinstance(key, str):
            return self._index.by_event_id[key]
        found = self._index.by_game_id.get(key) or self._index.by_bdl_id.get(key)
        if found is None:
            raise KeyError(f"no sandbox game {key!r}")
        return found

    def games_on(self, slate: date) -> list[SandboxGame]:
        return list(self._index.by_slate.get(slate, []))

    def team_games(self, team_id: int) -> list[SandboxGame]:
        return list(self._index.by_team[team_id])

    def players(self, team_id: int | None = None) -> tuple[SandboxPlayer, ...]:
        if team_id is not None:
            return self._rosters[team_id]
        return tuple(p for t in sorted(self._rosters) for p in self._rosters[t])

    def player(self, player_id: int) -> SandboxPlayer:
        return self._players[player_id]

    def books(self) -> tuple[Book, ...]:
        return BOOKS

    # The truth and the fair line

    def base(self, key: GameKey) -> GameBase:
        """The healthy-roster expectation (strengths, home court, rest, travel)."""
        game = self.game(key)
        base = self._bases.get(game.index)
        if base is None:
            day = (game.slate - self.first_day).days
            prev = self._index.previous_game
            base = game_base(
                self._strengths,
                game,
                day,
                prev[(game.index, game.home_id)],
                prev[(game.index, game.away_id)],
            )
            self._bases[game.index] = base
        return base

    def information(self, key: GameKey) -> InfoFn:
        """Expected margin and regulation total as knowable at given epoch seconds."""
        game = self.game(key)
        base = self.base(game)
        injuries = self._injuries
        home = [(p.player_id, p.impact) for p in self._rosters[game.home_id]]
        away = [(p.player_id, p.impact) for p in self._rosters[game.away_id]]

        def missing(side: list[tuple[int, float]], times: np.ndarray) -> np.ndarray:
            out = np.zeros(len(times))
            for pid, impact in side:
                out += impact * (1.0 - injuries.availability(pid, times))
            return out

        def info(times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            times = np.asarray(times, dtype=np.int64)
            miss_home, miss_away = missing(home, times), missing(away, times)
            margin = base.margin - miss_home + miss_away
            total = base.total + TOTAL_PER_MISSING_POINT * (miss_home + miss_away)
            return margin, total

        return info

    def closing_fair_probability(self, key: GameKey) -> FairLine:
        """The fair line at tip-off: what the books converge to, unbiased for the result."""
        game = self.game(key)
        margin, total = self.information(game)(np.array([game.tip_epoch]))
        return fair_line(float(margin[0]), float(total[0]))

    def fair_line_at(self, key: GameKey, at: datetime | int) -> FairLine:
        """The market consensus (before any book's own error and margin) at ``at``."""
        game = self.game(key)
        when = np.array([min(_epoch(at), game.tip_epoch)])
        margin, total = self.information(game)(when)
        opinion_margin, opinion_total = self.price_path(game).opinion_at(when)
        return fair_line(float(margin[0] + opinion_margin[0]), float(total[0] + opinion_total[0]))

    def result(self, key: GameKey) -> GameResult:
        """The final score, whatever the clock says: callers decide what is knowable."""
        game = self.game(key)
        result = self._results.get(game.index)
        if result is None:
            close = self.closing_fair_probability(game)
            rng = stable_rng("result", self.season, self.seed, game.game_id)
            result = simulate_result(
                rng, close.expected_margin, close.regulation_total, game.tip_epoch
            )
            self._results[game.index] = result
        return result

    def final_at(self, key: GameKey) -> datetime:
        return datetime.fromtimestamp(self.result(key).final_epoch, UTC)

    def state(self, key: GameKey, at: datetime | int) -> LiveState:
        game = self.game(key)
        return live_state(self.result(game), game.tip_epoch, _epoch(at))

    def box_score(self, key: GameKey) -> tuple[list[StatLine], list[StatLine]]:
        """(home lines, away lines); injured players are absent, healthy scratches show 00."""
        game = self.game(key)
        box = self._boxes.get(game.index)
        if box is None:
            result = self.result(game)
            out = self._injuries.absent(game)
            sides = []
            for team_id, points, margin in (
                (game.home_id, result.home_score, result.margin),
                (game.away_id, result.away_score, -result.margin),
            ):
                rng = stable_rng("box", self.season, self.seed, game.game_id, team_id)
                dressed = [p for p in self._rosters[team_id] if p.player_id not in out]
                sides.append(team_lines(rng, dressed, points, margin, result.overtime_periods))
            box = (sides[0], sides[1])
            self._boxes[game.index] = box
        return box

    def absent(self, key: GameKey) -> frozenset[int]:
        return self._injuries.absent(self.game(key))

    def injury_reports(self, at: datetime | int) -> list[InjuryReport]:
        """The injury list as published at ``at``: each listed player's latest report."""
        return self._injuries.current(_epoch(at))

    def injury_history(self, player_id: int) -> list[InjuryReport]:
        return list(self._injuries.reports.get(player_id, []))

    # Prices

    def price_path(self, key: GameKey) -> PricePath:
        """Every book's prices for a game through its pre-game market (cached, LRU)."""
        game = self.game(key)
        with self._lock:
            path = self._paths.get(game.index)
            if path is not None:
                self._paths.move_to_end(game.index)
                return path
        opens = market_open(game)
        players = [p.player_id for t in (game.home_id, game.away_id) for p in self._rosters[t]]
        news = self._injuries.news_times(players, opens, game.tip_epoch)
        rng = stable_rng("odds", self.season, self.seed, game.game_id)
        path = build_price_path(game, rng, self.information(game), news, BOOKS)
        with self._lock:
            self._paths[game.index] = path
            while len(self._paths) > self._path_cache:
                self._paths.popitem(last=False)
        return path

    def odds_at(
        self,
        key: GameKey,
        at: datetime | int,
        markets: Sequence[str] = MARKETS,
        bookmakers: frozenset[str] | None = None,
        *,
        american: bool = False,
    ) -> dict[str, Any] | None:
        """One event as The Odds API would list it at ``at`` (None once it has tipped off)."""
        game = self.game(key)
        when = _epoch(at)
        if when >= game.tip_epoch:
            return None
        return render_event(
            self.price_path(game), when, markets, bookmakers, american_odds=american
        )

    def open_games(self, at: datetime | int) -> list[SandboxGame]:
        """Games with a market at ``at``: posted by some book and not yet tipped off."""
        when = _epoch(at)
        tips = self._index.tips
        lo = int(np.searchsorted(tips, when, side="right"))
        hi = int(np.searchsorted(tips, when + _LOOKAHEAD, side="right"))
        return [g for g in self._index.games[lo:hi] if market_open(g) <= when]

    def games_between(self, start: datetime | int, end: datetime | int) -> list[SandboxGame]:
        """Games tipping off in ``[start, end)``."""
        tips = self._index.tips
        lo = int(np.searchsorted(tips, _epoch(start), side="left"))
        hi = int(np.searchsorted(tips, _epoch(end), side="left"))
        return list(self._index.games[lo:hi])
