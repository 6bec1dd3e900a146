"""BallDontLie's free-form strings turned into typed values: minutes, dates, statuses.

These are the places the provider is loosest (``min`` is "36:47", "" or null; an injury's
``return_date`` is "Nov 18" with no year; a game's ``status`` holds either a phase, "Final"
or the tip-off time), so each gets a pure function with its own tests.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, date, datetime, time

from nba_assets.core.slates import SLATE_TZ, require_aware

_MONTHS: dict[str, int] = {
    **{name.lower(): i for i, name in enumerate(calendar.month_abbr) if name},
    **{name.lower(): i for i, name in enumerate(calendar.month_name) if name},
    "sept": 9,
}
_MONTH_DAY = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLOCK = re.compile(r"(\d{1,3})(?::(\d{1,2})(?:\.\d+)?)?")
_ISO_DURATION = re.compile(r"PT(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?")
_ET_TIME = re.compile(r"(\d{1,2}):(\d{2})\s*([ap])\.?\s*m\.?(?:\s*e[sd]?t)?", re.IGNORECASE)
_IN_PLAY = re.compile(r"\b(qtr|quarter|half|halftime|end|\d?ot\d?)\b")
# A leap day can be eight years away (2096 -> 2104), so look that far ahead.
_YEARS_AHEAD = 9

INJURY_STATUSES: dict[str, str] = {
    "out": "out",
    "out_for_season": "out",
    "out_indefinitely": "out",
    "doubtful": "doubtful",
    "questionable": "questionable",
    "probable": "probable",
    "available": "available",
    "active": "available",
    "day_to_day": "day_to_day",
    "daytoday": "day_to_day",
    "dtd": "day_to_day",
}


def parse_minutes(value: object) -> float:
    """Minutes played as a float: "36:47" -> 36.783; "", "00", "0:00" and null -> 0.0.

    Raises ValueError on anything else, since a wrong minutes value silently skews every
    per-minute rate downstream.
    """
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise ValueError("minutes cannot be a boolean")
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"minutes {value} is not a non-negative number")
        return float(value)
    if not isinstance(value, str):
        raise ValueError(f"minutes must be a string or a number, not {type(value).__name__}")
    text = value.strip()
    if not text:
        return 0.0
    clock = _CLOCK.fullmatch(text)
    if clock:
        seconds = int(clock[2] or 0)
        if seconds >= 60:
            raise ValueError(f"minutes {text!r} has {seconds} seconds")
        return round(int(clock[1]) + seconds / 60.0, 4)
    duration = _ISO_DURATION.fullmatch(text)
    if duration and (duration[1] or duration[2]):
        return round(int(duration[1] or 0) + float(duration[2] or 0) / 60.0, 4)
    raise ValueError(f"minutes {text!r} is not mm:ss")


def resolve_return_date(raw: str | None, reported_at: datetime) -> date | None:
    """The date a "Nov 18"-style return estimate means: the next such day on/after the report.

    The day is counted in New York because that is the league's calendar: a report filed at
    9 pm ET on 18 November (02:00 UTC on the 19th) saying "Nov 18" means that same day, not
    next year's. A leap-day estimate waits for the next leap year. Full ISO dates pass
    through; anything unreadable gives None (the raw text is kept alongside).
    """
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    if _ISO_DATE.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    match = _MONTH_DAY.fullmatch(text)
    if match is None:
        return None
    month = _MONTHS.get(match[1].lower())
    day = int(match[2])
    if month is None:
        return None
    today = require_aware(reported_at, "reported_at").astimezone(SLATE_TZ).date()
    for year in range(today.year, today.year + _YEARS_AHEAD):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def normalize_injury_status(raw: str) -> str | None:
    """The warehouse status for a provider status ("Day-To-Day" -> "day_to_day"), else None."""
    key = re.sub(r"[^a-z]+", "_", raw.strip().lower()).strip("_")
    return INJURY_STATUSES.get(key)


def tip_off_from_status(status: str, game_date: date) -> datetime | None:
    """The tip-off an unplayed game's ``status`` carries, else None.

    Before ``datetime`` existed BallDontLie put the tip-off in ``status``: an ISO instant
    ("2024-04-04T23:30:00Z") or, in older data, a New York wall-clock time ("7:30 pm ET").
    """
    text = status.strip()
    if "T" in text and text[:4].isdigit():
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        if parsed.tzinfo is None or not 1900 <= parsed.year <= 2200:
            return None
        return parsed.astimezone(UTC)
    match = _ET_TIME.fullmatch(text)
    if match is None:
        return None
    hour = int(match[1]) % 12 + (12 if match[3].lower() == "p" else 0)
    minute = int(match[2])
    if minute >= 60:
        return None
    return datetime.combine(game_date, time(hour, minute), tzinfo=SLATE_TZ).astimezone(UTC)


def game_status(status: str, period: int | None, game_date: date) -> str:
    """The warehouse status of a BallDontLie game from its free-text ``status`` and period."""
    text = status.strip().lower()
    if text.startswith("final"):
        return "final"
    if "postpon" in text:
        return "postponed"
    if "cancel" in text:
        return "canceled"
    if tip_off_from_status(status, game_date) is not None:
        return "scheduled"
    if period is not None and period > 0:
        return "in_progress"
    if _IN_PLAY.search(text):
        return "in_progress"
    return "scheduled"
