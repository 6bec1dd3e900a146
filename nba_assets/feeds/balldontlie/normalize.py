"""BallDontLie bodies -> ``games``, ``game_results`` and ``player_stats`` rows.

Pure functions of decoded JSON (a list of records or a ``{"data": [...], "meta": ...}``
page). Teams are placed by name through ``core.teams``, never by assuming BallDontLie's ids
equal ours; where a body carries only an id (``/stats`` games) the id is mapped through
``team_ids`` (see ``normalize_teams``) or what the same body teaches. The team map and the
injury report live in ``teams_injuries`` and are re-exported here, where callers have
always imported them from.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from nba_assets.core.slates import game_id_for, require_aware, season_of, slate_date
from nba_assets.core.teams import Franchise
from nba_assets.feeds.balldontlie.models import BdlGame, BdlGameClock, BdlStat
from nba_assets.feeds.balldontlie.parsing import game_status, tip_off_from_status
from nba_assets.feeds.balldontlie.teams_injuries import (
    INJURIES,
    TEAMS,
    InjuryBatch,
    TeamBatch,
    franchise_of,
    normalize_injuries,
    normalize_teams,
    team_id_map,
)
from nba_assets.feeds.records import NormalizedBatch, Rejects, build_frame, record_list
from nba_assets.feeds.schema import describe_validation_error

__all__ = [
    "COUNTING_STATS",
    "GAMES",
    "INJURIES",
    "RESULTS",
    "STATS",
    "TEAMS",
    "InjuryBatch",
    "TeamBatch",
    "franchise_of",
    "normalize_games",
    "normalize_injuries",
    "normalize_stats",
    "normalize_teams",
    "team_id_map",
]

GAMES = "games"
RESULTS = "game_results"
STATS = "player_stats"
COUNTING_STATS: tuple[str, ...] = (
    "pts",
    "reb",
    "ast",
    "stl",
    "blk",
    "turnover",
    "pf",
    "fgm",
    "fga",
    "fg3m",
    "fg3a",
    "ftm",
    "fta",
    "oreb",
    "dreb",
)
# Scores and box-score counts land in smallint columns; beyond this they are junk.
_MAX_COUNT = 999


def normalize_games(
    payload: Any, *, observed_at: datetime, endpoint: str | None = None
) -> NormalizedBatch:
    """Rows for ``games`` and, for final games, ``game_results`` from ``/v1/games``.

    A game with no knowable tip-off (no ``datetime``, no time in ``status``) is quarantined
    from ``games`` but its final score is still kept: the result needs only the slate.
    BallDontLie gives no completion time, so ``completed_at`` is the poll time.
    """
    observed_at = require_aware(observed_at, "observed_at")
    rejects = Rejects(endpoint)
    game_rows: list[dict[str, Any]] = []
    result_rows: list[dict[str, Any]] = []
    for raw in record_list(payload, "games", endpoint):
        try:
            game = BdlGame.model_validate(raw)
        except ValidationError as exc:
            rejects.add(GAMES, describe_validation_error(exc, "game"), raw)
            continue
        home, away = franchise_of(game.home_team), franchise_of(game.visitor_team)
        if home is None or away is None:
            rejects.add(GAMES, f"game {game.id}: unknown team {_unknown_names(game)}", raw)
            continue
        if home.team_id == away.team_id:
            rejects.add(GAMES, f"game {game.id}: home and visitor are both {home.full_name}", raw)
            continue
        tip_off, slate = _when(game)
        game_id = game_id_for(slate, home.team_id)
        status = game_status(game.status, game.period, game.game_date)
        if tip_off is None:
            rejects.add(GAMES, f"game {game.id}: no tip-off time in datetime or status", raw)
        else:
            game_rows.append(
                {
                    "game_id": game_id,
                    "slate_date": slate,
                    "season": season_of(slate),
                    "home_team_id": home.team_id,
                    "away_team_id": away.team_id,
                    "commence_time": tip_off,
                    "status": status,
                    "postseason": game.postseason,
                    "neutral_site": False,
                    "source_game_id": str(game.id),
                    "observed_at": observed_at,
                }
            )
        if status == "final":
            result = _result_row(
                game,
                game_id,
                game.period_scores("home"),
                game.period_scores("visitor"),
                observed_at,
            )
            if isinstance(result, str):
                rejects.add(RESULTS, result, raw)
            else:
                result_rows.append(result)
    return NormalizedBatch(
        tables={GAMES: build_frame(GAMES, game_rows), RESULTS: build_frame(RESULTS, result_rows)},
        quarantine=rejects.records,
    )


def normalize_stats(
    payload: Any,
    *,
    observed_at: datetime,
    team_ids: Mapping[int, int] | None = None,
    endpoint: str | None = None,
) -> NormalizedBatch:
    """Rows for ``player_stats`` and, for final games, ``game_results`` from ``/v1/stats``.

    Each line's ``game`` names its teams by BallDontLie id only; ids are mapped through
    ``team_ids`` plus whatever the body's own ``team`` objects show. Counting stats left null
    on a line with no minutes (did not play) become 0; on a line with minutes they are a
    reject, because zero would be a false box score.
    """
    observed_at = require_aware(observed_at, "observed_at")
    rejects = Rejects(endpoint)
    known = dict(team_ids or {})
    parsed: list[tuple[Any, BdlStat, Franchise]] = []
    for raw in record_list(payload, "stats", endpoint):
        try:
            stat = BdlStat.model_validate(raw)
        except ValidationError as exc:
            rejects.add(STATS, describe_validation_error(exc, "stat line"), raw)
            continue
        franchise = franchise_of(stat.team)
        if franchise is None:
            rejects.add(STATS, f"stat {stat.id}: unknown team {stat.team.full_name!r}", raw)
            continue
        known.setdefault(stat.team.id, franchise.team_id)
        parsed.append((raw, stat, franchise))
    stat_rows: list[dict[str, Any]] = []
    result_rows: dict[int, dict[str, Any]] = {}
    seen_games: set[int] = set()
    for raw, stat, team in parsed:
        row = _stat_row(stat, team, known, observed_at)
        if isinstance(row, str):
            rejects.add(STATS, row, raw)
            continue
        stat_rows.append(row)
        game_id = row["game_id"]
        if game_id in seen_games:
            continue
        seen_games.add(game_id)
        if game_status(stat.game.status, stat.game.period, stat.game.game_date) == "final":
            result = _result_row(stat.game, game_id, None, None, observed_at)
            if isinstance(result, str):
                rejects.add(RESULTS, result, raw.get("game") if isinstance(raw, dict) else raw)
            else:
                result_rows[game_id] = result
    return NormalizedBatch(
        tables={
            STATS: build_frame(STATS, stat_rows),
            RESULTS: build_frame(RESULTS, list(result_rows.values())),
        },
        quarantine=rejects.records,
    )


def _unknown_names(game: BdlGame) -> str:
    teams = (game.home_team, game.visitor_team)
    return " and ".join(repr(t.full_name) for t in teams if franchise_of(t) is None)


def _when(game: BdlGameClock) -> tuple[datetime | None, date]:
    """Tip-off (if known) and slate; the slate falls back to BallDontLie's own game date."""
    tip_off = game.tip_off or tip_off_from_status(game.status, game.game_date)
    return tip_off, slate_date(tip_off) if tip_off is not None else game.game_date


def _stat_row(
    stat: BdlStat, team: Franchise, known: Mapping[int, int], observed_at: datetime
) -> dict[str, Any] | str:
    game = stat.game
    home_id = known.get(game.home_team_id)
    if home_id is None:
        return (
            f"stat {stat.id}: BallDontLie home_team_id {game.home_team_id} maps to no "
            "franchise; pass team_ids from /v1/teams"
        )
    if stat.team.id not in (game.home_team_id, game.visitor_team_id):
        return f"stat {stat.id}: team {stat.team.full_name!r} did not play game {game.id}"
    counts: dict[str, int] = {}
    for name in COUNTING_STATS:
        value = getattr(stat, name)
        if value is None and stat.minutes > 0:
            return f"stat {stat.id}: {name} is missing on a line with {stat.minutes} minutes"
        value = value or 0
        if not 0 <= value <= _MAX_COUNT:
            return f"stat {stat.id}: {name} {value} is out of range"
        counts[name] = value
    plus_minus = stat.plus_minus
    if plus_minus is not None and abs(plus_minus) > _MAX_COUNT:
        return f"stat {stat.id}: plus_minus {plus_minus} is out of range"
    _, slate = _when(game)
    return {
        "game_id": game_id_for(slate, home_id),
        "source_player_id": stat.player.id,
        "player_first_name": stat.player.first_name,
        "player_last_name": stat.player.last_name,
        "player_position": stat.player.position or None,
        "team_id": team.team_id,
        "minutes": stat.minutes,
        **counts,
        "plus_minus": plus_minus,
        "observed_at": observed_at,
    }


def _result_row(
    game: BdlGameClock,
    game_id: int,
    home_periods: list[int] | None,
    away_periods: list[int] | None,
    completed_at: datetime,
) -> dict[str, Any] | str:
    """The final score of a game BallDontLie marks final, or why it cannot be trusted."""
    home, away = game.home_team_score, game.visitor_team_score
    if home is None or away is None:
        return f"game {game.id}: final without both scores"
    if not (0 <= home <= _MAX_COUNT and 0 <= away <= _MAX_COUNT):
        return f"game {game.id}: final score {home}-{away} is out of range"
    if home == away:
        return f"game {game.id}: final score {home}-{away} is a tie, which the NBA cannot have"
    periods = len(home_periods) if home_periods else max(game.period or 4, 4)
    return {
        "game_id": game_id,
        "home_score": home,
        "away_score": away,
        "home_periods": home_periods,
        "away_periods": away_periods,
        "periods": periods,
        "final": True,
        "completed_at": completed_at,
    }
