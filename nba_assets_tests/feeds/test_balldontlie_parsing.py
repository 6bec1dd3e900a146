"""BallDontLie's loose strings: minutes, year-less return dates, statuses, tip-off times."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from nba_assets.feeds.balldontlie.parsing import (
    game_status,
    normalize_injury_status,
    parse_minutes,
    resolve_return_date,
    tip_off_from_status,
)


@pytest.mark.parametrize(
    ("raw", "minutes"),
    [
        ("36:47", 36 + 47 / 60),
        ("36", 36.0),
        ("05:00", 5.0),
        ("0:30", 0.5),
        ("", 0.0),
        ("00", 0.0),
        ("0:00", 0.0),
        (None, 0.0),
        (" 12:06 ", 12.1),
        (34, 34.0),
        (12.5, 12.5),
        ("PT36M47.00S", 36 + 47 / 60),
    ],
)
def test_parse_minutes(raw: object, minutes: float) -> None:
    assert parse_minutes(raw) == pytest.approx(minutes, abs=1e-4)


@pytest.mark.parametrize("raw", ["36:75", "DNP", "-3", -1, True, float("nan"), [36], "1:2:3"])
def test_parse_minutes_refuses_junk(raw: object) -> None:
    with pytest.raises(ValueError, match="minutes"):
        parse_minutes(raw)


def at(year: int, month: int, day: int, hour: int = 17) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "reported_at", "expected"),
    [
        ("Nov 18", at(2025, 10, 21), date(2025, 11, 18)),
        ("Nov 18", at(2025, 11, 18), date(2025, 11, 18)),
        ("Nov 18", at(2025, 11, 19), date(2026, 11, 18)),
        # 9 pm in New York on 18 November is already the 19th in UTC.
        ("Nov 18", datetime(2025, 11, 19, 2, tzinfo=UTC), date(2025, 11, 18)),
        ("Jan 5", at(2024, 12, 20), date(2025, 1, 5)),
        ("Dec 31", at(2024, 12, 31), date(2024, 12, 31)),
        ("Jan 1", at(2024, 12, 31), date(2025, 1, 1)),
        ("Feb 29", at(2023, 3, 1), date(2024, 2, 29)),
        ("Feb 29", at(2024, 2, 10), date(2024, 2, 29)),
        ("Feb 29", at(2024, 3, 1), date(2028, 2, 29)),
        ("Feb 28", at(2024, 2, 29), date(2025, 2, 28)),
        ("Sept 3", at(2024, 8, 1), date(2024, 9, 3)),
        ("October 22", at(2024, 10, 1), date(2024, 10, 22)),
        ("Mar. 4", at(2024, 3, 1), date(2024, 3, 4)),
        ("2025-11-18", at(2025, 10, 21), date(2025, 11, 18)),
        ("Feb 30", at(2024, 1, 1), None),
        ("Nov 31", at(2024, 1, 1), None),
        ("Smarch 3", at(2024, 1, 1), None),
        ("mid-November", at(2024, 1, 1), None),
        ("", at(2024, 1, 1), None),
        (None, at(2024, 1, 1), None),
    ],
)
def test_resolve_return_date(raw: str | None, reported_at: datetime, expected: date | None) -> None:
    assert resolve_return_date(raw, reported_at) == expected


def test_resolve_return_date_needs_an_aware_report_time() -> None:
    with pytest.raises(ValueError, match="no time zone"):
        resolve_return_date("Nov 18", datetime(2025, 10, 21))


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("Out", "out"),
        ("Doubtful", "doubtful"),
        ("Questionable", "questionable"),
        ("Probable", "probable"),
        ("Available", "available"),
        ("Day-To-Day", "day_to_day"),
        ("day to day", "day_to_day"),
        (" OUT ", "out"),
        ("Out For Season", "out"),
        ("Suspended", None),
        ("", None),
    ],
)
def test_normalize_injury_status(raw: str, status: str | None) -> None:
    assert normalize_injury_status(raw) == status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("2024-04-04T23:30:00Z", datetime(2024, 4, 4, 23, 30, tzinfo=UTC)),
        ("2024-04-04T23:30:00.000Z", datetime(2024, 4, 4, 23, 30, tzinfo=UTC)),
        ("7:30 pm ET", datetime(2024, 4, 4, 23, 30, tzinfo=UTC)),
        ("10:00 PM ET", datetime(2024, 4, 5, 2, 0, tzinfo=UTC)),
        ("12:00 pm", datetime(2024, 4, 4, 16, 0, tzinfo=UTC)),
        ("2024-04-04T23:30:00", None),
        ("Final", None),
        ("3rd Qtr", None),
    ],
)
def test_tip_off_from_status(status: str, expected: datetime | None) -> None:
    assert tip_off_from_status(status, date(2024, 4, 4)) == expected


@pytest.mark.parametrize(
    ("status", "period", "expected"),
    [
        ("Final", 4, "final"),
        ("Final/OT", 5, "final"),
        ("2024-04-04T23:30:00Z", 0, "scheduled"),
        ("7:00 pm ET", 0, "scheduled"),
        ("1st Qtr", 1, "in_progress"),
        ("Halftime", 2, "in_progress"),
        ("OT", 5, "in_progress"),
        ("End of 3rd", 3, "in_progress"),
        ("Not Started", 0, "scheduled"),
        ("Postponed", 0, "postponed"),
        ("Cancelled", 0, "canceled"),
        ("Canceled", 0, "canceled"),
    ],
)
def test_game_status(status: str, period: int, expected: str) -> None:
    assert game_status(status, period, date(2024, 4, 4)) == expected
