"""The Kaggle "NBA betting data 2008-2025" layout (``nba_2008-2025.csv``) -> warehouse rows.

Layout quirks handled here (see ``../shared/data/real/README.md`` §1):

* One row per game. ``season`` is the year the season *ends* (2019 is 2018-19); it is
  stored as the start year, the warehouse's convention.
* ``spread`` is unsigned and sits on the team named by ``whos_favored`` (home/away): the home
  line is ``-spread`` when the home team is favoured, ``+spread`` otherwise. 0 is a pick'em.
* The lines (spread, total, moneylines) are closing lines (they equal the SBR archive's
  ``Close`` columns), so they are stored as one snapshot at the close only.
* Team codes are lower-case ESPN style (``gs, sa, no, ny, utah, wsh``…); every one of the
  30 resolves through ``core.teams.resolve_team`` (a test checks all of them), so no
  parser-side mapping is needed.
* ``regular``/``playoffs``: a game that is not a regular-season game (playoffs, play-in,
  the In-Season Tournament final, which does not count in the standings) is postseason.
* No neutral-site flag: games of the 2020 bubble (``common.BUBBLE``) and the two
  In-Season Tournament finals in Las Vegas are marked neutral; the handful of international
  regular-season games are not (the file cannot tell them apart).
* Moneylines are missing for many recent games (a missing pair is simply not stored) and
  11 pairs are impossible (both negative, or an overround outside 1.0-1.15): quarantined.

See :mod:`nba_assets.feeds.archive.common` for the clock rule and the -110 prices of
spreads and totals.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from nba_assets.core.teams import resolve_team
from nba_assets.feeds.archive.common import (
    KAGGLE_BOOK,
    ArchiveFormatError,
    ArchiveGame,
    clock,
    event_id,
    game_row,
    in_bubble,
    moneyline_problem,
    odds_rows,
    parse_int,
    parse_number,
    periods_with_overtime,
    result_row,
    score_problem,
    spread_problem,
    total_problem,
)
from nba_assets.feeds.records import NormalizedBatch, Rejects, build_frame

REQUIRED = (
    "season", "date", "regular", "playoffs", "away", "home", "score_away", "score_home",
    "whos_favored", "spread", "total", "moneyline_away", "moneyline_home",
)  # fmt: skip
QUARTERS = ("q1", "q2", "q3", "q4")


def parse_kaggle(path: str | Path, season: int | None = None) -> NormalizedBatch:
    """Read the Kaggle file; ``season`` (start year, 2018 for 2018-19) keeps one season."""
    file = Path(path)
    with file.open(newline="", encoding="utf-8-sig") as handle:
        return parse_kaggle_rows(
            csv.DictReader(handle), season, endpoint=f"archive:kaggle:{file.name}"
        )


def parse_kaggle_text(
    text: str, season: int | None = None, *, endpoint: str = "archive:kaggle"
) -> NormalizedBatch:
    return parse_kaggle_rows(csv.DictReader(text.lstrip("\ufeff").splitlines()), season, endpoint)


def parse_kaggle_rows(
    reader: csv.DictReader, season: int | None, endpoint: str = "archive:kaggle"
) -> NormalizedBatch:
    """``games``, ``game_results`` and ``odds_snapshots`` frames plus quarantined records."""
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ArchiveFormatError(f"{endpoint}: not the Kaggle layout, missing column(s) {missing}")
    wanted = None if season is None else str(season + 1)
    rejects = Rejects(endpoint)
    games: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    odds: list[dict[str, Any]] = []
    for raw in reader:
        line = reader.line_num
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items() if k}
        if wanted is not None and row["season"] != wanted:
            continue
        game = _place(row, line, rejects)
        if game is None:
            continue
        result = _result(row, line, game, rejects)
        games.append(game_row(game, final=result is not None))
        if result is not None:
            results.append(result)
        odds += _markets(row, line, game, rejects)
    return NormalizedBatch(
        tables={
            "games": build_frame("games", games),
            "game_results": build_frame("game_results", results),
            "odds_snapshots": build_frame("odds_snapshots", odds),
        },
        quarantine=rejects.records,
    )


def _raw(row: dict[str, str], line: int) -> dict[str, Any]:
    return {"line": line, "row": row}


def _place(row: dict[str, str], line: int, rejects: Rejects) -> ArchiveGame | None:
    try:
        slate = date.fromisoformat(row["date"])
    except ValueError:
        rejects.add("games", f"line {line}: unparseable date {row['date']!r}", _raw(row, line))
        return None
    away, home = resolve_team(row["away"]), resolve_team(row["home"])
    for franchise, column in ((away, "away"), (home, "home")):
        if franchise is None:
            reason = f"line {line}: unknown team {row[column]!r} ({column})"
            rejects.add("games", reason, _raw(row, line))
            return None
    assert away is not None and home is not None
    if away.team_id == home.team_id:
        rejects.add("games", f"line {line}: a team cannot play itself", _raw(row, line))
        return None
    try:
        season = int(row["season"]) - 1
    except ValueError:
        rejects.add("games", f"line {line}: unparseable season {row['season']!r}", _raw(row, line))
        return None
    regular = row["regular"].lower() == "true"
    playoffs = row["playoffs"].lower() == "true"
    tournament_final = not regular and not playoffs and slate.month == 12
    return ArchiveGame(
        slate=slate,
        season=season,
        home=home,
        away=away,
        neutral=in_bubble(slate) or tournament_final,
        postseason=not regular,
        event_id=event_id("kaggle", slate, home, away),
    )


def _result(row: dict[str, str], line: int, game: ArchiveGame, rejects: Rejects) -> dict | None:
    home, away = parse_int(row["score_home"]), parse_int(row["score_away"])
    problem = score_problem(home, away)
    if problem is not None:
        rejects.add("game_results", f"{game.label}: {problem}", _raw(row, line))
        return None
    assert home is not None and away is not None
    periods: dict[str, list[int] | None] = {}
    for side, final in (("home", home), ("away", away)):
        quarters = [parse_int(row.get(f"{q}_{side}")) for q in QUARTERS]
        periods[side] = periods_with_overtime(quarters, final)
    home_p, away_p = periods["home"], periods["away"]
    if home_p is None or away_p is None or len(home_p) != len(away_p):
        home_p = away_p = None
    return result_row(game, home, away, home_p, away_p)


def _markets(row: dict[str, str], line: int, game: ArchiveGame, rejects: Rejects) -> list[dict]:
    """The closing snapshot; each bad market is quarantined alone and the others load."""

    def reject(problem: str) -> None:
        rejects.add("odds_snapshots", f"{game.label} close: {problem}", _raw(row, line))

    home_line = _home_line(row, reject)
    total = None
    try:
        value = parse_number(row["total"])
    except ValueError:
        reject(f"unparseable total {row['total']!r}")
        value = None
    if value is not None:
        problem = total_problem(value)
        if problem:
            reject(f"total dropped: {problem}")
        else:
            total = value
    moneyline = _moneyline(row, reject)
    return odds_rows(
        game, KAGGLE_BOOK, clock(game.slate).close,
        home_line=home_line, total=total, moneyline=moneyline,
    )  # fmt: skip


def _home_line(row: dict[str, str], reject: Callable[[str], None]) -> float | None:
    try:
        spread = parse_number(row["spread"])
    except ValueError:
        reject(f"unparseable spread {row['spread']!r}")
        return None
    if spread is None:
        return None
    problem = spread_problem(spread)
    if problem:
        reject(f"spread dropped: {problem}")
        return None
    favoured = row["whos_favored"].lower()
    if spread == 0:
        return 0.0
    if favoured not in ("home", "away"):
        reject(f"spread {spread:g} with whos_favored {row['whos_favored']!r}")
        return None
    return -spread if favoured == "home" else spread


def _moneyline(row: dict[str, str], reject: Callable[[str], None]) -> tuple[float, float] | None:
    try:
        away = parse_number(row["moneyline_away"])
        home = parse_number(row["moneyline_home"])
    except ValueError:
        reject("unparseable moneyline")
        return None
    if away is None and home is None:
        return None
    if away is None or home is None:
        reject("moneyline has only one side")
        return None
    problem = moneyline_problem(away, home)
    if problem:
        reject(problem)
        return None
    return away, home
