"""The HTTP surface: auth, pagination, parameters and error bodies as the providers send."""

from __future__ import annotations

import asyncio
import json

import httpx

from nba_assets.feeds.sandbox import AsyncSandboxTransport, SandboxLeague, SandboxTransport
from nba_assets_tests.feeds.sandbox.conftest import BDL_BASE, ODDS_BASE, fixed, make_clients, utc

KEY = {"apiKey": "test-key"}


def test_odds_api_rejects_a_missing_or_empty_key(league: SandboxLeague) -> None:
    _, odds, _ = make_clients(league, utc(2024, 1, 15, 22))
    for params in ({}, {"apiKey": ""}):
        reply = odds.get("/v4/sports/basketball_nba/odds", params=params)
        assert reply.status_code == 401
        assert reply.json() == {"message": "API key is not valid", "error_code": "INVALID_KEY"}
        assert reply.headers["x-requests-last"] == "0"


def test_balldontlie_requires_the_authorization_header(league: SandboxLeague) -> None:
    transport = SandboxTransport(league, clock=fixed(utc(2024, 1, 15, 22)))
    with httpx.Client(transport=transport, base_url=BDL_BASE) as anonymous:
        reply = anonymous.get("/v1/teams")
    assert reply.status_code == 401 and reply.json() == {"error": "Unauthorized"}


def test_walk_every_player_page(league: SandboxLeague) -> None:
    _, _, bdl = make_clients(league, utc(2024, 1, 15, 22))
    ids, cursor, pages = [], None, 0
    while True:
        params = {"per_page": 100, **({"cursor": cursor} if cursor is not None else {})}
        body = bdl.get("/v1/players", params=params).json()
        pages += 1
        assert body["meta"]["per_page"] == 100
        ids += [p["id"] for p in body["data"]]
        cursor = body["meta"].get("next_cursor")
        if cursor is None:
            break
        assert cursor == ids[-1]
    assert len(ids) == len(set(ids)) == len(league.players())
    assert 30 * 13 <= len(ids) <= 30 * 15 and pages == -(-len(ids) // 100)
    first = bdl.get("/v1/players").json()
    assert len(first["data"]) == 25 and first["meta"] == {
        "next_cursor": first["data"][-1]["id"],
        "per_page": 25,
    }
    player = first["data"][0]
    assert set(player) == {
        "id",
        "first_name",
        "last_name",
        "position",
        "height",
        "weight",
        "jersey_number",
        "college",
        "country",
        "draft_year",
        "draft_round",
        "draft_number",
        "team",
    }
    assert player["height"].count("-") == 1 and player["weight"].isdigit()
    capped = bdl.get("/v1/players", params={"per_page": 1000}).json()
    assert capped["meta"]["per_page"] == 100


def test_teams_use_balldontlie_ids(league: SandboxLeague) -> None:
    _, _, bdl = make_clients(league, utc(2024, 1, 15, 22))
    teams = bdl.get("/v1/teams").json()["data"]
    assert [t["id"] for t in teams] == list(range(1, 31))
    assert [t["full_name"] for t in teams] == sorted(t["full_name"] for t in teams)
    assert teams[0] == {
        "id": 1,
        "abbreviation": "ATL",
        "city": "Atlanta",
        "conference": "East",
        "division": "Southeast",
        "full_name": "Atlanta Hawks",
        "name": "Hawks",
    }


def test_games_filters_and_pages(league: SandboxLeague) -> None:
    _, _, bdl = make_clients(league, utc(2024, 4, 20))
    day = bdl.get("/v1/games", params={"dates[]": ["2024-01-15", "2024-01-16"]}).json()
    expected = [g for g in league.games() if g.slate.isoformat() in ("2024-01-15", "2024-01-16")]
    assert [g["id"] for g in day["data"]] == [g.bdl_game_id for g in expected]
    assert all(
        g["date"] in ("2024-01-15", "2024-01-16") and g["season"] == 2023 for g in day["data"]
    )
    team = bdl.get(
        "/v1/games", params={"team_ids[]": 14, "seasons[]": 2023, "per_page": 100}
    ).json()
    assert len(team["data"]) == 82 and "next_cursor" not in team["meta"]
    assert bdl.get("/v1/games", params={"seasons[]": 2022}).json()["data"] == []
    ranged = bdl.get(
        "/v1/games", params={"start_date": "2023-12-01", "end_date": "2023-12-03", "per_page": 100}
    ).json()["data"]
    assert ranged and all("2023-12-01" <= g["date"] <= "2023-12-03" for g in ranged)
    assert bdl.get("/v1/games/1").status_code == 404
    assert bdl.get("/v1/games", params={"dates[]": "15/01/2024"}).status_code == 400


def test_stats_walk_a_slate(league: SandboxLeague) -> None:
    _, _, bdl = make_clients(league, utc(2024, 4, 20))
    lines, cursor = [], None
    while True:
        params = {
            "dates[]": "2024-01-15",
            "per_page": 100,
            **({"cursor": cursor} if cursor else {}),
        }
        body = bdl.get("/v1/stats", params=params).json()
        lines += body["data"]
        cursor = body["meta"].get("next_cursor")
        if cursor is None:
            break
    games = {g.bdl_game_id: g for g in league.games() if g.slate.isoformat() == "2024-01-15"}
    assert {line["game"]["id"] for line in lines} == set(games)
    for game_id, game in games.items():
        result = league.result(game)
        home = [
            ln for ln in lines if ln["game"]["id"] == game_id and ln["team"]["id"] == game.home_id
        ]
        assert sum(ln["pts"] for ln in home) == result.home_score
        assert home[0]["game"]["home_team_id"] == game.home_id
        assert isinstance(home[0]["min"], str) and home[0]["player"]["team_id"] == game.home_id


def test_odds_api_parameter_errors_and_unknown_paths(league: SandboxLeague) -> None:
    _, odds, bdl = make_clients(league, utc(2024, 1, 15, 22))
    cases = {
        ("/v4/sports/basketball_nba/odds", "markets", "player_points"): "INVALID_MARKET",
        ("/v4/sports/basketball_nba/odds", "regions", "mars"): "INVALID_REGION",
        ("/v4/sports/basketball_nba/odds", "oddsFormat", "fractional"): "INVALID_ODDS_FORMAT",
        ("/v4/sports/basketball_nba/scores", "daysFrom", "9"): "INVALID_SCORES_DAYS_FROM",
        (
            "/v4/historical/sports/basketball_nba/odds",
            "date",
            "yesterday",
        ): "INVALID_HISTORICAL_TIMESTAMP",
    }
    for (path, name, value), code in cases.items():
        reply = odds.get(path, params={**KEY, name: value})
        assert reply.status_code == 422 and reply.json()["error_code"] == code
    missing = odds.get("/v4/historical/sports/basketball_nba/odds", params=KEY)
    assert missing.json()["error_code"] == "MISSING_HISTORICAL_TIMESTAMP"
    unknown = odds.get("/v4/sports/icehockey_nhl/odds", params=KEY)
    assert unknown.status_code == 404 and unknown.json()["error_code"] == "UNKNOWN_SPORT"
    assert bdl.get("/v1/nothing").status_code == 404
    assert odds.get("/elsewhere").status_code == 404


def test_custom_base_url_and_nba_prefix(league: SandboxLeague) -> None:
    transport = SandboxTransport(league, clock=fixed(utc(2024, 1, 15, 22)))
    with httpx.Client(transport=transport, base_url="http://sandbox.local") as client:
        odds = client.get("/v4/sports/basketball_nba/events", params=KEY)
        teams = client.get("/nba/v1/teams", headers={"Authorization": "k"})
    assert odds.status_code == 200 and teams.status_code == 200
    assert odds.headers["content-type"].startswith("application/json")
    assert odds.content == json.dumps(odds.json(), separators=(",", ":")).encode()


def test_quota_runs_out(league: SandboxLeague) -> None:
    _, odds, _ = make_clients(league, utc(2024, 1, 15, 22), requests_quota=3)
    params = {**KEY, "markets": "h2h,spreads"}
    assert odds.get("/v4/sports/basketball_nba/odds", params=params).status_code == 200
    spent = odds.get("/v4/sports/basketball_nba/odds", params=params)
    assert spent.status_code == 401 and spent.json()["error_code"] == "OUT_OF_USAGE_CREDITS"
    assert spent.headers["x-requests-remaining"] == "1"


def test_async_transport(league: SandboxLeague) -> None:
    async def fetch() -> tuple[int, list[dict[str, object]]]:
        transport = AsyncSandboxTransport(league, clock=fixed(utc(2024, 1, 15, 22)))
        async with httpx.AsyncClient(transport=transport, base_url=ODDS_BASE) as client:
            reply = await client.get("/v4/sports/basketball_nba/odds", params=KEY)
            return reply.status_code, reply.json()

    status, events = asyncio.run(fetch())
    assert status == 200 and events and events[0]["sport_key"] == "basketball_nba"
