"""The API keys never leave the wire: not in logs (ours or httpx's), errors or records."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import date

import httpx
import pytest

from nba_assets.feeds.balldontlie import BallDontLieClient
from nba_assets.feeds.errors import FeedError
from nba_assets.feeds.http import RetryPolicy
from nba_assets.feeds.odds_api import OddsApiClient
from nba_assets_tests.feeds.fakes import (
    BDL_KEY,
    NOW,
    ODDS_KEY,
    Records,
    Script,
    Step,
    Waits,
    ok,
    status,
)

LOGGERS = ("nba_assets", "httpx", "httpcore")


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    for name in LOGGERS:
        caplog.set_level(logging.DEBUG, logger=name)
    yield caplog


def _echo_key(request: httpx.Request) -> httpx.Response:
    """A provider that quotes the key back in its error message and headers."""
    key = request.url.params.get("apiKey") or request.headers.get("authorization", "")
    return httpx.Response(
        401,
        json={"message": f"API key {key} is not valid", "error_code": "INVALID_KEY"},
        headers={"x-echo": key},
    )


def scenarios(ok_body: object) -> dict[str, tuple[Step, ...]]:
    """Each way a call can go, answering ``ok_body`` when it succeeds."""
    return {
        "ok": (ok(ok_body),),
        "retries then ok": (status(429, {"message": "slow"}), status(503), ok(ok_body)),
        "timeouts give up": (httpx.ReadTimeout("timed out"),),
        "reset": (httpx.ConnectError("reset"), ok(ok_body)),
        "truncated": (httpx.Response(200, text='[{"id": '),),
        "no credit": (status(401, {"message": "spent", "error_code": "OUT_OF_USAGE_CREDITS"}),),
        "key echoed": (_echo_key,),
    }


SCENARIOS = list(scenarios(None))


def _texts_of(records: Records, error: BaseException | None, *extra: object) -> list[str]:
    texts = [repr(r) for r in records] + [str(r.params) for r in records]
    if error is not None:
        texts += [str(error), repr(error), repr(error.args)]
        for attr in ("endpoint", "raw", "raw_text"):
            texts.append(repr(getattr(error, attr, None)))
    texts += [repr(x) for x in extra]
    return texts


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_odds_api_key_never_escapes(scenario: str, debug_logs: pytest.LogCaptureFixture) -> None:
    script = Script(*scenarios([])[scenario])
    records, waits = Records(), Waits()
    odds = OddsApiClient(
        ODDS_KEY,
        transport=script.transport,
        recorder=records,
        sleep=waits,
        policy=RetryPolicy(max_attempts=3),
        now=lambda: NOW,
    )
    error: BaseException | None = None
    response = None
    try:
        response = odds.historical_odds(NOW) if scenario == "ok" else odds.odds()
    except FeedError as exc:
        error = exc
    assert all(r.url.params.get("apiKey") == ODDS_KEY for r in script.requests), "key not sent"
    texts = _texts_of(records, error, response, odds)
    texts += [rec.getMessage() for rec in debug_logs.records]
    texts += [str(rec.args) for rec in debug_logs.records]
    assert records, "every attempt is recorded"
    assert debug_logs.records, "the scenario logged something to check"
    leaks = [t for t in texts if ODDS_KEY in t]
    assert not leaks
    assert all("apiKey=***" in r.endpoint for r in records)
    assert all("apiKey" not in r.params for r in records)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_balldontlie_key_never_escapes(scenario: str, debug_logs: pytest.LogCaptureFixture) -> None:
    script = Script(*scenarios({"data": [], "meta": {"per_page": 100}})[scenario])
    records, waits = Records(), Waits()
    bdl = BallDontLieClient(
        BDL_KEY,
        transport=script.transport,
        recorder=records,
        sleep=waits,
        policy=RetryPolicy(max_attempts=3),
        now=lambda: NOW,
    )
    error: BaseException | None = None
    response = None
    try:
        response = bdl.games(dates=[date(2024, 1, 15)])
    except FeedError as exc:
        error = exc
    assert all(r.headers["authorization"] == BDL_KEY for r in script.requests)
    texts = _texts_of(records, error, response, bdl)
    texts += [rec.getMessage() for rec in debug_logs.records]
    assert records and debug_logs.records
    assert not [t for t in texts if BDL_KEY in t]


def test_the_key_is_not_a_query_parameter_for_balldontlie() -> None:
    script = Script(ok({"data": [], "meta": {}}))
    BallDontLieClient(BDL_KEY, transport=script.transport).teams()
    assert BDL_KEY not in str(script.requests[0].url)
    assert script.requests[0].headers["authorization"] == BDL_KEY  # raw key, no "Bearer"


def test_empty_keys_are_refused_without_echoing_anything() -> None:
    with pytest.raises(ValueError, match="ODDS_API_KEY"):
        OddsApiClient("  ")
    with pytest.raises(ValueError, match="BALLDONTLIE_API_KEY"):
        BallDontLieClient("")
