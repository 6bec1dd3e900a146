from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nba_assets.core.credits import credit_outlook, next_reset

NOW = datetime(2026, 12, 10, 12, tzinfo=UTC)


def _hourly(credits: int, hours: int) -> list[tuple[datetime, int]]:
    return [(NOW - timedelta(hours=h), credits) for h in range(1, hours + 1)]


def test_the_refill_is_the_next_reset_day_at_midnight_utc() -> None:
    assert next_reset(NOW) == datetime(2027, 1, 1, tzinfo=UTC)
    assert next_reset(NOW, reset_day=15) == datetime(2026, 12, 15, tzinfo=UTC)
    assert next_reset(datetime(2026, 12, 15, tzinfo=UTC), reset_day=15) == datetime(
        2027, 1, 15, tzinfo=UTC
    )
    with pytest.raises(ValueError, match="reset_day"):
        next_reset(NOW, reset_day=31)


def test_a_steady_burn_that_outlasts_the_month_passes() -> None:
    outlook = credit_outlook(_hourly(10, 72), remaining=20_000, now=NOW)
    assert outlook.burn_per_day == pytest.approx(240, rel=0.02)
    assert not outlook.runs_out_before_reset
    assert outlook.days_to_exhaustion == pytest.approx(20_000 / outlook.burn_per_day)


def test_a_burn_that_empties_the_credit_before_the_refill_warns() -> None:
    outlook = credit_outlook(_hourly(60, 72), remaining=20_000, now=NOW)
    assert outlook.runs_out_before_reset
    assert outlook.runs_out_at is not None and outlook.runs_out_at < outlook.resets_at


def test_only_the_trailing_window_counts_and_idle_days_do_not_dilute_a_new_platform() -> None:
    old = [(NOW - timedelta(days=20), 100_000)]
    assert credit_outlook(old, remaining=5, now=NOW).burn_per_day == 0
    # 480 credits over the last two days of a week's window: 240 a day, not 480 / 7.
    outlook = credit_outlook(_hourly(10, 48), remaining=1_000, now=NOW)
    assert outlook.burn_per_day == pytest.approx(240, rel=0.03)


def test_a_burst_within_the_hour_counts_as_a_day_of_spending() -> None:
    burst = [(NOW - timedelta(minutes=m), 100) for m in range(1, 31)]
    outlook = credit_outlook(burst, remaining=1_000_000, now=NOW)
    assert outlook.burn_per_day == pytest.approx(3_000)
    assert not outlook.runs_out_before_reset


def test_no_spending_never_runs_out() -> None:
    outlook = credit_outlook([], remaining=0, now=NOW)
    assert outlook.runs_out_at is None and not outlook.runs_out_before_reset


def test_a_huge_credit_at_a_trickle_never_runs_out_rather_than_overflowing() -> None:
    outlook = credit_outlook([(NOW - timedelta(hours=1), 1)], remaining=20_000_000, now=NOW)
    assert outlook.runs_out_at is None and not outlook.runs_out_before_reset
    assert outlook.days_to_exhaustion == pytest.approx(20_000_000)
