"""BallDontLie v1 NBA payloads, tolerant of the shapes seen across its versions.

Seen in the wild (SOURCES.md): ``date`` as "2024-04-04" or a midnight-UTC instant; the
tip-off in ``datetime`` or, before that field existed, in ``status``; ``min`` as "36:47",
"", "00" or null; players with a nested ``team`` or only a ``team_id``; ``season`` named by
its starting year (2023 means 2023-24), the same convention as ``core.slates.season_of``.
Fields named like Python types (``date``, ``datetime``, ``time``, ``min``) are aliased.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import BeforeValidator, Field

from nba_assets.feeds.balldontlie.parsing import parse_minutes
from nba_assets.feeds.schema import FeedModel, UtcDatetime


def _calendar_date(value: object) -> object:
    """A calendar date from "2024-04-04" or its midnight-UTC serialisation."""
    if isinstance(value, str) and len(value) > 10:
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError("a date-time without a zone cannot name a calendar date")
        parsed = parsed.astimezone(UTC)
        if parsed.time() != datetime.min.time():
            raise ValueError(f"{value!r} is not midnight UTC, so its calendar date is unclear")
        return parsed.date()
    return value


CalendarDate = Annotated[date, BeforeValidator(_calendar_date)]
Minutes = Annotated[float, BeforeValidator(parse_minutes)]


class BdlTeam(FeedModel):
    id: int
    full_name: str
    abbreviation: str | None = None
    city: str | None = None
    name: str | None = None
    conference: str | None = None
    division: str | None = None


class BdlPlayer(FeedModel):
    id: int
    first_name: str
    last_name: str
    position: str | None = None
    team_id: int | None = None
    team: BdlTeam | None = None


class BdlGameClock(FeedModel):
    id: int
    game_date: CalendarDate = Field(alias="date")
    season: int
    status: str
    period: int | None = None
    clock: str | None = Field(default=None, alias="time")
    tip_off: UtcDatetime | None = Field(default=None, alias="datetime")
    postseason: bool = False
    home_team_score: int | None = None
    visitor_team_score: int | None = None


class BdlGame(BdlGameClock):
    """``/v1/games``. Quarter scores (``home_q1`` ...) appear only in newer responses."""

    home_team: BdlTeam
    visitor_team: BdlTeam
    period_detail: str | None = None
    ist_stage: str | None = None
    home_q1: int | None = None
    home_q2: int | None = None
    home_q3: int | None = None
    home_q4: int | None = None
    home_ot1: int | None = None
    home_ot2: int | None = None
    home_ot3: int | None = None
    visitor_q1: int | None = None
    visitor_q2: int | None = None
    visitor_q3: int | None = None
    visitor_q4: int | None = None
    visitor_ot1: int | None = None
    visitor_ot2: int | None = None
    visitor_ot3: int | None = None

    def period_scores(self, side: str) -> list[int] | None:
        """Points per period for 'home' or 'visitor', or None unless all four quarters exist."""
        quarters = [getattr(self, f"{side}_q{n}") for n in range(1, 5)]
        if any(q is None for q in quarters):
            return None
        overtimes = [getattr(self, f"{side}_ot{n}") for n in range(1, 4)]
        return quarters + [ot for ot in overtimes if ot is not None]


class BdlStatGame(BdlGameClock):
    """The ``game`` inside a ``/v1/stats`` line: team ids only, in BallDontLie's numbering."""

    home_team_id: int
    visitor_team_id: int


class BdlStat(FeedModel):
    """A box-score line. ``min`` must be present (null or "" mean no minutes): were it
    optional, a renamed field would turn every line into a zero-minute one."""

    id: int | None = None
    minutes: Minutes = Field(alias="min")
    pts: int | None = None
    reb: int | None = None
    ast: int | None = None
    stl: int | None = None
    blk: int | None = None
    turnover: int | None = None
    pf: int | None = None
    fgm: int | None = None
    fga: int | None = None
    fg3m: int | None = None
    fg3a: int | None = None
    ftm: int | None = None
    fta: int | None = None
    oreb: int | None = None
    dreb: int | None = None
    plus_minus: int | None = None
    player: BdlPlayer
    team: BdlTeam
    game: BdlStatGame


class BdlInjury(FeedModel):
    """``/v1/player_injuries`` (NBA: ``description``/``return_date``; NFL uses other names)."""

    player: BdlPlayer
    status: str
    return_date: str | None = None
    description: str | None = None


class BdlMeta(FeedModel):
    """Cursor pagination; the legacy page-based fields are read only to refuse them clearly."""

    next_cursor: int | str | None = None
    per_page: int | None = None
    next_page: int | None = None
