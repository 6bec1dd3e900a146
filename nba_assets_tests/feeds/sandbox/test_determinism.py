"""Same (season, seed) and the same request give the same bytes, in any process."""

from __future__ import annotations

import subprocess
import sys
from hashlib import sha256
from pathlib import Path

from nba_assets.feeds.sandbox import SandboxLeague
from nba_assets_tests.feeds.sandbox.conftest import make_clients, utc

REQUESTS = (
    (
        "odds",
        "/v4/historical/sports/basketball_nba/odds",
        {
            "apiKey": "k",
            "date": "2024-01-15T22:00:00Z",
            "markets": "h2h,spreads,totals",
            "regions": "us,eu",
        },
    ),
    (
        "odds",
        "/v4/sports/basketball_nba/odds",
        {"apiKey": "k", "markets": "spreads", "oddsFormat": "american"},
    ),
    ("odds", "/v4/sports/basketball_nba/scores", {"apiKey": "k", "daysFrom": "3"}),
    ("bdl", "/v1/games", {"dates[]": "2024-03-02", "per_page": "100"}),
    ("bdl", "/v1/stats", {"dates[]": "2024-03-02", "per_page": "100"}),
    ("bdl", "/v1/player_injuries", {"per_page": "100"}),
    ("bdl", "/v1/players", {"per_page": "50", "cursor": "101505"}),
)


def _fingerprint(league: SandboxLeague) -> list[bytes]:
    _, odds, bdl = make_clients(league, utc(2024, 3, 3, 12))
    out = []
    for which, path, params in REQUESTS:
        reply = (odds if which == "odds" else bdl).get(path, params=params)
        assert reply.status_code == 200, path
        out.append(reply.content)
    return out


def test_two_leagues_answer_byte_for_byte(league: SandboxLeague) -> None:
    again = SandboxLeague(2023, 7)
    assert _fingerprint(league) == _fingerprint(again)


def test_another_seed_is_another_league(league: SandboxLeague) -> None:
    other = SandboxLeague(2023, 8)
    assert [g.odds_event_id for g in other.games()] != [g.odds_event_id for g in league.games()]
    assert _fingerprint(other)[0] != _fingerprint(league)[0]


def test_a_fresh_process_gives_the_same_bytes(league: SandboxLeague) -> None:
    script = (
        "from hashlib import sha256;"
        "from nba_assets.feeds.sandbox import SandboxLeague;"
        "from nba_assets_tests.feeds.sandbox.test_determinism import _fingerprint;"
        "print(sha256(b''.join(_fingerprint(SandboxLeague(2023, 7)))).hexdigest())"
    )
    child = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "12345", "LC_ALL": "de_DE.UTF-8"},
        cwd=Path(__file__).resolve().parents[3],
    )
    assert child.stdout.strip() == sha256(b"".join(_fingerprint(league))).hexdigest()
