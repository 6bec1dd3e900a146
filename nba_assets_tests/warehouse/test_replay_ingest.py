"""Live clients with keys set, pointed at a local HTTP server that replays recorded
provider responses, ingest them through the same code as the sandbox."""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import text

from nba_assets.feeds.balldontlie.client import BallDontLieClient
from nba_assets.feeds.balldontlie.normalize import normalize_games
from nba_assets.feeds.odds_api.client import OddsApiClient
from nba_assets.feeds.odds_api.normalize import normalize_odds
from nba_assets.warehouse import ingest
from nba_assets.warehouse.append import append_idempotent

ODDS = "theoddsapi_v4_odds_nba_h2h_spreads_totals_american_2022-11-23.json"
GAMES = "balldontlie_v1_nba_games_capture_2024-04-04.json"
KEY = "replay-secret-key-0123456789"


class _Replay(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}
    seen: ClassVar[list[tuple[str, dict, dict]]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        self.seen.append((url.path, parse_qs(url.query), dict(self.headers)))
        body = self.routes.get(url.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("x-requests-used", "12")
        self.send_header("x-requests-remaining", "488")
        self.send_header("x-requests-last", "3")
        self.end_headers()
        self.wfile.write(body if body is not None else b'{"message": "not recorded"}')

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def replay_server(shared_dir: Path):
    payloads = shared_dir / "data" / "payloads"
    games = json.loads((payloads / GAMES).read_text())
    _Replay.routes = {
        "/v4/sports/basketball_nba/odds": (payloads / ODDS).read_bytes(),
        "/v1/games": json.dumps({"data": games, "meta": {"per_page": 100}}).encode(),
    }
    _Replay.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Replay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", payloads
    server.shutdown()


def test_recorded_payloads_ingest_through_the_live_clients(replay_server, fresh_engine) -> None:
    base_url, payloads = replay_server
    requests: list = []
    run_id = uuid.uuid4()
    with OddsApiClient(KEY, base_url, odds_format="american", recorder=requests.append) as odds:
        response = odds.odds()
    batch = normalize_odds(
        response.data,
        observed_at=response.received_at,
        price_format="american",
        endpoint=response.endpoint,
    )
    rows = ingest.odds_rows(fresh_engine, batch["odds_snapshots"], "odds_api")
    inserted = append_idempotent(
        fresh_engine, "odds_snapshots", rows, run_id=run_id, source="odds_api"
    ).inserted
    with BallDontLieClient(KEY, base_url, recorder=requests.append) as bdl:
        games = bdl.games(dates=[__import__("datetime").date(2024, 4, 4)])
    games_batch = normalize_games(games.data, observed_at=games.received_at)
    append_idempotent(
        fresh_engine, "games", games_batch["games"], run_id=run_id, source="balldontlie"
    )
    ingest.write_feed_requests(fresh_engine, requests, run_id=run_id)

    recorded = json.loads((payloads / ODDS).read_text())
    expected = sum(
        len(m["outcomes"])
        for e in recorded
        for b in e["bookmakers"]
        for m in b["markets"]
        if m["key"] in ("h2h", "spreads", "totals")
    )
    assert inserted == expected == len(rows)
    with fresh_engine.connect() as conn:
        books = set(conn.execute(text("SELECT book_key FROM nba.books")).scalars())
        stored_games = conn.execute(text("SELECT count(*) FROM nba.games")).scalar_one()
        logged = conn.execute(
            text("SELECT endpoint, params::text, requests_remaining FROM nba.feed_requests")
        ).all()
        american = conn.execute(
            text("SELECT count(*) FROM nba.odds_snapshots WHERE price_format = 'american'")
        ).scalar_one()
    assert {"fanduel", "draftkings", "pointsbetus"} <= books  # unknown books registered
    assert stored_games == 2
    assert american == inserted
    assert len(logged) == 2 and {r.requests_remaining for r in logged} == {488}
    assert all(KEY not in (r.endpoint + r.params) for r in logged)
    _, query, _ = _Replay.seen[0]
    assert query["apiKey"] == [KEY]  # the key does travel, but only to the provider
    assert _Replay.seen[1][2].get("Authorization") == KEY
