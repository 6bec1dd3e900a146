"""The sportsbookreviewsonline archive layout (``nba odds YYYY-YY.csv``) -> warehouse rows.

Layout quirks handled here (see ``../shared/data/real/README.md`` §2):

* Two rows per game, visitor then home (``VH`` = V, H), or two ``N`` rows at a neutral site,
  where the first is stored as the away team and the second as the home team (the order the
  Kaggle archive uses for the same games, so both archives give the same game id).
* ``Date`` is MMDD with no year and no leading zero (``1016``, ``102``). The year is the
  season's start year until the month first decreases, then the next year: the 2019-20
  season runs from October 2019 to October 2020 with no second rollover.
* ``Open`` and ``Close`` each hold the spread on the favourite's row and the total on the
  other row, normally unsigned; the larger number is the total, ``pk`` (any case) a spread
  of 0, and a signed number (``-10`` on the favourite's row, seen at neutral sites) a spread
  whatever its size. A total outside 150-300 or a "spread" above 50 is a typo and is
  quarantined on its own: the other market of the same column, and the other column, still
  load.
* ``ML`` is one moneyline per team with no open/close split; it tracks the closing spread
  far better than the opening one, so it is stored with the close only.
* No playoff flag: games after the regular season's last day
  (``common.REGULAR_SEASON_END``) are postseason.
* Team names are city names, some run together (``GoldenState``, ``LAClippers``); all
  resolve through ``core.teams.resolve_team``.

See :mod:`nba_assets.feeds.archive.common` for the clock rule (open 10:00 ET the day before,
close 19:00 ET, tip-off 19:30 ET) and the -110 prices of spreads and totals.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from nba_assets.core.teams import resolve_team
from nba_assets.feeds.archive.common import (
    REGULAR_SEASON_END,
    SBR_BOOK,
    TOTAL_RANGE,
    ArchiveFormatError,
    ArchiveGame,
    clock,
    event_id,
    game_row,
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

REQUIRED = ("Date", "VH", "Team", "1st", "2nd", "3rd", "4th", "Final", "Open", "Close", "ML")
QUARTERS = ("1st", "2nd", "3rd", "4th")
_PAIRS = {("V", "H"), ("N", "N")}
_SEASON_IN_NAME = re.compile(r"(\d{4})-(\d{2})")


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    cells: dict[str, str]

    def __getitem__(self, column: str) -> str:
        return self.cells.get(column, "").strip()


@dataclass(slots=True)
class _Calendar:
    """Year inference: the season's start year until the month first decreases.

    Every date must fall inside the season: from 1 August of its start year to 80 days
    after its regular season's last day (``REGULAR_SEASON_END``, which covers the playoffs
    and the 2020 bubble; 31 October of the next year for a season not listed). A date that
    fits the season only in the start year undoes the rollover: the month that decreased
    was a typo, and one mistyped date must not put every later game a year late. A date
    that fits neither year is refused (ValueError) and leaves the calendar as it was.
    """

    year: int
    last_month: int | None = None
    rolled: bool = False

    def date_of(self, mmdd: str) -> date:
        value = int(mmdd)
        month, day = divmod(value, 100)
        if not 1 <= month <= 12:
            raise ValueError(f"month {month} in Date {mmdd!r}")
        rolled = self.rolled or (self.last_month is not None and month < self.last_month)
        found = date(self.year + int(rolled), month, day)
        if rolled and not self.in_season(found):
            earlier = date(self.year, month, day)
            if self.in_season(earlier):
                found, rolled = earlier, False
        if not self.in_season(found):
            first, last = self.window()
            raise ValueError(f"Date {mmdd!r} would be {found}, outside the season {first}..{last}")
        self.rolled, self.last_month = rolled, month
        return found

    def window(self) -> tuple[date, date]:
        end = REGULAR_SEASON_END.get(self.year)
        last = end + timedelta(days=80) if end else date(self.year + 1, 10, 31)
        return date(self.year, 8, 1), last

    def in_season(self, day: date) -> bool:
        first, last = self.window()
        return first <= day <= last


def season_from_name(path: str | Path) -> int | None:
    """The start year named by a file like ``nba odds 2018-19.csv``, if the name has one."""
    match = _SEASON_IN_NAME.search(Path(path).name)
    if match is None:
        return None
    start = int(match.group(1))
    return start if (start + 1) % 100 == int(match.group(2)) else None


def parse_sbr(path: str | Path, season: int | None = None) -> NormalizedBatch:
    """Read one SBR season file; ``season`` (start year) defaults to the one in its name."""
    file = Path(path)
    start = season if season is not None else season_from_name(file)
    if start is None:
        raise ArchiveFormatError(
            f"{file.name}: no season in the file name; pass the season (e.g. 2018-19)"
        )
    return parse_sbr_text(
        file.read_text(encoding="utf-8-sig"), start, endpoint=f"archive:sbr:{file.name}"
    )


def parse_sbr_text(text: str, season: int, *, endpoint: str = "archive:sbr") -> NormalizedBatch:
    """``games``, ``game_results`` and ``odds_snapshots`` frames plus quarantined records."""
    rows = _rows(text.lstrip("\ufeff"), endpoint)
    rejects = Rejects(endpoint)
    calendar = _Calendar(season)
    games: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    odds: list[dict[str, Any]] = []
    i = 0
    while i < len(rows):
        first = rows[i]
        second = rows[i + 1] if i + 1 < len(rows) else None
        if second is None or (first["VH"].upper(), second["VH"].upper()) not in _PAIRS:
            rejects.add(
                "games", f"line {first.line}: row is not half of a V/H or N/N pair", _raw(first)
            )
            i += 1
            continue
        i += 2
        game = _place(first, second, calendar, season, rejects)
        if game is None:
            continue
        result = _result(first, second, game, rejects)
        games.append(game_row(game, final=result is not None))
        if result is not None:
            results.append(result)
        odds += _markets(first, second, game, rejects)
    return NormalizedBatch(
        tables={
            "games": build_frame("games", games),
            "game_results": build_frame("game_results", results),
            "odds_snapshots": build_frame("odds_snapshots", odds),
        },
        quarantine=rejects.records,
    )


def _rows(text: str, endpoint: str) -> list[_Row]:
    reader = csv.reader(io.StringIO(text))
    header = [name.strip() for name in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ArchiveFormatError(f"{endpoint}: not the SBR layout, missing column(s) {missing}")
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        rows.append(_Row(number, {h: v for h, v in zip(header, cells, strict=False) if h}))
    return rows


def _raw(*rows: _Row, column: str | None = None) -> dict[str, Any]:
    raw: dict[str, Any] = {"lines": [r.line for r in rows], "rows": [r.cells for r in rows]}
    if column:
        raw["column"] = column
    return raw


def _place(
    away_row: _Row, home_row: _Row, calendar: _Calendar, season: int, rejects: Rejects
) -> ArchiveGame | None:
    """The game a pair of rows describes, or None (quarantined) when it cannot be placed."""
    where = f"lines {away_row.line}-{home_row.line}"
    if away_row["Date"] != home_row["Date"]:
        rejects.add(
            "games", f"{where}: the two rows have different dates", _raw(away_row, home_row)
        )
        return None
    try:
        slate = calendar.date_of(away_row["Date"])
    except ValueError as exc:
        reason = f"{where}: unparseable Date {away_row['Date']!r} ({exc})"
        rejects.add("games", reason, _raw(away_row, home_row))
        return None
    away, home = resolve_team(away_row["Team"]), resolve_team(home_row["Team"])
    for franchise, row in ((away, away_row), (home, home_row)):
        if franchise is None:
            reason = f"{where}: unknown team {row['Team']!r}"
            rejects.add("games", reason, _raw(away_row, home_row))
            return None
    assert away is not None and home is not None
    if away.team_id == home.team_id:
        rejects.add("games", f"{where}: a team cannot play itself", _raw(away_row, home_row))
        return None
    end = REGULAR_SEASON_END.get(season)
    return ArchiveGame(
        slate=slate,
        season=season,
        home=home,
        away=away,
        neutral=away_row["VH"].upper() == "N",
        postseason=end is not None and slate > end,
        event_id=event_id("sbr", slate, home, away),
    )


def _result(away_row: _Row, home_row: _Row, game: ArchiveGame, rejects: Rejects) -> dict | None:
    home, away = parse_int(home_row["Final"]), parse_int(away_row["Final"])
    problem = score_problem(home, away)
    if problem is not None:
        rejects.add("game_results", f"{game.label}: {problem}", _raw(away_row, home_row))
        return None
    assert home is not None and away is not None
    home_periods = periods_with_overtime([parse_int(home_row[q]) for q in QUARTERS], home)
    away_periods = periods_with_overtime([parse_int(away_row[q]) for q in QUARTERS], away)
    if home_periods is None or away_periods is None or len(home_periods) != len(away_periods):
        home_periods = away_periods = None
    return result_row(game, home, away, home_periods, away_periods)


def _markets(away_row: _Row, home_row: _Row, game: ArchiveGame, rejects: Rejects) -> list[dict]:
    """Open and close snapshots; every bad value is quarantined alone."""
    instants = clock(game.slate)
    rows: list[dict[str, Any]] = []
    for column, at in (("Open", instants.open), ("Close", instants.close)):
        home_line, total, problems = split_lines(away_row[column], home_row[column])
        for problem in problems:
            reason = f"{game.label} {column.lower()}: {problem}"
            rejects.add("odds_snapshots", reason, _raw(away_row, home_row, column=column))
        moneyline = None
        if column == "Close":
            moneyline = _moneyline(away_row, home_row, game, rejects)
        rows += odds_rows(game, SBR_BOOK, at, home_line=home_line, total=total, moneyline=moneyline)
    return rows


def _moneyline(
    away_row: _Row, home_row: _Row, game: ArchiveGame, rejects: Rejects
) -> tuple[float, float] | None:
    raw = _raw(away_row, home_row, column="ML")
    try:
        away, home = parse_number(away_row["ML"]), parse_number(home_row["ML"])
    except ValueError:
        rejects.add("odds_snapshots", f"{game.label}: unparseable moneyline", raw)
        return None
    if away is None and home is None:
        return None
    if away is None or home is None:
        rejects.add("odds_snapshots", f"{game.label}: moneyline has only one side", raw)
        return None
    problem = moneyline_problem(away, home)
    if problem is not None:
        rejects.add("odds_snapshots", f"{game.label}: {problem}", raw)
        return None
    return away, home


def split_lines(away_raw: str, home_raw: str) -> tuple[float | None, float | None, list[str]]:
    """(home spread, total, problems) from one column's two cells.

    The smaller number is the spread, on the favourite's row, and the larger the total; a
    lone number is a total when it is in the total range and a spread otherwise. The home
    spread is negative when the home row holds it (home favoured). ``pk`` and a negative
    number are always the spread (the sign is redundant). An unreadable cell is
    dropped and the other cell read as a lone number; a spread or total out of range is
    dropped alone. Each problem says what was dropped.
    """
    cells: list[tuple[str, float, bool]] = []
    problems: list[str] = []
    for side, raw in (("away", away_raw), ("home", home_raw)):
        text = raw.strip()
        if text.lower() == "pk":
            cells.append((side, 0.0, True))
            continue
        try:
            value = parse_number(text)
        except ValueError:
            problems.append(f"unparseable {side} value {raw!r} dropped")
            continue
        if value is None:
            continue
        # A signed spread (-10 on the favourite's row, seen at neutral sites) is still a
        # spread: the sign only repeats which row is favoured.
        cells.append((side, abs(value), value < 0))
    spread_cell, total_cell = _assign(cells, problems)
    home_line = total = None
    if spread_cell is not None:
        side, value, _ = spread_cell
        problem = spread_problem(value)
        if problem:
            problems.append(f"spread dropped: {problem}")
        else:
            home_line = -value if side == "home" else value
            home_line += 0.0
    if total_cell is not None:
        problem = total_problem(total_cell[1])
        if problem:
            problems.append(f"total dropped: {problem}")
        else:
            total = total_cell[1]
    return home_line, total, problems


# (side, unsigned value, certainly the spread: ``pk`` or written with a sign)
_Cell = tuple[str, float, bool]


def _assign(cells: list[_Cell], problems: list[str]) -> tuple[_Cell | None, _Cell | None]:
    """(spread cell, total cell) of a column."""
    if len(cells) == 1:
        cell = cells[0]
        lo, hi = TOTAL_RANGE
        return (None, cell) if not cell[2] and lo <= cell[1] <= hi else (cell, None)
    if len(cells) != 2:
        return None, None
    (a, b) = cells
    if a[2] or b[2]:
        spread, other = (a, b) if a[2] else (b, a)
        return spread, (None if other[2] else other)
    if a[1] == b[1]:
        problems.append(f"both rows hold {a[1]:g}: cannot tell spread from total")
        return None, None
    return (a, b) if a[1] < b[1] else (b, a)
