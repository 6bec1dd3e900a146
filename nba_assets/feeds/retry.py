"""When and how long a feed call waits before trying again, built on tenacity.

The strategy: full-jitter exponential backoff (a uniform wait in ``[0, min(max, base *
2**n)]``) so several runs hitting one rate limit spread out instead of retrying in lockstep;
a server's ``Retry-After`` replaces the jittered wait; and two bounds, attempts and total
seconds, whichever comes first. When a wait would carry the call past its budget the call
gives up at once rather than sleep past the run's schedule.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from tenacity import RetryCallState, Retrying, retry_if_exception_type
from tenacity.stop import stop_after_attempt, stop_base
from tenacity.wait import wait_base, wait_random_exponential

from nba_assets.core.slates import require_aware

if TYPE_CHECKING:
    from nba_assets.feeds.http import FeedRequest


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try: attempts and total seconds (waits plus time on the wire) both bound it.

    The defaults fit a 15-minute schedule: five attempts within 90 seconds leave the next
    tick untouched even when every wait is long.
    """

    max_attempts: int = 5
    max_total_seconds: float = 90.0
    backoff_base_seconds: float = 1.0
    backoff_max_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.max_total_seconds <= 0 or self.backoff_base_seconds < 0:
            raise ValueError("the retry budget must be positive and backoff non-negative")


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or HTTP date), else None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - require_aware(now, "now")).total_seconds())
    return max(0.0, seconds) if math.isfinite(seconds) else None


class RetryableAttempt(Exception):
    """Signal to tenacity that one attempt failed in a way worth trying again.

    It carries the attempt's ``FeedRequest`` so the record can be labelled 'retry' or
    'error' once tenacity has decided, not guessed before.
    """

    def __init__(self, record: FeedRequest, description: str, retry_after: float | None) -> None:
        super().__init__(description)
        self.record = record
        self.description = description
        self.retry_after = retry_after


class _RetryAfterOrJitter(wait_base):
    def __init__(self, fallback: wait_base) -> None:
        self._fallback = fallback

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        exc = outcome.exception() if outcome is not None else None
        if isinstance(exc, RetryableAttempt) and exc.retry_after is not None:
            return exc.retry_after
        return self._fallback(retry_state)


class _BudgetStop(stop_base):
    """Stop before a wait would carry the call past its total-time budget.

    Time is counted as requested waits plus measured time on the wire rather than the wall
    clock, so an injected no-op sleeper sees exactly the decisions a real one would.
    """

    def __init__(self, budget: float, busy_seconds: Callable[[], float]) -> None:
        self._budget = budget
        self._busy = busy_seconds

    def __call__(self, retry_state: RetryCallState) -> bool:
        spent = retry_state.idle_for + self._busy() + retry_state.upcoming_sleep
        return spent > self._budget


def build_retrying(
    policy: RetryPolicy,
    *,
    busy_seconds: Callable[[], float],
    sleep: Callable[[float], None],
    before_sleep: Callable[[RetryCallState], None],
) -> Retrying:
    """A tenacity controller for one call under ``policy``; ``RetryError`` means give up."""
    return Retrying(
        stop=stop_after_attempt(policy.max_attempts)
        | _BudgetStop(policy.max_total_seconds, busy_seconds),
        wait=_RetryAfterOrJitter(
            wait_random_exponential(
                multiplier=policy.backoff_base_seconds, max=policy.backoff_max_seconds
            )
        ),
        retry=retry_if_exception_type(RetryableAttempt),
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=False,
    )
