"""Test doubles for the feed clients: scripted transports, recording sleepers, sample bodies."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from nba_assets.feeds.http import FeedRequest

ODDS_KEY = "oddskey-7f3e9c1d2b4a5e6f"
BDL_KEY = "bdlkey-0a1b2c3d4e5f6071"
NOW = datetime(2024, 1, 15, 23, 0, tzinfo=UTC)

# The repo's sibling ``shared/`` folder (not part of the repo; absent on some machines).
PAYLOADS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "payloads"


def shared_payload(name: str) -> Any:
    """A recorded body from ``shared/data/payloads``, skipping the test when it is absent."""
    path = PAYLOADS / name
    if not path.is_file():
        pytest.skip(f"shared payload {name} is absent ({PAYLOADS} not available)")
    return json.loads(path.read_text(encoding="utf-8"))


Step = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


class Script:
    """A transport handler that answers each request with the next scripted step.

    Exceptions are raised as a real transport would raise them; the last step repeats so a
    long outage can be written as one step.
    """

    def __init__(self, *steps: Step) -> None:
        self.steps = list(steps)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        step = self.steps[min(len(self.requests), len(self.steps)) - 1]
        if isinstance(step, Exception):
            raise type(step)(str(step), request=request)
        if isinstance(step, httpx.Response):
            return httpx.Response(
                step.status_code, headers=step.headers, content=step.content, request=request
            )
        return step(request)

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


class Waits(list[float]):
    """A sleeper that records the requested waits instead of sleeping."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


class Records(list[FeedRequest]):
    """A recorder that keeps every FeedRequest."""

    def __call__(self, record: FeedRequest) -> None:
        self.append(record)


def ok(body: Any, **headers: str) -> httpx.Response:
    return httpx.Response(200, json=body, headers=headers)


def status(code: int, body: Any = None, **headers: str) -> httpx.Response:
    if body is None:
        return httpx.Response(code, text="upstream trouble", headers=headers)
    return httpx.Response(code, json=body, headers=headers)


def odds_event(
    home: str = "Los Angeles Lakers",
    away: str = "Boston Celtics",
    commence: str = "2024-01-16T03:30:00Z",
    event_id: str = "evt1",
    bookmakers: list[Any] | None = None,
) -> dict[str, Any]:
    """A well-formed NBA ``/odds`` event in decimal odds, shaped like the 2023+ captures."""
    if bookmakers is None:
        bookmakers = [bookmaker("fanduel", "FanDuel", home, away)]
    return {
        "id": event_id,
        "sport_key": "basketball_nba",
        "sport_title": "NBA",
        "commence_time": commence,
        "home_team": home,
        "away_team": away,
        "bookmakers": bookmakers,
    }


def bookmaker(key: str, title: str, home: str, away: str) -> dict[str, Any]:
    return {
        "key": key,
        "title": title,
        "last_update": "2024-01-15T22:55:00Z",
        "markets": [
            {
                "key": "h2h",
                "last_update": "2024-01-15T22:54:00Z",
                "outcomes": [{"name": away, "price": 2.5}, {"name": home, "price": 1.57}],
            },
            {
                "key": "spreads",
                "outcomes": [
                    {"name": home, "price": 1.91, "point": -4.5},
                    {"name": away, "price": 1.91, "point": 4.5},
                ],
            },
            {
                "key": "totals",
                "outcomes": [
                    {"name": "Over", "price": 1.87, "point": 228.5},
                    {"name": "Under", "price": 1.95, "point": 228.5},
                ],
            },
        ],
    }


def bdl_team(bdl_id: int, full_name: str, abbreviation: str) -> dict[str, Any]:
    city, _, name = full_name.rpartition(" ")
    return {
        "id": bdl_id,
        "abbreviation": abbreviation,
        "city": city,
        "conference": "West",
        "division": "Pacific",
        "full_name": full_name,
        "name": name,
    }


LAKERS = bdl_team(14, "Los Angeles Lakers", "LAL")
CELTICS = bdl_team(2, "Boston Celtics", "BOS")


def bdl_game(**overrides: Any) -> dict[str, Any]:
    """A final BallDontLie game in the current shape (with ``datetime``)."""
    game = {
        "id": 15001,
        "date": "2024-01-15",
        "season": 2023,
        "status": "Final",
        "period": 4,
        "time": "Final",
        "postseason": False,
        "home_team_score": 114,
        "visitor_team_score": 105,
        "datetime": "2024-01-16T03:30:00.000Z",
        "home_team": copy.deepcopy(LAKERS),
        "visitor_team": copy.deepcopy(CELTICS),
    }
    game.update(overrides)
    return game


def bdl_stat(**overrides: Any) -> dict[str, Any]:
    """A BallDontLie ``/v1/stats`` line; its game names teams by BallDontLie id only."""
    stat = {
        "id": 900,
        "min": "36:47",
        "fgm": 11,
        "fga": 20,
        "fg_pct": 0.55,
        "fg3m": 2,
        "fg3a": 6,
        "fg3_pct": 0.333,
        "ftm": 6,
        "fta": 7,
        "ft_pct": 0.857,
        "oreb": 1,
        "dreb": 7,
        "reb": 8,
        "ast": 7,
        "stl": 1,
        "blk": 0,
        "turnover": 3,
        "pf": 2,
        "pts": 30,
        "plus_minus": 12,
        "player": {
            "id": 237,
            "first_name": "LeBron",
            "last_name": "James",
            "position": "F",
            "team_id": 14,
        },
        "team": copy.deepcopy(LAKERS),
        "game": {
            "id": 15001,
            "date": "2024-01-15",
            "season": 2023,
            "status": "Final",
            "period": 4,
            "time": "Final",
            "postseason": False,
            "home_team_score": 114,
            "visitor_team_score": 105,
            "home_team_id": 14,
            "visitor_team_id": 2,
        },
    }
    stat.update(overrides)
    return stat


def bdl_injury(**overrides: Any) -> dict[str, Any]:
    """An NBA ``/v1/player_injuries`` record as the 2025 user doc shows it."""
    injury = {
        "player": {"id": 237, "first_name": "LeBron", "last_name": "James", "team_id": 14},
        "status": "Out",
        "return_date": "Nov 18",
        "description": "Sciatica - Expected mid-November return",
    }
    injury.update(overrides)
    return injury


NFL_TO_NBA = (
    ("Houston Texans", "Houston Rockets"),
    ("Kansas City Chiefs", "Sacramento Kings"),
    ("Tampa Bay Buccaneers", "Toronto Raptors"),
    ("Dallas Cowboys", "Dallas Mavericks"),
)


def with_nba_names(body: Any) -> Any:
    """An NFL docs example with NBA teams swapped in, so its market shapes get exercised."""
    text = json.dumps(body)
    for nfl, nba in NFL_TO_NBA:
        text = text.replace(nfl, nba)
    return json.loads(text)
