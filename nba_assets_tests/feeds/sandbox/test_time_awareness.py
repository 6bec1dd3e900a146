"""Every answer shows only what was knowable at the clock (or the historical date)."""

from __future__ import annotations

from datetime import timedelta

from nba_assets.core.slates import slate_window
from nba_assets.feeds.sandbox import SandboxLeague
from nba_assets_tests.feeds.sandbox.conftest import make_clients, utc

KEY = {"apiKey": "test-key"}


def test_games_show_no_result_before_they_end(league: SandboxLeague) -> None:
    game = league.games()[600]
    final_at = league.final_at(game)
    for moment, expected in (
        (game.tip_off - timedelta(minutes=1), "scheduled"),
        (game.tip_off + timedelta(minutes=50), "in play"),
        (final_at - timedelta(seconds=1), "in play"),
        (final_at, "final"),
    ):
        _, odds, bdl = make_clients(league, moment)
        body = bdl.get(f"/v1/games/{game.bdl_game_id}").json()["data"]
        stats = bdl.get("/v1/stats", params={"game_ids[]": game.bdl_game_id}).json()["data"]
        scores = odds.get(
            "/v4/sports/basketball_nba/scores",
            params={**KEY, "daysFrom": 1, "eventIds": game.odds_event_id},
        ).json()
        if expected == "scheduled":
            assert body["status"] == game.tip_off.strftime("%Y-%m-%dT%H:%M:%SZ")
            assert body["home_team_score"] == body["visitor_team_score"] == 0
            assert body["period"] == 0 and body["time"] is None
            assert scores[0]["scores"] is None and scores[0]["completed"] is False
        elif expected == "in play":
            assert body["status"] != "Final" and body["period"] >= 1
            assert scores[0]["completed"] is False and scores[0]["scores"] is not None
        else:
            result = league.result(game)
            assert body["status"] == "Final"
            assert (body["home_team_score"], body["visitor_team_score"]) == (
                result.home_score,
                result.away_score,
            )
            assert scores[0]["completed"] is True
            assert scores[0]["scores"][0]["score"] == str(result.home_score)
        assert (len(stats) > 0) == (expected == "final")


def test_live_scores_only_grow(league: SandboxLeague) -> None:
    game = league.games()[300]
    seen = (0, 0)
    moment = game.tip_off
    while moment <= league.final_at(game):
        state = league.state(game, moment)
        assert state.home_score >= seen[0] and state.away_score >= seen[1]
        seen = (state.home_score, state.away_score)
        moment += timedelta(minutes=7)
    result = league.result(game)
    assert seen[0] <= result.home_score and seen[1] <= result.away_score


def test_no_pregame_price_after_tip_off(league: SandboxLeague) -> None:
    slate = league.games()[700].slate
    start, _ = slate_window(slate)
    _, odds, _ = make_clients(league, start + timedelta(days=1))
    for minutes in range(0, 24 * 60, 45):
        at = start + timedelta(minutes=minutes)
        body = odds.get(
            "/v4/historical/sports/basketball_nba/odds",
            params={**KEY, "date": at.isoformat(), "markets": "h2h,spreads,totals"},
        ).json()
        stamp = body["timestamp"]
        assert stamp <= at.strftime("%Y-%m-%dT%H:%M:%SZ")
        for event in body["data"]:
            assert event["commence_time"] > stamp
            for book in event["bookmakers"]:
                assert book["last_update"] <= stamp
                assert all(m["last_update"] <= book["last_update"] for m in book["markets"])


def test_historical_snapshot_snaps_to_the_five_minute_grid(league: SandboxLeague) -> None:
    _, odds, _ = make_clients(league, utc(2024, 3, 1))
    body = odds.get(
        "/v4/historical/sports/basketball_nba/odds",
        params={**KEY, "date": "2024-01-10T20:03:59Z"},
    ).json()
    assert body["timestamp"] == "2024-01-10T20:00:00Z"
    assert body["previous_timestamp"] == "2024-01-10T19:55:00Z"
    assert body["next_timestamp"] == "2024-01-10T20:05:00Z"
    future = odds.get(
        "/v4/historical/sports/basketball_nba/odds",
        params={**KEY, "date": "2024-06-01T00:00:00Z"},
    ).json()
    assert future["timestamp"] == "2024-03-01T00:00:00Z" and future["next_timestamp"] is None


def test_live_odds_match_the_historical_snapshot(league: SandboxLeague) -> None:
    at = utc(2024, 2, 2, 21, 10)
    _, odds, _ = make_clients(league, at)
    params = {**KEY, "markets": "h2h,spreads,totals", "regions": "us,eu"}
    live = odds.get("/v4/sports/basketball_nba/odds", params=params).json()
    _, odds_later, _ = make_clients(league, utc(2024, 3, 1))
    past = odds_later.get(
        "/v4/historical/sports/basketball_nba/odds", params={**params, "date": at.isoformat()}
    ).json()
    assert live and live == past["data"]


def test_injury_list_only_holds_reports_issued_by_then(league: SandboxLeague) -> None:
    for moment in (utc(2023, 11, 20, 18), utc(2024, 2, 2, 23, 30)):
        _, _, bdl = make_clients(league, moment)
        rows, cursor = [], None
        while True:
            params = {"per_page": 100, **({"cursor": cursor} if cursor else {})}
            body = bdl.get("/v1/player_injuries", params=params).json()
            rows += body["data"]
            cursor = body["meta"].get("next_cursor")
            if cursor is None:
                break
        assert 20 <= len(rows) <= 150
        expected = league.injury_reports(moment)
        assert [r["player"]["id"] for r in rows] == [r.player_id for r in expected]
        for row, report in zip(rows, expected, strict=True):
            assert report.issued <= moment
            assert row["status"] == report.status
            later = [
                r
                for r in league.injury_history(report.player_id)
                if report.issued < r.issued <= moment
            ]
            assert not later
        statuses = {r["status"] for r in rows}
        assert "Out" in statuses
        assert statuses <= {
            "Out",
            "Doubtful",
            "Questionable",
            "Probable",
            "Available",
            "Day-To-Day",
        }
