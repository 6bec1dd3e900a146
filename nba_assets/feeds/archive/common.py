"""What both archive layouts share: the clock rule, the sanity limits and the row builders.

The archives are end-of-season spreadsheets: a date, two teams, the score and one or two
lines per market. They carry no time of day at all, so every instant stored from them is a
*rule*, fixed here once and applied to every game (all in America/New_York, the slate zone):

* **tip-off** (``games.commence_time``): 19:30 ET on the slate date. Most NBA games start
  between 19:00 and 20:00 ET; afternoon and West-coast games are mislabelled by a few hours,
  which only matters for instants placed between the real and the assumed tip-off.
* **open** snapshot: 10:00 ET on the day *before* the slate, the hour the live odds grid
  opens too (``defs.assets.ingest.HistoryConfig.odds_open_hour_et``). Openers are posted the
  evening before or the morning of the slate, so this is, if anything, early.
* **close** snapshot: 19:00 ET on the slate date, 30 minutes before the assumed tip-off, so
  a "last price strictly before tip-off" read (``analytics.boards.closing_board``) finds it.
* **completion** (``game_results.completed_at``): tip-off + 3 h (22:30 ET). A regulation
  game lasts about 2 h 15 min; the margin keeps a result from being "known" before it was.
* **observation** (``games.observed_at``): the completion instant for a game with a final
  score (status ``final``: the archive is a record of played games), else the open.

A reader asking what was knowable at noon ET on a slate therefore sees the open lines and
every result of earlier slates, but neither the close nor that slate's results.

Prices: the archives give no price for spreads and totals, so both sides of those markets
are stored at the standard American -110 (decimal 1.9091). Moneylines are stored as given.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from nba_assets.core.odds import american_to_decimal
from nba_assets.core.slates import SLATE_TZ, game_id_for
from nba_assets.core.teams import Franchise
from nba_assets.feeds.prices import both_prices

TIP_OFF_ET = time(19, 30)
OPEN_ET = time(10, 0)
CLOSE_ET = time(19, 0)
GAME_LENGTH = timedelta(hours=3)
STANDARD_PRICE = -110

# Totals outside this range are typos (the SBR archive has 1955.5, 1105 and 1111); the
# Kaggle file's closing totals for 2007-2025 run from 170 to 262.5.
TOTAL_RANGE = (150.0, 300.0)
# The larger favourite spreads in the archives are about 20; a bigger "spread" is a total
# on the wrong row or a typo.
MAX_SPREAD = 50.0
# A two-way moneyline's implied probabilities sum to 1 + the book's margin: below 1 is an
# arbitrage no book posts, above 1.15 three times a normal NBA margin.
OVERROUND_RANGE = (1.0, 1.15)
MAX_SCORE = 250

# Last day of each regular season (public NBA calendars; Kaggle's ``regular`` flag agrees).
# Later games are playoffs or play-in. Only the SBR layout needs this: it has no flag.
REGULAR_SEASON_END: dict[int, date] = {
    2014: date(2015, 4, 15),
    2015: date(2016, 4, 13),
    2016: date(2017, 4, 12),
    2017: date(2018, 4, 11),
    2018: date(2019, 4, 10),
    2019: date(2020, 8, 14),
    2020: date(2021, 5, 16),
    2021: date(2022, 4, 10),
}
# The 2020 restart was played at one site near Orlando: every game there is neutral.
BUBBLE = (date(2020, 7, 30), date(2020, 10, 11))


class ArchiveFormatError(ValueError):
    """A whole file cannot be read as the layout it was given as (wrong columns, no season)."""


@dataclass(frozen=True, slots=True)
class ArchiveBook:
    """Who a layout's rows are attributed to: the warehouse source and the odds "book"."""

    source: str
    book_key: str
    book_title: str


SBR_BOOK = ArchiveBook("sbr_archive", "sbr_archive", "SBR archive (consensus)")
KAGGLE_BOOK = ArchiveBook("kaggle_nba_2008_2025", "kaggle_close", "Kaggle NBA 2008-2025 (closing)")


@dataclass(frozen=True, slots=True)
class ArchiveClock:
    """The instants the clock rule (module docstring) gives one slate."""

    tip_off: datetime
    open: datetime
    close: datetime
    completed: datetime


def clock(slate: date) -> ArchiveClock:
    tip = datetime.combine(slate, TIP_OFF_ET, SLATE_TZ)
    return ArchiveClock(
        tip_off=tip,
        open=datetime.combine(slate - timedelta(days=1), OPEN_ET, SLATE_TZ),
        close=datetime.combine(slate, CLOSE_ET, SLATE_TZ),
        completed=tip + GAME_LENGTH,
    )


@dataclass(frozen=True, slots=True)
class ArchiveGame:
    """One game placed on the internal calendar.

    ``season`` is the archive's own season (start year), not ``core.slates.season_of``:
    the 2020 bubble ran August-October 2020 and belongs to 2019-20, which a calendar rule
    rolling over on 1 August would call 2020-21.
    """

    slate: date
    season: int
    home: Franchise
    away: Franchise
    neutral: bool
    postseason: bool
    event_id: str

    @property
    def game_id(self) -> int:
        return game_id_for(self.slate, self.home.team_id)

    @property
    def label(self) -> str:
        return f"{self.slate.isoformat()} {self.away.abbreviation}@{self.home.abbreviation}"


def event_id(layout: str, slate: date, home: Franchise, away: Franchise) -> str:
    return f"{layout}:{slate.isoformat()}:{away.abbreviation}@{home.abbreviation}"


def in_bubble(slate: date) -> bool:
    return BUBBLE[0] <= slate <= BUBBLE[1]


def game_row(game: ArchiveGame, final: bool) -> dict[str, Any]:
    """The ``games`` row: final games are observed at completion, others at the open."""
    instants = clock(game.slate)
    return {
        "game_id": game.game_id,
        "slate_date": game.slate,
        "season": game.season,
        "home_team_id": game.home.team_id,
        "away_team_id": game.away.team_id,
        "commence_time": instants.tip_off,
        "status": "final" if final else "scheduled",
        "postseason": game.postseason,
        "neutral_site": game.neutral,
        "source_game_id": game.event_id,
        "observed_at": instants.completed if final else instants.open,
    }


def result_row(
    game: ArchiveGame,
    home_score: int,
    away_score: int,
    home_periods: list[int] | None,
    away_periods: list[int] | None,
) -> dict[str, Any]:
    """The ``game_results`` row; overtime, when there was any, is one combined period.

    The archives give one overtime total, not a count of overtimes, so ``periods`` is 5 for
    any overtime game: enough for "went to overtime", not for per-48 pace corrections.
    """
    periods = len(home_periods) if home_periods else 4
    return {
        "game_id": game.game_id,
        "home_score": home_score,
        "away_score": away_score,
        "home_periods": home_periods,
        "away_periods": away_periods,
        "periods": periods,
        "final": True,
        "completed_at": clock(game.slate).completed,
    }


def score_problem(home: int | None, away: int | None) -> str | None:
    """Why a final score cannot be stored, or None when it can."""
    if home is None or away is None:
        return "final score missing or not a whole number"
    if not (0 <= home <= MAX_SCORE and 0 <= away <= MAX_SCORE):
        return f"final score {away}-{home} outside 0-{MAX_SCORE}"
    if home == away:
        return f"final score {away}-{home} is a tie, which NBA games cannot end in"
    return None


def periods_with_overtime(quarters: list[int | None], final: int) -> list[int] | None:
    """The four quarters plus one overtime entry when the final exceeds their sum."""
    if any(q is None or q < 0 for q in quarters):
        return None
    known = [int(q) for q in quarters if q is not None]
    overtime = final - sum(known)
    if overtime < 0:
        return None
    return [*known, overtime] if overtime else known


def total_problem(total: float) -> str | None:
    lo, hi = TOTAL_RANGE
    return None if lo <= total <= hi else f"total {total:g} outside {lo:g}-{hi:g}"


def spread_problem(spread: float) -> str | None:
    return None if 0.0 <= spread <= MAX_SPREAD else f"spread {spread:g} outside 0-{MAX_SPREAD:g}"


def moneyline_problem(away: float, home: float) -> str | None:
    """Why a moneyline pair is impossible, or None when it can be stored.

    Two negative prices are not impossible in themselves: -105/-115 and -110/-110 are the
    usual quotes on an even game (overround ~1.048), and thousands of archive games carry
    them. A both-negative pair is impossible when the two sides claim more probability than
    any margin explains, e.g. the archive's -650/-650 (overround 1.73), so the overround
    bound decides; the reason still says "both negative" because that is the tell-tale.
    """
    for price in (away, home):
        if not math.isfinite(price) or price != round(price) or abs(price) < 100:
            return f"moneyline {price:g} is not a whole American price beyond +/-100"
    over = sum(1.0 / american_to_decimal(p) for p in (away, home))
    lo, hi = OVERROUND_RANGE
    if lo <= over <= hi:
        return None
    if away < 0 and home < 0:
        return f"both moneylines negative ({away:g}/{home:g}, overround {over:.4f} > {hi})"
    return f"moneyline pair {away:g}/{home:g} has overround {over:.4f} outside {lo}-{hi}"


def odds_rows(
    game: ArchiveGame,
    book: ArchiveBook,
    snapshot_time: datetime,
    *,
    home_line: float | None = None,
    total: float | None = None,
    moneyline: tuple[float, float] | None = None,
) -> list[dict[str, Any]]:
    """``odds_snapshots`` rows of one snapshot; each market given is complete (both sides).

    ``home_line`` is the home team's spread (negative when it is favoured); ``moneyline`` is
    (away, home). Spreads and totals carry the standard -110 (see the module docstring).
    """
    sides: list[tuple[str, str, float, float]] = []
    if home_line is not None:
        home_point = float(home_line) + 0.0
        sides += [
            ("spreads", "home", home_point, STANDARD_PRICE),
            ("spreads", "away", -home_point + 0.0, STANDARD_PRICE),
        ]
    if total is not None:
        sides += [
            ("totals", "over", float(total), STANDARD_PRICE),
            ("totals", "under", float(total), STANDARD_PRICE),
        ]
    if moneyline is not None:
        sides += [("h2h", "away", 0.0, moneyline[0]), ("h2h", "home", 0.0, moneyline[1])]
    rows = []
    for market, outcome, point, price in sides:
        decimal, american = both_prices(float(price), "american")
        rows.append(
            {
                "snapshot_time": snapshot_time,
                "game_id": game.game_id,
                "book_key": book.book_key,
                "book_title": book.book_title,
                "market": market,
                "outcome": outcome,
                "point": point,
                "price_decimal": decimal,
                "price_american": american,
                "price_format": "american",
                "last_update": None,
                "source_event_id": game.event_id,
            }
        )
    return rows


def parse_number(text: str | None) -> float | None:
    """A plain number, or None for a blank or a "no line" marker; ValueError otherwise."""
    value = (text or "").strip()
    if value.upper() in ("", "NL", "-", "N/A", "NAN"):
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{text!r} is not a finite number")
    return number


def parse_int(text: str | None) -> int | None:
    """A whole number (``"105"`` or ``"105.0"``), else None."""
    try:
        number = parse_number(text)
    except ValueError:
        return None
    if number is None or number != round(number):
        return None
    return int(number)
