"""Ingest runs against live feeds that misbehave: every call is recorded, unreadable bodies
are quarantined whole, and the run fails loudly.

The feeds run in live mode with real clients; only the httpx transport underneath them is
scripted (``FeedsResource.http_transport``), and retry waits are recorded, not slept.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import httpx
import pytest
from sqlalchemy import text

from nba_assets.defs.assets import ingest
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.warehouse.engine import engine_for
from nba_assets_tests.feeds.fakes import BDL_KEY, ODDS_KEY, Script, Waits, ok, status

SLATE = date(2024, 1, 15)
NOT_JSON = "<html><body><h1>502 Bad Gateway</h1><p>nginx \u2014 upstream reset</p></body></html>"


def _live_feeds(script: Script, waits: Waits) -> FeedsResource:
    class ScriptedFeeds(FeedsResource):
        def http_transport(self) -> httpx.BaseTransport:
            return script.transport

        def retry_sleep(self) -> Waits:
            return waits

    return ScriptedFeeds(mode="live", odds_api_key=ODDS_KEY, balldontlie_api_key=BDL_KEY)


def _run(asset, url: str, instance, script: Script, waits: Waits) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [asset],
        partition_key=SLATE.isoformat(),
        resources={
            "warehouse": WarehouseResource(database_url=url),
            "feeds": _live_feeds(script, waits),
        },
        instance=instance,
        raise_on_error=False,
    )


def _rows(url: str, sql: str, **params) -> list[dict]:
    with engine_for(url).connect() as conn:
        return [dict(r._mapping) for r in conn.execute(text(sql), params)]


def _feed_requests(url: str, run_id: str) -> list[dict]:
    return _rows(
        url,
        "SELECT *, t::text AS whole_row FROM nba.feed_requests t WHERE run_id = :run"
        " ORDER BY request_id",
        run=run_id,
    )


def _failure(result: dg.ExecuteInProcessResult) -> dg.Failure:
    (event,) = result.get_step_failure_events()
    data = event.step_failure_data
    assert data.user_failure_data is not None, data.error
    return data.user_failure_data


def _assert_failed_without_materializing(result: dg.ExecuteInProcessResult) -> None:
    assert not result.success
    assert result.get_asset_materialization_events() == []


def test_a_body_that_is_not_json_is_quarantined_whole_and_fails_the_run(
    fresh_url, dagster_instance
) -> None:
    script = Script(
        httpx.Response(200, text=NOT_JSON, headers={"content-type": "text/html; charset=utf-8"})
    )
    result = _run(ingest.games, fresh_url, dagster_instance, script, Waits())

    _assert_failed_without_materializing(result)
    # A body is not retried (the provider answered) and the step is not retried either.
    assert len(script.requests) == 1
    failure = _failure(result)
    assert "not valid JSON" in failure.description
    assert "nba.quarantine" in failure.description
    sent = script.requests[0]
    assert sent.headers["authorization"] == BDL_KEY

    (quarantined,) = _rows(
        fresh_url,
        "SELECT *, q::text AS whole_row FROM nba.quarantine q WHERE run_id = :run",
        run=result.run_id,
    )
    assert quarantined["raw_text"] == NOT_JSON
    assert quarantined["raw"] is None
    assert quarantined["source"] == "balldontlie"
    assert quarantined["target_table"] == "games"
    assert quarantined["endpoint"].startswith(sent.url.path + "?")
    assert f"dates[]={SLATE.isoformat()}" in quarantined["endpoint"]
    assert "not valid JSON" in quarantined["reason"]
    assert str(quarantined["run_id"]) == result.run_id
    assert quarantined["partition_key"] == SLATE.isoformat()
    assert BDL_KEY not in quarantined["whole_row"]

    (call,) = _feed_requests(fresh_url, result.run_id)
    assert (call["source"], call["status_code"], call["outcome"]) == (
        "balldontlie",
        200,
        "error",
    )
    assert call["endpoint"] == quarantined["endpoint"]
    assert BDL_KEY not in call["whole_row"]


def test_a_body_of_the_wrong_shape_is_quarantined_whole_and_fails_the_run(
    fresh_url, dagster_instance
) -> None:
    # The historical endpoint promises an envelope object; a bare list is not it.
    body = [{"id": "evt1", "home_team": "Los Angeles Lakers", "bookmakers": []}]
    script = Script(ok(body, **{"x-requests-remaining": "4990", "x-requests-last": "0"}))
    result = _run(ingest.odds_snapshots, fresh_url, dagster_instance, script, Waits())

    _assert_failed_without_materializing(result)
    assert len(script.requests) == 1
    assert script.requests[0].url.params["apiKey"] == ODDS_KEY
    failure = _failure(result)
    assert "expected a JSON dict, got list" in failure.description
    assert failure.metadata["provider"].value == "odds_api"

    (quarantined,) = _rows(
        fresh_url,
        "SELECT *, q::text AS whole_row FROM nba.quarantine q WHERE run_id = :run",
        run=result.run_id,
    )
    assert quarantined["raw"] == body
    assert quarantined["raw_text"] is None
    assert (quarantined["source"], quarantined["target_table"]) == ("odds_api", "odds_snapshots")
    assert quarantined["endpoint"].startswith("/v4/historical/sports/basketball_nba/odds?")
    assert "apiKey=***" in quarantined["endpoint"]
    assert ODDS_KEY not in quarantined["whole_row"]

    (call,) = _feed_requests(fresh_url, result.run_id)
    assert (call["source"], call["status_code"], call["outcome"]) == ("odds_api", 200, "error")
    assert call["requests_remaining"] == 4990
    assert ODDS_KEY not in call["whole_row"]


def test_an_outage_is_retried_recorded_call_by_call_and_fails_the_run(
    fresh_url, dagster_instance
) -> None:
    script = Script(status(500))
    waits = Waits()
    result = _run(ingest.games, fresh_url, dagster_instance, script, waits)

    _assert_failed_without_materializing(result)
    attempts = len(script.requests)
    assert attempts > 1
    assert len(waits) == attempts - 1  # backed off between attempts, never slept here
    assert "gave up after" in _failure(result).description

    calls = _feed_requests(fresh_url, result.run_id)
    assert len(calls) == attempts
    assert [c["attempt"] for c in calls] == list(range(1, attempts + 1))
    assert {c["status_code"] for c in calls} == {500}
    assert [c["outcome"] for c in calls] == ["retry"] * (attempts - 1) + ["error"]
    assert all(BDL_KEY not in c["whole_row"] for c in calls)
    assert _rows(fresh_url, "SELECT 1 FROM nba.quarantine") == []


def _envelope(at: datetime) -> dict:
    stamp = at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"timestamp": stamp, "previous_timestamp": None, "next_timestamp": None, "data": []}


@pytest.mark.parametrize("answered_first", [0, 2])
def test_a_refused_key_fails_the_run_at_once_and_every_call_is_recorded(
    fresh_url, dagster_instance, answered_first: int
) -> None:
    opens = datetime.combine(SLATE - timedelta(days=1), time(10), ZoneInfo("America/New_York"))
    answered = [ok(_envelope(opens), **{"x-requests-last": "0"}) for _ in range(answered_first)]
    refused = status(401, {"message": "API key is not valid", "error_code": "INVALID_KEY"})
    script = Script(*answered, refused)
    waits = Waits()
    result = _run(ingest.odds_snapshots, fresh_url, dagster_instance, script, waits)

    _assert_failed_without_materializing(result)
    # The refusal is final: no HTTP retry, no step retry.
    assert len(script.requests) == answered_first + 1
    assert waits == []
    failure = _failure(result)
    assert "INVALID_KEY" in failure.description
    assert failure.metadata["status_code"].value == 401

    calls = _feed_requests(fresh_url, result.run_id)
    assert [(c["status_code"], c["outcome"]) for c in calls] == [(200, "ok")] * answered_first + [
        (401, "error")
    ]
    assert "INVALID_KEY" in calls[-1]["error"]
    assert all("apiKey=***" in c["endpoint"] for c in calls)
    assert all(ODDS_KEY not in c["whole_row"] for c in calls)
    assert all(r.url.params["apiKey"] == ODDS_KEY for r in script.requests)
