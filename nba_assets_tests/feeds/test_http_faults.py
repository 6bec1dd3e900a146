"""Fault tests: the clients under 429s, 5xx bursts, timeouts, resets and refusals.

Every test drives a real client through ``httpx.MockTransport`` with a recording sleeper,
so retries, waits and give-ups are asserted exactly and nothing sleeps or touches a network.
"""

from __future__ import annotations

import time
from datetime import timedelta
from email.utils import format_datetime
from types import SimpleNamespace

import httpx
import pytest
import tenacity.wait

from nba_assets.feeds.errors import (
    FeedAuthError,
    FeedPlanError,
    FeedQuotaError,
    FeedRequestError,
    FeedUnavailableError,
    PayloadError,
)
from nba_assets.feeds.http import RetryPolicy, parse_retry_after
from nba_assets.feeds.odds_api import OddsApiClient
from nba_assets.feeds.records import quarantine_body
from nba_assets_tests.feeds.fakes import NOW, ODDS_KEY, Records, Script, Waits, ok, status


def client(
    script: Script, policy: RetryPolicy | None = None
) -> tuple[OddsApiClient, Waits, Records]:
    waits, records = Waits(), Records()
    odds = OddsApiClient(
        ODDS_KEY,
        transport=script.transport,
        recorder=records,
        sleep=waits,
        policy=policy,
        now=lambda: NOW,
    )
    return odds, waits, records


@pytest.fixture(autouse=True)
def _forbid_real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"a test tried to really sleep {seconds} s")

    monkeypatch.setattr(time, "sleep", refuse)


@pytest.fixture
def upper_jitter(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make full jitter pick the top of its window, so exponential growth is visible."""
    monkeypatch.setattr(tenacity.wait, "random", SimpleNamespace(uniform=lambda lo, hi: hi))


def test_429_with_retry_after_seconds_waits_exactly_that_long() -> None:
    limited = {"message": "slow down", "error_code": "EXCEEDED_FREQ_LIMIT"}
    script = Script(
        status(429, limited, **{"Retry-After": "7"}),
        status(429, limited, **{"Retry-After": "3"}),
        ok([], **{"x-requests-used": "12", "x-requests-remaining": "488", "x-requests-last": "3"}),
    )
    odds, waits, records = client(script)
    response = odds.odds()
    assert response.data == []
    assert waits == [7.0, 3.0]
    assert [r.outcome for r in records] == ["retry", "retry", "ok"]
    assert [r.attempt for r in records] == [1, 2, 3]
    assert [r.status_code for r in records] == [429, 429, 200]
    assert "EXCEEDED_FREQ_LIMIT" in (records[0].error or "")
    assert (records[-1].requests_used, records[-1].requests_remaining) == (12, 488)
    assert records[-1].requests_last == 3
    assert response.requests_remaining == 488 and response.attempts == 3


def test_429_with_retry_after_http_date_waits_until_that_date() -> None:
    when = format_datetime(NOW + timedelta(seconds=12), usegmt=True)
    script = Script(status(429, {"message": "slow"}, **{"Retry-After": when}), ok([]))
    odds, waits, _ = client(script)
    odds.odds()
    assert waits == [12.0]


@pytest.mark.usefixtures("upper_jitter")
def test_429_without_retry_after_backs_off_exponentially() -> None:
    script = Script(status(429), status(429), status(429), ok([]))
    odds, waits, records = client(script, RetryPolicy(backoff_base_seconds=1.0))
    odds.odds()
    assert waits == [1.0, 2.0, 4.0]
    assert len(script.requests) == 4 and records[-1].outcome == "ok"


def test_backoff_is_full_jitter_within_the_exponential_window() -> None:
    script = Script(status(503), status(503), status(503), status(503), ok([]))
    odds, waits, _ = client(script, RetryPolicy(backoff_base_seconds=2.0, backoff_max_seconds=5.0))
    odds.odds()
    assert len(waits) == 4
    for n, wait in enumerate(waits):
        assert 0.0 <= wait <= min(5.0, 2.0 * 2**n)


def test_full_jitter_may_wait_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tenacity.wait, "random", SimpleNamespace(uniform=lambda lo, hi: lo))
    script = Script(status(500), ok([]))
    odds, waits, _ = client(script)
    odds.odds()
    assert waits == [0.0]


@pytest.mark.parametrize("codes", [(500,), (502, 503), (500, 502, 503), (504, 429, 503)])
def test_5xx_burst_then_success(codes: tuple[int, ...]) -> None:
    script = Script(*(status(code) for code in codes), ok([]))
    odds, waits, records = client(script)
    assert odds.odds().data == []
    assert len(waits) == len(codes)
    assert [r.status_code for r in records] == [*codes, 200]
    assert [r.outcome for r in records] == ["retry"] * len(codes) + ["ok"]


def test_burst_longer_than_the_attempt_bound_gives_up_clearly() -> None:
    script = Script(status(503))
    odds, waits, records = client(script, RetryPolicy(max_attempts=4))
    with pytest.raises(FeedUnavailableError) as caught:
        odds.odds()
    assert len(script.requests) == 4
    assert len(waits) == 3
    assert [r.outcome for r in records] == ["retry", "retry", "retry", "error"]
    message = str(caught.value)
    assert "gave up after 4 attempt(s)" in message and "HTTP 503" in message
    assert "retry the run later" in message
    assert caught.value.attempts == 4 and caught.value.status_code == 503


def test_retry_after_beyond_the_budget_gives_up_without_waiting() -> None:
    script = Script(status(429, {"message": "later"}, **{"Retry-After": "3600"}))
    odds, waits, records = client(script, RetryPolicy(max_total_seconds=90))
    with pytest.raises(FeedUnavailableError, match="asked to wait 3600 s"):
        odds.odds()
    assert waits == [] and len(script.requests) == 1
    assert [r.outcome for r in records] == ["error"]


@pytest.mark.usefixtures("upper_jitter")
def test_total_time_budget_bounds_the_retries() -> None:
    policy = RetryPolicy(
        max_attempts=10, max_total_seconds=25, backoff_base_seconds=10, backoff_max_seconds=100
    )
    script = Script(status(502))
    odds, waits, _ = client(script, policy)
    with pytest.raises(FeedUnavailableError, match="25 s retry budget"):
        odds.odds()
    assert waits == [10.0]
    assert len(script.requests) == 2


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("timed out"),
        httpx.ConnectTimeout("connect timed out"),
        httpx.ConnectError("[Errno 104] Connection reset by peer"),
        httpx.RemoteProtocolError("peer closed connection without sending complete message body"),
        httpx.ReadError("connection reset"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_transport_failures_are_retried(failure: Exception) -> None:
    script = Script(failure, failure, ok([]))
    odds, waits, records = client(script)
    assert odds.odds().data == []
    assert len(waits) == 2
    assert [r.status_code for r in records] == [None, None, 200]
    assert (records[0].error or "").startswith(type(failure).__name__)


def test_endless_timeouts_give_up_with_the_last_failure_named() -> None:
    script = Script(httpx.ReadTimeout("timed out"))
    odds, waits, records = client(script, RetryPolicy(max_attempts=3))
    with pytest.raises(FeedUnavailableError, match="ReadTimeout"):
        odds.odds()
    assert len(script.requests) == 3 and len(waits) == 2
    assert records[-1].outcome == "error"


def test_truncated_json_is_a_payload_error_without_retry() -> None:
    truncated = '[{"id": "63330b334dfcd7aa56e69624617bc273", "sport_key": "basketball_nba", "home'
    script = Script(httpx.Response(200, text=truncated))
    odds, waits, records = client(script)
    with pytest.raises(PayloadError, match="not valid JSON") as caught:
        odds.odds()
    assert len(script.requests) == 1 and waits == []
    assert [r.outcome for r in records] == ["error"]
    assert caught.value.raw_text == truncated
    quarantined = quarantine_body(caught.value, "odds_snapshots")
    assert quarantined.target_table == "odds_snapshots"
    assert quarantined.raw_text == truncated
    assert quarantined.endpoint and quarantined.endpoint.startswith(
        "/v4/sports/basketball_nba/odds"
    )
    assert quarantined.reason


def test_wrong_top_level_shape_is_a_payload_error() -> None:
    script = Script(ok({"events": []}))
    odds, _, records = client(script)
    with pytest.raises(PayloadError, match="expected a JSON list, got dict") as caught:
        odds.odds()
    assert caught.value.raw == {"events": []}
    assert records[-1].outcome == "error"


@pytest.mark.parametrize(
    ("code", "error_code", "expected", "advice"),
    [
        (401, "OUT_OF_USAGE_CREDITS", FeedQuotaError, "wait for the reset or raise the plan"),
        (429, "OUT_OF_USAGE_CREDITS", FeedQuotaError, "wait for the reset or raise the plan"),
        (401, "INVALID_KEY", FeedAuthError, "check ODDS_API_KEY"),
        (401, "MISSING_KEY", FeedAuthError, "set ODDS_API_KEY"),
        (401, "HISTORICAL_UNAVAILABLE_ON_FREE_USAGE_PLAN", FeedPlanError, "paid plan"),
        (403, None, FeedAuthError, "access is denied"),
        (404, None, FeedRequestError, "check the base URL"),
        (422, "INVALID_MARKET", FeedRequestError, "props need event odds"),
        (422, None, FeedRequestError, "fix the request"),
        (400, "INVALID_SCORES_DAYS_FROM", FeedRequestError, "between 1 and 3"),
    ],
)
def test_non_retryable_answers_raise_at_once(
    code: int, error_code: str | None, expected: type[Exception], advice: str
) -> None:
    body = {"message": "refused", **({"error_code": error_code} if error_code else {})}
    script = Script(status(code, body))
    odds, waits, records = client(script)
    with pytest.raises(expected) as caught:
        odds.odds()
    assert len(script.requests) == 1 and waits == []
    assert [(r.outcome, r.status_code) for r in records] == [("error", code)]
    error = caught.value
    assert error.error_code == error_code  # type: ignore[attr-defined]
    assert advice in str(error)
    if error_code:
        assert str(error).startswith(f"{error_code}: ")


def test_unreachable_scheme_is_not_retried() -> None:
    script = Script(httpx.UnsupportedProtocol("Request URL has an unsupported protocol"))
    odds, waits, _ = client(script)
    with pytest.raises(FeedRequestError, match="check the base URL"):
        odds.odds()
    assert waits == [] and len(script.requests) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5", 5.0),
        (" 2.5 ", 2.5),
        ("-3", 0.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("nan", None),
        (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
        (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_retry_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="budget"):
        RetryPolicy(max_total_seconds=0)
