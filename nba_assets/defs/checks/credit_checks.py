"""The Odds API credit budget: warn while there is still time to act, not at zero."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from nba_assets.core.credits import credit_outlook
from nba_assets.defs.checks.queries import read
from nba_assets.defs.checks.registry import CheckOutcome, TableCheck

BURN_WINDOW = timedelta(days=7)


def credit_reset_day() -> int:
    """Day of the month the plan refills (``ODDS_API_CREDIT_RESET_DAY``, default 1)."""
    return int(os.environ.get("ODDS_API_CREDIT_RESET_DAY") or 1)


def odds_api_credit_budget(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    """Fails (as a warning) when the trailing week's burn rate empties the credit before
    the monthly refill.

    Spending is read by ``requested_at``, when the call was made and charged; a backfill's
    burst is averaged over at least a day (``nba_assets.core.credits``).
    """
    spent = read(
        engine,
        """SELECT requested_at, requests_last FROM nba.feed_requests
           WHERE source = 'odds_api' AND outcome = 'ok' AND requests_last > 0
             AND requested_at > :since AND requested_at <= :now""",
        since=now - BURN_WINDOW,
        now=now,
    )
    latest = read(
        engine,
        """SELECT requests_remaining FROM nba.feed_requests
           WHERE source = 'odds_api' AND requests_remaining IS NOT NULL
             AND requested_at <= :now
           ORDER BY requested_at DESC, request_id DESC LIMIT 1""",
        now=now,
    )
    if latest.empty:
        return CheckOutcome(True, {}, "no call has reported its remaining credit yet")
    remaining = int(latest["requests_remaining"].iloc[0])
    outlook = credit_outlook(
        zip(
            spent["requested_at"].map(lambda t: t.to_pydatetime()),
            spent["requests_last"].astype(int),
            strict=True,
        ),
        remaining,
        now,
        window=BURN_WINDOW,
        reset_day=credit_reset_day(),
    )
    days = outlook.days_to_exhaustion
    metadata: dict[str, object] = {
        "credits_remaining": remaining,
        "credits_spent_7d": outlook.spent_in_window,
        "burn_per_day": round(outlook.burn_per_day, 1),
        "days_to_exhaustion": None if days is None else round(days, 1),
        "resets_at": outlook.resets_at.isoformat(),
    }
    if outlook.runs_out_before_reset:
        assert outlook.runs_out_at is not None
        return CheckOutcome(
            False,
            metadata,
            f"at {outlook.burn_per_day:.0f} credits a day the remaining {remaining} run out"
            f" {outlook.runs_out_at:%Y-%m-%d %H:%M} UTC, before the refill on"
            f" {outlook.resets_at:%Y-%m-%d}: slow the cadence or raise the plan",
        )
    return CheckOutcome(True, metadata)


CREDIT_CHECK = TableCheck(
    "odds_snapshots",
    "odds_api_credit_budget",
    "the Odds API credit lasts until the monthly refill at the trailing week's burn rate",
    odds_api_credit_budget,
)
