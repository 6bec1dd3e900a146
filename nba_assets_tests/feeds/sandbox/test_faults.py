"""Injected corruption and HTTP failures, applied only where asked."""

from __future__ import annotations

from datetime import date
from typing import Any

from nba_assets.feeds.sandbox import (
    Corruption,
    HttpFault,
    OddsCorruption,
    SandboxFaults,
    SandboxLeague,
)
from nba_assets_tests.feeds.sandbox.conftest import make_clients, utc

KEY = {"apiKey": "test-key", "markets": "h2h,spreads,totals"}
SLATE = date(2024, 1, 15)
SNAPSHOT = {**KEY, "date": "2024-01-15T22:00:00Z"}
PATH = "/v4/historical/sports/basketball_nba/odds"


def _events(league: SandboxLeague, faults: SandboxFaults, **extra: str) -> list[dict[str, Any]]:
    _, odds, _ = make_clients(league, utc(2024, 2, 1), faults)
    return odds.get(PATH, params={**SNAPSHOT, **extra}).json()["data"]


def _markets(event: dict[str, Any], book: str) -> dict[str, list[dict[str, Any]]]:
    entry = next(b for b in event["bookmakers"] if b["key"] == book)
    return {m["key"]: m["outcomes"] for m in entry["markets"]}


def test_corruption_hits_only_the_chosen_slate_and_book(league: SandboxLeague) -> None:
    clean = _events(league, SandboxFaults())
    faults = SandboxFaults(odds=(OddsCorruption(SLATE, Corruption.IMPOSSIBLE_PRICE, "fanduel"),))
    dirty = _events(league, faults)
    assert len(clean) == len(dirty) > 0
    on_slate = [e for e in dirty if e["commence_time"] < "2024-01-16T05:00:00Z"]
    assert on_slate and len(on_slate) < len(dirty)
    for before, after in zip(clean, dirty, strict=True):
        hit = after in on_slate
        for book in after["bookmakers"]:
            same = book == next(b for b in before["bookmakers"] if b["key"] == book["key"])
            assert same != (hit and book["key"] == "fanduel")
    markets = _markets(on_slate[0], "fanduel")
    assert markets["h2h"][0]["price"] == 1.0 and markets["spreads"][0]["price"] == 0.5


def test_each_corruption_kind(league: SandboxLeague) -> None:
    def corrupted(kind: Corruption, **extra: str) -> dict[str, list[dict[str, Any]]]:
        event = _events(league, SandboxFaults(odds=(OddsCorruption(SLATE, kind),)), **extra)[0]
        return _markets(event, event["bookmakers"][0]["key"])

    one_sided = corrupted(Corruption.ONE_SIDED)
    assert all(len(outcomes) == 1 for outcomes in one_sided.values())
    off_grid = corrupted(Corruption.OFF_GRID_POINT)
    assert sorted(o["point"] for o in off_grid["spreads"]) == [-3.3, 3.3]
    assert all((o["point"] * 2) % 1 != 0 for o in off_grid["totals"])
    heavy = corrupted(Corruption.HUGE_OVERROUND)
    for outcomes in heavy.values():
        assert abs(sum(1 / o["price"] for o in outcomes) - 1.40) < 0.03
    american = corrupted(Corruption.IMPOSSIBLE_PRICE, oddsFormat="american")
    assert abs(american["h2h"][0]["price"]) < 100


def test_http_faults_then_recovery(league: SandboxLeague) -> None:
    faults = SandboxFaults(
        http=(
            HttpFault(PATH, status=429, first_calls=2, retry_after="1"),
            HttpFault("/v1/stats", status=503, first_calls=1),
            HttpFault("/v1/games", status=502, first_calls=1),
            HttpFault("/v4/sports/basketball_nba/scores", malformed=True, first_calls=1),
        )
    )
    transport, odds, bdl = make_clients(league, utc(2024, 2, 1), faults)
    first = odds.get(PATH, params=SNAPSHOT)
    assert first.status_code == 429 and first.headers["retry-after"] == "1"
    assert first.json()["error_code"] == "EXCEEDED_FREQ_LIMIT"
    second = odds.get(PATH, params=SNAPSHOT)
    assert second.status_code == 429 and second.headers["x-requests-last"] == "0"
    assert odds.get(PATH, params=SNAPSHOT).status_code == 200
    assert bdl.get("/v1/stats").status_code == 503
    assert bdl.get("/v1/stats").status_code == 200
    gateway = bdl.get("/v1/games")
    assert gateway.status_code == 502 and gateway.headers["content-type"] == "text/html"
    assert bdl.get("/v1/games").status_code == 200
    broken = odds.get("/v4/sports/basketball_nba/scores", params={"apiKey": "k"})
    assert broken.status_code == 200
    try:
        broken.json()
        raise AssertionError("malformed body parsed")
    except ValueError:
        pass
    assert odds.get("/v4/sports/basketball_nba/scores", params={"apiKey": "k"}).json() is not None
    assert transport.requests_used == 30 + 1
