"""Book prices look like real NBA markets: margins, grids, movement and provider quirks."""

from __future__ import annotations

import time
from datetime import timedelta

import numpy as np

from nba_assets.feeds.sandbox import SandboxLeague
from nba_assets.feeds.sandbox.odds import market_open
from nba_assets_tests.feeds.sandbox.conftest import SeasonTable, make_clients, utc

KEY = {"apiKey": "test-key"}
SHARP = {"pinnacle", "circasports"}
PATH = "/v4/historical/sports/basketball_nba/odds"


def test_margins_sharp_about_2_5_percent_retail_4_to_5(season_table: SeasonTable) -> None:
    assert set(season_table.book_overround) >= SHARP | {"draftkings", "fanduel", "betmgm"}
    assert 8 <= len(season_table.book_overround) <= 12
    for key, overrounds in season_table.book_overround.items():
        mean = float(np.mean(overrounds))
        if key in SHARP:
            assert 0.020 <= mean <= 0.032, key
        else:
            assert 0.036 <= mean <= 0.052, key


def test_points_on_half_point_grid_and_spread_prices_near_even(
    season_table: SeasonTable,
) -> None:
    for key, points in season_table.book_spread.items():
        values = np.array(list(points.values()))
        assert np.all(values * 2 == np.round(values * 2)), key
        prices = np.array(season_table.spread_prices[key])
        assert np.mean((prices >= 1.83) & (prices <= 2.02)) > 0.97, key
        if key not in SHARP:
            assert 1.88 <= np.median(prices) <= 1.94, key


def test_totals_on_half_point_grid(league: SandboxLeague) -> None:
    for game in league.games()[::41]:
        event = league.odds_at(game, game.tip_epoch - 600)
        assert event is not None
        for book in event["bookmakers"]:
            totals = next(m for m in book["markets"] if m["key"] == "totals")
            over, under = totals["outcomes"]
            assert (over["name"], under["name"]) == ("Over", "Under")
            assert over["point"] == under["point"] and over["point"] * 2 % 1 == 0
            assert 180 <= over["point"] <= 270


def test_prices_converge_toward_the_close(league: SandboxLeague) -> None:
    opening_error, closing_error = [], []
    for game in league.games()[::5]:
        close = league.closing_fair_probability(game)
        early = league.fair_line_at(game, market_open(game) + 3600)
        opening_error.append(abs(early.expected_margin - close.expected_margin))
        path = league.price_path(game)
        for bp in path.books:
            first, last = bp.column("spread_point")[[0, -1]]
            opening_error.append(abs(first + close.expected_margin))
            closing_error.append(abs(last + close.expected_margin))
    assert np.mean(closing_error) < 0.75 * np.mean(opening_error)


def test_books_update_at_their_own_times(league: SandboxLeague) -> None:
    at = utc(2024, 2, 6, 23, 0)
    event = league.odds_at(next(g for g in league.games() if g.tip_off > at), at)
    assert event is not None
    stamps = [b["last_update"] for b in event["bookmakers"]]
    assert len(set(stamps)) >= len(stamps) - 2
    updates = {len(bp.times) for bp in league.price_path(event["id"]).books}
    assert max(updates) > 2 * min(updates)


def test_request_shape_regions_bookmakers_american_and_costs(league: SandboxLeague) -> None:
    transport, odds, _ = make_clients(league, utc(2024, 1, 15, 22))
    us = odds.get("/v4/sports/basketball_nba/odds", params={**KEY, "markets": "h2h,spreads"})
    assert us.status_code == 200 and us.headers["x-requests-last"] == "2"
    assert int(us.headers["x-requests-used"]) == 2
    events = us.json()
    assert events
    books = {b["key"] for e in events for b in e["bookmakers"]}
    assert "pinnacle" not in books and "draftkings" in books
    assert all(
        [m["key"] for m in b["markets"]] == ["h2h", "spreads"]
        for e in events
        for b in e["bookmakers"]
    )

    picked = odds.get(
        "/v4/sports/basketball_nba/odds",
        params={**KEY, "bookmakers": "pinnacle,fanduel", "oddsFormat": "american"},
    )
    assert picked.headers["x-requests-last"] == "1"
    for event in picked.json():
        assert {b["key"] for b in event["bookmakers"]} <= {"pinnacle", "fanduel"}
        for book in event["bookmakers"]:
            for outcome in book["markets"][0]["outcomes"]:
                assert isinstance(outcome["price"], int) and abs(outcome["price"]) >= 100

    historical = odds.get(
        "/v4/historical/sports/basketball_nba/odds",
        params={
            **KEY,
            "date": "2024-01-14T20:00:00Z",
            "markets": "h2h,spreads,totals",
            "regions": "us,eu",
        },
    )
    assert historical.headers["x-requests-last"] == "60"
    events_reply = odds.get("/v4/sports/basketball_nba/events", params=KEY)
    assert events_reply.headers["x-requests-last"] == "0" and events_reply.json()
    assert "bookmakers" not in events_reply.json()[0]
    scores = odds.get("/v4/sports/basketball_nba/scores", params={**KEY, "daysFrom": 2})
    assert scores.headers["x-requests-last"] == "2"
    assert transport.requests_used == 2 + 1 + 60 + 2
    assert int(scores.headers["x-requests-remaining"]) == 20_000_000 - transport.requests_used


def test_provider_team_spellings(league: SandboxLeague) -> None:
    clippers = next(g for g in league.games() if g.home_id == 13)
    at = clippers.tip_off - timedelta(hours=3)
    event = league.odds_at(clippers, at)
    assert event is not None and event["home_team"] == "Los Angeles Clippers"
    names = {o["name"] for b in event["bookmakers"] for o in b["markets"][0]["outcomes"]}
    assert names == {"Los Angeles Clippers", event["away_team"]}
    _, _, bdl = make_clients(league, at)
    body = bdl.get(f"/v1/games/{clippers.bdl_game_id}").json()["data"]
    assert body["home_team"]["full_name"] == "LA Clippers" and body["home_team"]["id"] == 13


def test_commence_time_window_and_event_ids(league: SandboxLeague) -> None:
    _, odds, _ = make_clients(league, utc(2024, 1, 15, 17))
    everything = odds.get("/v4/sports/basketball_nba/odds", params=KEY).json()
    assert len(everything) >= 4
    target = everything[2]
    one = odds.get(
        "/v4/sports/basketball_nba/odds", params={**KEY, "eventIds": target["id"]}
    ).json()
    assert [e["id"] for e in one] == [target["id"]]
    window = odds.get(
        "/v4/sports/basketball_nba/odds",
        params={
            **KEY,
            "commenceTimeFrom": target["commence_time"],
            "commenceTimeTo": target["commence_time"],
        },
    ).json()
    assert target["id"] in {e["id"] for e in window}
    assert all(e["commence_time"] == target["commence_time"] for e in window)
    single = odds.get(f"/v4/sports/basketball_nba/events/{target['id']}/odds", params=KEY)
    assert single.status_code == 200 and single.json()["id"] == target["id"]


def test_a_historical_snapshot_is_fast(league: SandboxLeague) -> None:
    """A season backfill makes ~22,000 snapshot calls; each must stay in milliseconds."""
    transport, odds, _ = make_clients(league, utc(2024, 6, 1))
    params = {**KEY, "markets": "h2h,spreads,totals", "regions": "us,eu"}
    start = utc(2024, 3, 4, 15)
    odds.get(PATH, params={**params, "date": start.isoformat()})
    began = time.perf_counter()
    calls = 48
    for k in range(calls):
        at = start + timedelta(minutes=15 * k)
        assert odds.get(PATH, params={**params, "date": at.isoformat()}).status_code == 200
    assert (time.perf_counter() - began) / calls < 0.04
    assert transport.requests_used > 0
