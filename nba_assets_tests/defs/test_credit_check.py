"""The credit budget check on real ``feed_requests`` rows, as the feeds write them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from nba_assets.defs.checks.credit_checks import odds_api_credit_budget
from nba_assets.feeds.http import FeedRequest
from nba_assets.warehouse.ingest import write_feed_requests

NOW = datetime(2026, 12, 10, 12, tzinfo=UTC)
SLATE = date(2026, 12, 10)


def _calls(per_call: int, hours: int, remaining_at_end: int, start: datetime = NOW):
    return [
        FeedRequest(
            source="odds_api",
            endpoint="/v4/sports/basketball_nba/odds",
            params={"regions": "us,eu"},
            status_code=200,
            outcome="ok",
            error=None,
            attempt=1,
            latency_ms=80.0,
            requested_at=start - timedelta(hours=h),
            requests_last=per_call,
            requests_remaining=remaining_at_end + per_call * (h - 1),
        )
        for h in range(hours, 0, -1)
    ]


def test_no_credit_headers_yet_passes(fresh_engine) -> None:
    outcome = odds_api_credit_budget(fresh_engine, SLATE, NOW)
    assert outcome.passed and "no call" in (outcome.description or "")


def test_a_sustainable_burn_passes_and_reports_the_outlook(fresh_engine) -> None:
    write_feed_requests(fresh_engine, _calls(10, 48, 19_000), run_id=uuid.uuid4())
    outcome = odds_api_credit_budget(fresh_engine, SLATE, NOW)
    assert outcome.passed
    assert outcome.metadata["credits_remaining"] == 19_000
    assert outcome.metadata["credits_spent_7d"] == 480
    assert outcome.metadata["burn_per_day"] == 240.0


def test_a_burn_that_runs_dry_before_the_refill_fails_with_the_date(fresh_engine) -> None:
    write_feed_requests(fresh_engine, _calls(120, 48, 19_000), run_id=uuid.uuid4())
    outcome = odds_api_credit_budget(fresh_engine, SLATE, NOW)
    assert not outcome.passed
    assert "before the refill on 2027-01-01" in (outcome.description or "")


def test_calls_older_than_the_window_do_not_count(fresh_engine) -> None:
    past = NOW - timedelta(days=30)
    write_feed_requests(fresh_engine, _calls(500, 48, 100, start=past), run_id=uuid.uuid4())
    outcome = odds_api_credit_budget(fresh_engine, SLATE, NOW)
    assert outcome.passed
    assert outcome.metadata["credits_spent_7d"] == 0
