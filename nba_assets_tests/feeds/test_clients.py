"""What the clients send (paths, parameters, headers) and how BallDontLie pagination ends."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import httpx
import pytest

from nba_assets.core.slates import NaiveDatetimeError
from nba_assets.feeds.balldontlie import BallDontLieClient
from nba_assets.feeds.errors import FeedAuthError, FeedPaginationError, PayloadError
from nba_assets.feeds.odds_api import OddsApiClient
from nba_assets_tests.feeds.fakes import (
    BDL_KEY,
    CELTICS,
    LAKERS,
    NOW,
    ODDS_KEY,
    Records,
    Script,
    Waits,
    ok,
    shared_payload,
    status,
)


@pytest.fixture(autouse=True)
def _forbid_real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"a test tried to really sleep {seconds} s")

    monkeypatch.setattr(time, "sleep", refuse)


def odds_client(script: Script, **kwargs: object) -> OddsApiClient:
    return OddsApiClient(ODDS_KEY, transport=script.transport, sleep=Waits(), **kwargs)  # type: ignore[arg-type]


def bdl_client(script: Script, **kwargs: object) -> BallDontLieClient:
    return BallDontLieClient(BDL_KEY, transport=script.transport, sleep=Waits(), **kwargs)  # type: ignore[arg-type]


def test_odds_request_carries_markets_regions_format_and_key() -> None:
    script = Script(ok([]))
    odds_client(script, regions="us,us2", odds_format="american").odds(
        commence_time_from=datetime(2024, 1, 15, 12, tzinfo=UTC)
    )
    request = script.requests[0]
    assert request.url.path == "/v4/sports/basketball_nba/odds"
    params = request.url.params
    assert params["markets"] == "h2h,spreads,totals"
    assert params["regions"] == "us,us2"
    assert params["oddsFormat"] == "american"
    assert params["apiKey"] == ODDS_KEY
    assert params["commenceTimeFrom"] == "2024-01-15T12:00:00Z"
    assert request.headers["accept-encoding"].startswith("gzip")


def test_bookmakers_replace_regions() -> None:
    script = Script(ok([]))
    odds_client(script, bookmakers="pinnacle,fanduel").odds(markets=["h2h"])
    params = script.requests[0].url.params
    assert "regions" not in params and params["bookmakers"] == "pinnacle,fanduel"
    assert params["markets"] == "h2h"


def test_events_scores_and_historical_paths() -> None:
    envelope = {"timestamp": "2024-01-15T23:00:00Z", "data": []}
    script = Script(ok([]), ok([]), ok(envelope))
    odds = odds_client(script)
    odds.events()
    odds.scores(days_from=3)
    response = odds.historical_odds(datetime(2024, 1, 15, 18, 0, 0, 123456, tzinfo=UTC))
    paths = [r.url.path for r in script.requests]
    assert paths == [
        "/v4/sports/basketball_nba/events",
        "/v4/sports/basketball_nba/scores",
        "/v4/historical/sports/basketball_nba/odds",
    ]
    assert script.requests[1].url.params["daysFrom"] == "3"
    assert script.requests[2].url.params["date"] == "2024-01-15T18:00:00Z"
    assert response.data == envelope


def test_client_arguments_are_checked_before_spending_credits() -> None:
    script = Script(ok([]))
    odds = odds_client(script)
    with pytest.raises(ValueError, match="between 1 and 3"):
        odds.scores(days_from=7)
    with pytest.raises(NaiveDatetimeError):
        odds.historical_odds(datetime(2024, 1, 15))
    with pytest.raises(ValueError, match="odds_format"):
        OddsApiClient(ODDS_KEY, odds_format="fractional")  # type: ignore[arg-type]
    assert script.requests == []


def test_historical_must_be_an_envelope() -> None:
    with pytest.raises(PayloadError, match="expected a JSON dict"):
        odds_client(Script(ok([]))).historical_odds(NOW)


def page(records: list[object], next_cursor: int | None) -> httpx.Response:
    meta: dict[str, object] = {"per_page": 100}
    if next_cursor is not None:
        meta["next_cursor"] = next_cursor
    return ok({"data": records, "meta": meta})


def test_balldontlie_follows_cursors_to_the_end() -> None:
    script = Script(page([1, 2], 101), page([3], 202), page([4], None))
    records = Records()
    response = bdl_client(script, recorder=records).games(
        dates=[date(2024, 1, 15), date(2024, 1, 16)], seasons=[2023]
    )
    assert response.data == [1, 2, 3, 4]
    assert response.pages == 3
    first, second, third = (r.url.params for r in script.requests)
    assert first.get_list("dates[]") == ["2024-01-15", "2024-01-16"]
    assert first.get_list("seasons[]") == ["2023"]
    assert first["per_page"] == "100" and "cursor" not in first
    assert second["cursor"] == "101" and third["cursor"] == "202"
    assert [r.outcome for r in records] == ["ok", "ok", "ok"]
    assert records[0].params["dates[]"] == ["2024-01-15", "2024-01-16"]
    assert "dates[]=2024-01-15&dates[]=2024-01-16" in records[0].endpoint


def test_balldontlie_ends_on_a_page_without_meta() -> None:
    script = Script(ok({"data": [LAKERS, CELTICS]}))
    assert bdl_client(script).team_id_map() == {14: 14, 2: 2}


def test_balldontlie_page_cap_is_loud() -> None:
    script = Script(*(page([n], n + 1) for n in range(10)))
    with pytest.raises(FeedPaginationError, match="still more pages after 3"):
        bdl_client(script, max_pages=3).stats(dates=[date(2024, 1, 15)])
    assert len(script.requests) == 3


def test_balldontlie_repeated_cursor_is_a_loop() -> None:
    script = Script(page([1], 7), page([2], 7))
    with pytest.raises(FeedPaginationError, match="cursor 7 repeated"):
        bdl_client(script).player_injuries()


def test_balldontlie_range_and_postseason_parameters() -> None:
    script = Script(page([], None))
    bdl_client(script).games(
        start_date=date(2024, 4, 1), end_date=date(2024, 4, 30), postseason=True
    )
    params = script.requests[0].url.params
    assert (params["start_date"], params["end_date"]) == ("2024-04-01", "2024-04-30")
    assert params["postseason"] == "true"


def test_balldontlie_legacy_page_meta_is_refused() -> None:
    body = shared_payload("balldontlie_legacy_players_page_based_docs.json")
    with pytest.raises(PayloadError, match="legacy API"):
        bdl_client(Script(ok(body))).players()


def test_balldontlie_docs_cursor_meta_is_followed() -> None:
    body = shared_payload("balldontlie_v1_pagination_meta_docs.json")
    script = Script(ok({"data": [], **body}), page([], None))
    assert bdl_client(script).players(search="james").pages == 2
    assert script.requests[1].url.params["cursor"] == str(body["meta"]["next_cursor"])


def test_balldontlie_body_without_data_is_a_payload_error() -> None:
    with pytest.raises(PayloadError, match="no 'data' list"):
        bdl_client(Script(ok({"meta": {}}))).teams()


def test_balldontlie_401_names_the_tier_as_a_cause() -> None:
    script = Script(status(401, {"error": "Unauthorized"}))
    with pytest.raises(FeedAuthError, match="ALL-STAR"):
        bdl_client(script).stats(dates=[date(2024, 1, 15)])
    assert len(script.requests) == 1


def test_balldontlie_429_is_retried() -> None:
    waits = Waits()
    script = Script(status(429, {"error": "Too many requests"}), page([1], None))
    client = BallDontLieClient(BDL_KEY, transport=script.transport, sleep=waits)
    assert client.teams().data == [1]
    assert len(waits) == 1
