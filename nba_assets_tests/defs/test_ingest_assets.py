"""One sandbox slate pulled through both clients into the warehouse, checked against the
league that served it."""

from __future__ import annotations

from datetime import date

import dagster as dg
import httpx
import pytest
from sqlalchemy import text

from nba_assets.defs.assets import ingest
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.feeds.sandbox.transport import SandboxTransport

SLATE = date(2023, 11, 1)
INGEST = [ingest.games, ingest.odds_snapshots, ingest.player_stats, ingest.game_results]


def _materialize(url: str, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        INGEST,
        partition_key=SLATE.isoformat(),
        resources={"warehouse": WarehouseResource(database_url=url), "feeds": FeedsResource()},
        instance=instance,
    )


@pytest.fixture(scope="module")
def loaded(pg_server, template_db):
    url = pg_server.create(template=template_db)
    dagster_db = pg_server.create().replace("postgresql://", "postgresql+psycopg2://", 1)
    with dg.instance_for_test(
        overrides={"storage": {"postgres": {"postgres_url": dagster_db}}}
    ) as instance:
        first = _materialize(url, instance)
        second = _materialize(url, instance)
    return url, first, second


def _scalar(url: str, sql: str, **params):
    from nba_assets.warehouse.engine import engine_for

    with engine_for(url).connect() as conn:
        return conn.execute(text(sql), params).all()


def test_games_and_results_match_the_league(loaded) -> None:
    url, first, _ = loaded
    assert first.success
    league = SandboxLeague(2023)
    expected = {g.game_id: league.result(g.game_id) for g in league.games_on(SLATE)}
    assert len(expected) > 0
    rows = _scalar(url, "SELECT game_id, source FROM nba.games")
    by_source = {}
    for game_id, source in rows:
        by_source.setdefault(source, set()).add(game_id)
    assert by_source["sandbox_balldontlie"] == set(expected)
    assert by_source["sandbox_odds_api"] == set(expected)
    results = dict(
        (g, (h, a))
        for g, h, a in _scalar(
            url,
            "SELECT game_id, home_score, away_score FROM nba.game_results"
            " WHERE source = 'sandbox_balldontlie'",
        )
    )
    assert results == {g: (r.home_score, r.away_score) for g, r in expected.items()}
    box = dict(
        _scalar(
            url,
            "SELECT game_id, sum(pts) FROM nba.player_stats WHERE team_id = game_id % 100"
            " GROUP BY 1",
        )
    )
    assert box == {g: r.home_score for g, r in expected.items()}


def test_stored_prices_are_the_prices_the_sandbox_served(loaded) -> None:
    url, _, _ = loaded
    snapshot_time, game_id, book_key, price, point = _scalar(
        url,
        """SELECT o.snapshot_time, o.game_id, b.book_key, o.price_decimal::float8, o.point::float8
           FROM nba.odds_snapshots o JOIN nba.books b USING (book_id)
           WHERE o.market = 'spreads' AND o.outcome = 'home'
           ORDER BY o.snapshot_time, o.game_id, b.book_key OFFSET 100 LIMIT 1""",
    )[0]
    transport = SandboxTransport(SandboxLeague(2023))
    with httpx.Client(transport=transport, base_url="https://api.the-odds-api.com") as client:
        body = client.get(
            "/v4/historical/sports/basketball_nba/odds",
            params={
                "apiKey": "k",
                "markets": "h2h,spreads,totals",
                "regions": "us",
                "date": snapshot_time.isoformat().replace("+00:00", "Z"),
            },
        ).json()
    league = SandboxLeague(2023)
    game = next(g for g in league.games_on(SLATE) if g.game_id == game_id)
    event = next(e for e in body["data"] if e["id"] == game.odds_event_id)
    book = next(b for b in event["bookmakers"] if b["key"] == book_key)
    spreads = next(m for m in book["markets"] if m["key"] == "spreads")
    home = next(o for o in spreads["outcomes"] if o["name"] == event["home_team"])
    assert (home["price"], home["point"]) == (pytest.approx(price), pytest.approx(point))


def test_a_rerun_inserts_nothing_and_checks_pass(loaded) -> None:
    _, first, second = loaded
    assert second.success
    for result in (first, second):
        failed = [
            (e.asset_key.to_user_string(), e.check_name)
            for e in result.get_asset_check_evaluations()
            if not e.passed
        ]
        assert failed == []
    for mat in second.get_asset_materialization_events():
        metadata = mat.step_materialization_data.materialization.metadata
        inserted = [v.value for k, v in metadata.items() if k.endswith("rows_inserted")]
        assert inserted and all(n == 0 for n in inserted), mat.asset_key
    partitions = {e.partition for e in first.get_asset_check_evaluations()}
    assert partitions == {SLATE.isoformat()}
