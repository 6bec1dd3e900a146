"""``simulated_clock``: the one seam through which benches and replays move the project's now."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from nba_assets.core.slates import NaiveDatetimeError, simulated_clock, utc_now
from nba_assets.defs.assets.common import is_live

PAST = datetime(2024, 1, 8, 5, 0, tzinfo=UTC)


def _near_wall_clock(moment: datetime) -> bool:
    return abs(moment - datetime.now(UTC)) < timedelta(minutes=5)


def test_outside_a_simulated_clock_now_is_the_wall_clock() -> None:
    now = utc_now()
    assert now.tzinfo is UTC and _near_wall_clock(now)


def test_inside_it_now_follows_the_simulated_clock_and_comes_back_after() -> None:
    moments = iter([PAST, PAST + timedelta(minutes=15)])
    with simulated_clock(lambda: next(moments)):
        # Asked afresh on every call: a clock the bench moves is followed, not copied once.
        assert utc_now() == PAST
        assert utc_now() == PAST + timedelta(minutes=15)
    assert _near_wall_clock(utc_now())


def test_code_that_imported_utc_now_by_name_sees_the_simulated_now() -> None:
    # ``is_live`` holds its own reference to ``utc_now``: no module needs patching.
    slate = date(2024, 1, 9)
    assert not is_live(slate)
    with simulated_clock(lambda: PAST):
        assert is_live(slate) and is_live(date(2024, 1, 8))
        assert not is_live(date(2024, 1, 7))
    assert not is_live(slate)


def test_blocks_nest_and_an_error_still_restores_the_clock() -> None:
    later = PAST + timedelta(days=1)
    with simulated_clock(lambda: PAST):
        with pytest.raises(RuntimeError), simulated_clock(lambda: later):
            assert utc_now() == later
            raise RuntimeError("a failing tick")
        assert utc_now() == PAST
    assert _near_wall_clock(utc_now())


def test_the_simulated_now_must_be_an_aware_instant_and_comes_back_in_utc() -> None:
    with simulated_clock(lambda: datetime(2024, 1, 8, 5, 0)), pytest.raises(NaiveDatetimeError):
        utc_now()
    new_york = timezone(timedelta(hours=-5))
    with simulated_clock(lambda: datetime(2024, 1, 8, 0, 0, tzinfo=new_york)):
        now = utc_now()
    assert now == PAST and now.tzinfo is UTC
