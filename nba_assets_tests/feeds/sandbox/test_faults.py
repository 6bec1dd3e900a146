"""Injected corruption and HTTP failures, applied only where asked."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import httpx
import pytest

from nba_assets.core.slates import simulated_clock
from nba_assets.defs.resources import FeedsResource
from nba_assets.feeds.balldontlie.normalize import normalize_injuries
from nba_assets.feeds.errors import FeedError, FeedUnavailableError, PayloadError
from nba_assets.feeds.http import FeedRequest, Sleeper
from nba_assets.feeds.odds_api.client import OddsApiClient
from nba_assets.feeds.odds_api.normalize import normalize_odds
from nba_assets.feeds.sandbox import (
    Corruption,
    HttpFault,
    OddsCorruption,
    SandboxFaults,
    SandboxLeague,
    SandboxTransport,
)
from nba_assets.feeds.sandbox.faults import PRE_RESPONSE_FAULTS, FaultKind, RandomFaults
from nba_assets.feeds.sandbox.transport import Observer, Served
from nba_assets_tests.feeds.sandbox.conftest import BDL_BASE, ODDS_BASE, fixed, make_clients, utc

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


# Seeded random faults (soak runs): off unless asked, deterministic, and each kind meets the
# real clients exactly as a provider's or the network's failure would.

LIVE_ODDS = "/v4/sports/basketball_nba/odds"
LIVE = {**KEY, "commenceTimeFrom": "2024-01-15T05:00:00Z", "commenceTimeTo": "2024-01-16T04:59:59Z"}
NOW = utc(2024, 1, 15, 22)


def _observed(
    league: SandboxLeague, faults: SandboxFaults, requests: int = 60
) -> list[tuple[int | None, str | None]]:
    """(status, injected fault) of ``requests`` alternating calls on a fresh transport."""
    seen: list[Served] = []
    transport = SandboxTransport(league, fixed(NOW), faults, observer=seen.append)
    odds = httpx.Client(transport=transport, base_url=ODDS_BASE)
    bdl = httpx.Client(transport=transport, base_url=BDL_BASE, headers={"Authorization": "k"})
    for i in range(requests):
        try:
            if i % 2:
                odds.get("/v4/sports", params={"apiKey": "k"})
            else:
                bdl.get("/v1/teams")
        except httpx.TransportError:
            pass
    return [(s.status, None if s.fault is None else str(s.fault)) for s in seen]


def test_random_faults_are_off_by_default_and_at_rate_zero(league: SandboxLeague) -> None:
    for faults in (SandboxFaults(), SandboxFaults(random=RandomFaults(0.0, seed=3))):
        assert _observed(league, faults) == [(200, None)] * 60
    with pytest.raises(ValueError):
        RandomFaults(1.5)


def test_random_faults_are_seeded_and_near_their_rate(league: SandboxLeague) -> None:
    chosen = SandboxFaults(random=RandomFaults(0.2, seed=11))
    first, again = _observed(league, chosen, 600), _observed(league, chosen, 600)
    assert first == again
    assert _observed(league, SandboxFaults(random=RandomFaults(0.2, seed=12)), 600) != first
    hits = [fault for _, fault in first if fault is not None]
    assert 0.14 * 600 <= len(hits) <= 0.26 * 600
    assert set(hits) == {str(k) for k in FaultKind}


def test_random_faults_only_on_their_path(league: SandboxLeague) -> None:
    only_odds = RandomFaults(1.0, kinds=(FaultKind.SERVER_ERROR,), path_prefix="/v4/")
    observed = _observed(league, SandboxFaults(random=only_odds), 10)
    assert [s for s, _ in observed[0::2]] == [200] * 5  # /v1/teams untouched
    assert {s for s, _ in observed[1::2]} <= {500, 503}


def _only(kind: FaultKind, seed: int = 0) -> SandboxFaults:
    return SandboxFaults(random=RandomFaults(1.0, seed=seed, kinds=(kind,)))


def test_each_refusal_and_broken_connection(league: SandboxLeague) -> None:
    transport, odds, bdl = make_clients(league, NOW, _only(FaultKind.RATE_LIMITED))
    limited = odds.get(LIVE_ODDS, params=LIVE)
    assert limited.status_code == 429 and limited.headers["retry-after"] == "1"
    assert limited.json()["error_code"] == "EXCEEDED_FREQ_LIMIT"
    assert limited.headers["x-requests-last"] == "0" and transport.requests_used == 0
    _, odds, bdl = make_clients(league, NOW, _only(FaultKind.SERVER_ERROR))
    errors = {odds.get(LIVE_ODDS, params=LIVE).status_code for _ in range(20)}
    assert errors == {500, 503}
    assert odds.get(LIVE_ODDS, params=LIVE).json()["error_code"] == "SERVER_ERROR"
    assert bdl.get("/v1/teams").json()["error"] in ("Internal Server Error", "Service Unavailable")
    _, odds, _ = make_clients(league, NOW, _only(FaultKind.BAD_GATEWAY))
    gateway = odds.get(LIVE_ODDS, params=LIVE)
    assert gateway.status_code == 502 and gateway.headers["content-type"] == "text/html"
    _, odds, _ = make_clients(league, NOW, _only(FaultKind.TIMEOUT))
    with pytest.raises(httpx.TimeoutException):
        odds.get(LIVE_ODDS, params=LIVE)
    _, odds, _ = make_clients(league, NOW, _only(FaultKind.CONNECTION_RESET))
    kinds = set()
    for _ in range(20):
        with pytest.raises((httpx.NetworkError, httpx.RemoteProtocolError)) as caught:
            odds.get(LIVE_ODDS, params=LIVE)
        kinds.add(type(caught.value))
    assert kinds == {httpx.ReadError, httpx.RemoteProtocolError}


def test_broken_bodies_are_answered_200_and_charged(league: SandboxLeague) -> None:
    _, clean_odds, _ = make_clients(league, NOW)
    clean = clean_odds.get(LIVE_ODDS, params=LIVE).content
    assert len(json.loads(clean)) > 0
    for kind in (FaultKind.MALFORMED_BODY, FaultKind.TRUNCATED_BODY):
        transport, odds, _ = make_clients(league, NOW, _only(kind))
        for _ in range(5):
            broken = odds.get(LIVE_ODDS, params=LIVE)
            assert broken.status_code == 200 and broken.content != clean
            with pytest.raises(ValueError):
                json.loads(broken.content)
            if kind is FaultKind.TRUNCATED_BODY:
                assert 0 < len(broken.content) < len(clean)
                assert clean.startswith(broken.content)
        assert transport.requests_used == 5 * 3


def test_a_corrupted_odds_record_costs_one_market_to_quarantine(league: SandboxLeague) -> None:
    _, clean_odds, _ = make_clients(league, NOW)
    clean = clean_odds.get(LIVE_ODDS, params=LIVE).json()
    expected = normalize_odds(clean, observed_at=NOW)
    assert expected.quarantine == []
    damages = set()
    for seed in range(6):
        seen: list[Served] = []
        transport = SandboxTransport(
            league, fixed(NOW), _only(FaultKind.CORRUPTED_RECORD, seed), observer=seen.append
        )
        with httpx.Client(transport=transport, base_url=ODDS_BASE) as odds:
            body = odds.get(LIVE_ODDS, params=LIVE).json()
        (served,) = seen
        assert served.fault is FaultKind.CORRUPTED_RECORD and served.damaged is not None
        e, _, b, _, m, _, o, field = served.damaged
        damages.add(field)
        assert body != clean
        outcome = body[e]["bookmakers"][b]["markets"][m]["outcomes"][o]
        assert outcome[field] != clean[e]["bookmakers"][b]["markets"][m]["outcomes"][o][field]
        batch = normalize_odds(body, observed_at=NOW)
        assert len(batch.quarantine) == 1
        rows, all_rows = batch["odds_snapshots"], expected["odds_snapshots"]
        market = body[e]["bookmakers"][b]["markets"][m]
        assert len(rows) == len(all_rows) - len(market["outcomes"])
    assert damages == {"price", "name"}


def test_a_corrupted_stats_record_is_quarantined_alone(league: SandboxLeague) -> None:
    _, _, clean_bdl = make_clients(league, NOW)
    clean = clean_bdl.get("/v1/player_injuries", params={"per_page": 100}).json()
    seen: list[Served] = []
    transport = SandboxTransport(
        league, fixed(NOW), _only(FaultKind.CORRUPTED_RECORD), observer=seen.append
    )
    with httpx.Client(
        transport=transport, base_url=BDL_BASE, headers={"Authorization": "k"}
    ) as bdl:
        body = bdl.get("/v1/player_injuries", params={"per_page": 100}).json()
    (served,) = seen
    assert served.damaged is not None and served.damaged[:1] == ("data",)
    assert served.damaged[2] == "player"
    batch = normalize_injuries(body, observed_at=NOW)
    assert len(batch.quarantine) == 1
    assert len(batch["injuries"]) == len(clean["data"]) - 1


def test_the_client_rides_out_transient_faults_to_the_honest_answer(league: SandboxLeague) -> None:
    def client(faults: SandboxFaults, records: list[FeedRequest]) -> OddsApiClient:
        return OddsApiClient(
            "sandbox-key", ODDS_BASE, transport=SandboxTransport(league, fixed(NOW), faults),
            regions="us,eu", recorder=records.append, sleep=lambda _: None, now=fixed(NOW),
        )  # fmt: skip

    since, until = utc(2024, 1, 15, 5), utc(2024, 1, 16, 4, 59, 59)
    clean = client(SandboxFaults(), []).odds(commence_time_from=since, commence_time_to=until)
    assert len(clean.data) > 0
    transient = tuple(k for k in FaultKind if k in PRE_RESPONSE_FAULTS)
    records: list[FeedRequest] = []
    flaky = client(SandboxFaults(random=RandomFaults(0.3, seed=5, kinds=transient)), records)
    for _ in range(10):
        assert flaky.odds(commence_time_from=since, commence_time_to=until).data == clean.data
    retries = [r for r in records if r.outcome == "retry"]
    assert retries and len(records) == 10 + len(retries)
    assert {r.status_code for r in retries} & {429, 500, 502, 503}


def test_a_broken_body_fails_the_call_loudly(league: SandboxLeague) -> None:
    transport = SandboxTransport(league, fixed(NOW), _only(FaultKind.TRUNCATED_BODY))
    client = OddsApiClient(
        "sandbox-key", ODDS_BASE, transport=transport, sleep=lambda _: None, now=fixed(NOW)
    )
    with pytest.raises(PayloadError) as caught:
        client.odds()
    assert caught.value.raw_text is not None


# The feeds resource's own fault fields (what a soak sets), through a real feeds session.


def _resource_polls(
    polls: int = 1, **fields: Any
) -> tuple[list[Served], list[float], list[object]]:
    """Answers served, retry waits and each live odds poll's data (or its error's class)."""
    seen: list[Served] = []
    waits: list[float] = []

    class ObservedFeeds(FeedsResource):
        def retry_sleep(self) -> Sleeper:
            return waits.append

        def sandbox_observer(self) -> Observer:
            return seen.append

    outcomes: list[object] = []
    # The session's clock is left unset: it is the project's now, here the simulated one.
    with simulated_clock(fixed(NOW)), ObservedFeeds(**fields).session(2023) as session:
        for _ in range(polls):
            try:
                response = session.odds.odds(
                    commence_time_from=utc(2024, 1, 15, 5),
                    commence_time_to=utc(2024, 1, 16, 4, 59, 59),
                )
                outcomes.append(response.data)
            except FeedError as error:
                outcomes.append(type(error))
    return seen, waits, outcomes


def test_the_feeds_resource_injects_its_seeded_faults_into_a_session() -> None:
    seen, waits, (clean,) = _resource_polls()
    assert [(s.status, s.fault) for s in seen] == [(200, None)] and waits == []
    assert isinstance(clean, list) and len(clean) > 0
    assert seen[0].at == NOW  # the sandbox answered as of the simulated now

    seen, waits, outcomes = _resource_polls(
        sandbox_fault_rate=1.0, sandbox_fault_kinds=[FaultKind.SERVER_ERROR.value]
    )
    assert outcomes == [FeedUnavailableError]
    assert len(seen) == 5 and {s.status for s in seen} <= {500, 503}
    assert {s.fault for s in seen} == {FaultKind.SERVER_ERROR}
    assert len(waits) == len(seen) - 1  # the resource's retry_sleep, not time.sleep

    transient = [k.value for k in FaultKind if k in PRE_RESPONSE_FAULTS]
    flaky = {"sandbox_fault_rate": 0.3, "sandbox_fault_kinds": transient}
    first = _resource_polls(8, sandbox_fault_seed=5, **flaky)
    again = _resource_polls(8, sandbox_fault_seed=5, **flaky)
    other = _resource_polls(8, sandbox_fault_seed=6, **flaky)
    assert first[2] == again[2] == other[2] == [clean] * 8  # every poll rode its faults out
    faults = [(s.status, s.fault) for s in first[0]]
    assert faults == [(s.status, s.fault) for s in again[0]]
    assert faults != [(s.status, s.fault) for s in other[0]]
    assert {f for _, f in faults} - {None} and first[1]
