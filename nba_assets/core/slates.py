"""Slate dates, deterministic game ids and the UTC rules every layer shares.

A slate is the America/New_York calendar day on which games tip off: a 7:30 pm ET game is
00:30 UTC the next day and still belongs to that slate. Stored timestamps stay UTC; the
slate date is only a label (and the Dagster partition key).

``utc_now`` is the one "now" that decides which slate is live and how old stored data is;
benches and replays move it with ``simulated_clock``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SLATE_TZ = ZoneInfo("America/New_York")


class NaiveDatetimeError(ValueError):
    """A datetime without a time zone reached code that only accepts UTC instants."""


def require_aware(value: datetime, what: str = "datetime") -> datetime:
    """Return ``value`` in UTC, refusing to guess the zone of a naive datetime."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise NaiveDatetimeError(f"{what} {value!r} has no time zone; pass an aware UTC datetime")
    return value.astimezone(UTC)


def slate_date(tip_off: datetime) -> date:
    """The slate (New York calendar day) a game tipping off at ``tip_off`` belongs to."""
    return require_aware(tip_off, "tip-off").astimezone(SLATE_TZ).date()


def slate_window(slate: date) -> tuple[datetime, datetime]:
    """The UTC half-open interval [start, end) of one slate's New York calendar day."""
    start = datetime.combine(slate, time(0), tzinfo=SLATE_TZ)
    end = datetime.combine(slate + timedelta(days=1), time(0), tzinfo=SLATE_TZ)
    return start.astimezone(UTC), end.astimezone(UTC)


def game_id_for(slate: date, home_team_id: int) -> int:
    """The internal id of the game the home team hosts on a slate.

    A team hosts at most one game a day, so (slate, home team) identifies a game across every
    feed and archive without a lookup: 2023-10-24, team 14 -> 2023102414. It fits a 32-bit
    integer until the year 2147.
    """
    if not 1 <= home_team_id <= 99:
        raise ValueError(f"home_team_id {home_team_id} is not a franchise id")
    return (slate.year * 10_000 + slate.month * 100 + slate.day) * 100 + home_team_id


def slate_of_game_id(game_id: int) -> date:
    ymd = game_id // 100
    return date(ymd // 10_000, ymd // 100 % 100, ymd % 100)


def season_of(slate: date) -> int:
    """The season a slate belongs to, named by its starting year (2023 means 2023-24).

    Seasons roll over on 1 August, well after the latest finals and before any preseason.
    """
    return slate.year if slate.month >= 8 else slate.year - 1


def season_label(season: int) -> str:
    return f"{season}-{(season + 1) % 100:02d}"


# The simulated now of ``simulated_clock``; None (always, in production) is the wall clock.
_now_override: Callable[[], datetime] | None = None
_override_lock = threading.Lock()


def utc_now() -> datetime:
    """The current UTC instant: the wall clock, unless a bench or replay simulates one.

    Everything that decides whether a slate is live or how old stored data is asks here
    rather than ``datetime.now``, so that ``simulated_clock`` moves all of it at once.
    """
    override = _now_override
    if override is not None:
        return require_aware(override(), "simulated now")
    return datetime.now(UTC)


@contextmanager
def simulated_clock(now: Callable[[], datetime]) -> Iterator[None]:
    """Make ``utc_now()`` return ``now()`` (an aware instant) inside the block.

    For benches and replays only (the soak's simulated week runs the real schedules and
    assets at past instants), never in production: the override is process-wide, not per
    run or per thread, so every thread of the process sees the simulated now while the
    block lasts. Setting and restoring are locked and blocks nest (the previous clock comes
    back on exit), which is enough for one soak or replay per process; concurrent blocks in
    different threads would restore each other's clocks out of order.
    """
    global _now_override
    with _override_lock:
        previous, _now_override = _now_override, now
    try:
        yield
    finally:
        with _override_lock:
            _now_override = previous
