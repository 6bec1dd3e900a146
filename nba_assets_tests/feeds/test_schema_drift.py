"""Schema drift end to end: a client fetches a drifted body, normalisation quarantines it.

Renamed or removed fields must surface as quarantine records naming the field, never as
rows with silently wrong values (zero minutes, live games that are final) and never as a
crash that loses the good records beside them.
"""

from __future__ import annotations

import copy
import time
from datetime import date
from typing import Any

import pytest

from nba_assets.feeds.balldontlie import BallDontLieClient, normalize_games, normalize_stats
from nba_assets.feeds.odds_api import OddsApiClient, normalize_odds, normalize_scores
from nba_assets.feeds.records import NormalizedBatch
from nba_assets_tests.feeds.fakes import (
    BDL_KEY,
    ODDS_KEY,
    Script,
    Waits,
    bdl_game,
    bdl_stat,
    odds_event,
    ok,
)


@pytest.fixture(autouse=True)
def _forbid_real_sleep(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(seconds: float) -> None:
        raise AssertionError(f"a test tried to really sleep {seconds} s")

    monkeypatch.setattr(time, "sleep", refuse)


def rename(record: dict[str, Any], old: str, new: str) -> dict[str, Any]:
    drifted = copy.deepcopy(record)
    drifted[new] = drifted.pop(old)
    return drifted


def fetch_odds(body: Any) -> NormalizedBatch:
    odds = OddsApiClient(ODDS_KEY, transport=Script(ok(body)).transport, sleep=Waits())
    response = odds.odds()
    return normalize_odds(
        response.data, observed_at=response.received_at, endpoint=response.endpoint
    )


def test_renamed_commence_time_quarantines_that_event_only() -> None:
    drifted = rename(odds_event(event_id="drifted"), "commence_time", "start_time")
    batch = fetch_odds([drifted, odds_event()])
    assert set(batch["odds_snapshots"]["source_event_id"]) == {"evt1"}
    [rejected] = batch.quarantine
    assert "commence_time" in rejected.reason and "Field required" in rejected.reason
    assert rejected.raw == drifted
    assert rejected.endpoint is not None and "apiKey=***" in rejected.endpoint


def test_renamed_outcomes_and_price_quarantine_those_markets() -> None:
    event = odds_event()
    markets = event["bookmakers"][0]["markets"]
    markets[0] = rename(markets[0], "outcomes", "selections")
    markets[1]["outcomes"][0] = rename(markets[1]["outcomes"][0], "price", "odds")
    batch = fetch_odds([event])
    assert batch["odds_snapshots"]["market"].tolist() == ["totals", "totals"]
    reasons = sorted(q.reason for q in batch.quarantine)
    assert len(reasons) == 2
    assert "outcomes: Field required" in reasons[0]
    assert "outcomes.0.price: Field required" in reasons[1]


def test_removed_team_names_quarantine_the_event() -> None:
    event = odds_event()
    del event["home_team"]
    batch = fetch_odds([event])
    assert batch["games"].empty and "home_team" in batch.quarantine[0].reason


def test_renamed_completed_is_not_read_as_a_live_game() -> None:
    event = {
        "id": "e1",
        "sport_key": "basketball_nba",
        "commence_time": "2024-01-16T03:30:00Z",
        "is_completed": True,
        "home_team": "Los Angeles Lakers",
        "away_team": "Boston Celtics",
        "scores": [
            {"name": "Los Angeles Lakers", "score": "114"},
            {"name": "Boston Celtics", "score": "105"},
        ],
        "last_update": None,
    }
    odds = OddsApiClient(ODDS_KEY, transport=Script(ok([event])).transport, sleep=Waits())
    response = odds.scores(days_from=1)
    batch = normalize_scores(response.data, observed_at=response.received_at)
    assert batch["games"].empty and batch["game_results"].empty
    assert "completed: Field required" in batch.quarantine[0].reason


def fetch_bdl(path: str, records: list[Any]) -> Any:
    script = Script(ok({"data": records, "meta": {"per_page": 100}}))
    client = BallDontLieClient(BDL_KEY, transport=script.transport, sleep=Waits())
    if path == "stats":
        return client.stats(dates=[date(2024, 1, 15)])
    return client.games(dates=[date(2024, 1, 15)])


def test_renamed_minutes_are_not_read_as_zero() -> None:
    response = fetch_bdl("stats", [rename(bdl_stat(), "min", "minutes"), bdl_stat(id=2)])
    batch = normalize_stats(response.data, observed_at=response.received_at)
    assert batch["player_stats"]["minutes"].tolist() == [pytest.approx(36.7833, abs=1e-4)]
    assert "min: Field required" in batch.quarantine[0].reason


def test_renamed_visitor_team_and_scores() -> None:
    no_visitor = rename(bdl_game(id=1), "visitor_team", "away_team")
    no_scores = rename(bdl_game(id=2), "home_team_score", "home_score")
    response = fetch_bdl("games", [no_visitor, no_scores])
    batch = normalize_games(response.data, observed_at=response.received_at)
    assert batch["games"]["source_game_id"].tolist() == ["2"]
    assert batch["game_results"].empty
    reasons = [q.reason for q in batch.quarantine]
    assert any("visitor_team: Field required" in r for r in reasons)
    assert any("final without both scores" in r for r in reasons)
