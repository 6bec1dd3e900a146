"""Will the feed's monthly credit last until it resets, at the rate we are spending it?

The Odds API charges credits per call and refills them once a month. Running out mid-month
stops every odds snapshot until the refill, so the platform warns while there is still
time to act (slow the cadence, drop a region, buy a bigger plan).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# Beyond this, "when it runs out" is no date anyone plans for (and past year 9999 it is no
# date at all): the outlook says it does not run out.
HORIZON = timedelta(days=3650)
# Spending is averaged over at least a day: a backfill's burst of calls in one hour is
# what a day costs, not a twenty-fourth of it.
MIN_OBSERVED = timedelta(days=1)


@dataclass(frozen=True)
class CreditOutlook:
    remaining: int
    spent_in_window: int
    burn_per_day: float
    resets_at: datetime
    runs_out_at: datetime | None

    @property
    def runs_out_before_reset(self) -> bool:
        return self.runs_out_at is not None and self.runs_out_at < self.resets_at

    @property
    def days_to_exhaustion(self) -> float | None:
        if self.burn_per_day <= 0:
            return None
        return self.remaining / self.burn_per_day


def next_reset(now: datetime, reset_day: int = 1) -> datetime:
    """The next monthly refill at 00:00 UTC on ``reset_day`` (1-28, so every month has it)."""
    if not 1 <= reset_day <= 28:
        raise ValueError(f"reset_day must be 1-28, got {reset_day}")
    now = now.astimezone(UTC)
    this_month = now.replace(day=reset_day, hour=0, minute=0, second=0, microsecond=0)
    if this_month > now:
        return this_month
    year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
    return this_month.replace(year=year, month=month)


def credit_outlook(
    spending: Iterable[tuple[datetime, int]],
    remaining: int,
    now: datetime,
    *,
    window: timedelta = timedelta(days=7),
    reset_day: int = 1,
) -> CreditOutlook:
    """Project exhaustion from the credits spent in the trailing ``window``.

    ``spending`` is (when spent, credits) per call. The rate divides by the time actually
    observed (from the first spend in the window to now, at least ``MIN_OBSERVED``), so a
    platform started yesterday is not credited with six idle days, and an hour's backfill
    is not taken for the cadence of a whole day.
    """
    since = now - window
    recent = [(at, credits) for at, credits in spending if since <= at <= now and credits > 0]
    spent = sum(credits for _, credits in recent)
    resets_at = next_reset(now, reset_day)
    if not recent:
        return CreditOutlook(remaining, 0, 0.0, resets_at, None)
    observed = max(now - min(at for at, _ in recent), MIN_OBSERVED)
    burn_per_day = spent / (observed / timedelta(days=1))
    left = timedelta(days=min(remaining / burn_per_day, HORIZON.days + 1))
    runs_out_at = now + left if left <= HORIZON else None
    return CreditOutlook(remaining, spent, burn_per_day, resets_at, runs_out_at)
