"""One sandbox slate pulled through both clients into the warehouse, checked against the
league that served it.

Expected rows are computed from the sandbox itself: its league objects, or the JSON its
transport serves when asked directly (not through the feed clients or the assets).
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import httpx
import pytest
from sqlalchemy import text

from nba_assets.core.slates import slate_window
from nba_assets.defs.assets import ingest
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.feeds.sandbox.transport import SandboxTransport

SLATE = date(2023, 11, 1)
INGEST = [
    ingest.games,
    ingest.odds_snapshots,
    ingest.player_stats,
    ingest.game_results,
    ingest.injuries,
]
NEW_YORK = ZoneInfo("America/New_York")
REGIONS = "us,eu"
MARKETS = "h2h,spreads,totals"
ODDS_EVERY, ODDS_OPEN_HOUR = 15, 10
INJURIES_EVERY, INJURIES_OPEN_HOUR = 3, 10
ODDS_URL, BDL_URL = "https://api.the-odds-api.com", "https://api.balldontlie.io"


def _run_config(odds_every: int = ODDS_EVERY, *, injuries: bool = True) -> dg.RunConfig:
    ops: dict[str, dg.Config] = {
        "odds_snapshots": ingest.HistoryConfig(
            odds_interval_minutes=odds_every, odds_open_hour_et=ODDS_OPEN_HOUR
        )
    }
    if injuries:
        ops["injuries"] = ingest.InjuryHistoryConfig(
            interval_hours=INJURIES_EVERY, open_hour_et=INJURIES_OPEN_HOUR
        )
    return dg.RunConfig(ops=ops)


def _materialize(url: str, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        INGEST,
        partition_key=SLATE.isoformat(),
        resources={
            "warehouse": WarehouseResource(database_url=url),
            "feeds": FeedsResource(regions=REGIONS),
        },
        run_config=_run_config(),
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


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, object]:
    """The asset's materialization metadata; a range run repeats it on every partition."""
    found = [
        {k: v.value for k, v in m.step_materialization_data.materialization.metadata.items()}
        for m in result.get_asset_materialization_events()
        if m.asset_key.to_user_string() == asset
    ]
    assert found and all(f == found[0] for f in found), asset
    return found[0]


# What the sandbox served, asked directly ---------------------------------------------------


def _every(start: datetime, step: timedelta, until: datetime, *, inclusive: bool) -> list:
    instants, at = [], start
    while at < until or (inclusive and at == until):
        instants.append(at)
        at += step
    return instants


def _odds_grid(league: SandboxLeague, slate: date, every: int = ODDS_EVERY) -> list[datetime]:
    """The documented history grid: every ``every`` minutes from 10:00 New York time the
    day before through the slate's last tip-off."""
    opens = datetime.combine(slate - timedelta(days=1), time(ODDS_OPEN_HOUR), NEW_YORK)
    last = max(g.tip_off for g in league.games_on(slate))
    return _every(opens, timedelta(minutes=every), last, inclusive=True)


def _z(at: datetime) -> str:
    return at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%M:%SZ")


def _served_odds(
    league: SandboxLeague, slate: date, grid: list[datetime]
) -> tuple[Counter, SandboxTransport]:
    """Outcomes served per (game of ``slate``, snapshot time) over the grid, and the
    transport that served them (it counts the credits charged)."""
    events = {g.odds_event_id: g.game_id for g in league.games_on(slate)}
    first, end = slate_window(slate)
    transport = SandboxTransport(league)
    served: Counter = Counter()
    with httpx.Client(transport=transport, base_url=ODDS_URL) as client:
        for at in grid:
            body = client.get(
                "/v4/historical/sports/basketball_nba/odds",
                params={
                    "apiKey": "k",
                    "regions": REGIONS,
                    "markets": MARKETS,
                    "oddsFormat": "decimal",
                    "dateFormat": "iso",
                    "date": _z(at),
                    # The asset asks for its slate's games only, as a user would.
                    "commenceTimeFrom": _z(first),
                    "commenceTimeTo": _z(end - timedelta(seconds=1)),
                },
            ).json()
            for event in body["data"]:
                if event["id"] in events:
                    snapshot = datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
                    served[events[event["id"]], snapshot] += sum(
                        len(market["outcomes"])
                        for book in event["bookmakers"]
                        for market in book["markets"]
                    )
    return served, transport


def _bdl_pages(league: SandboxLeague, path: str, at: datetime, **params) -> list[dict]:
    """Every page of a BallDontLie listing as the sandbox serves it at ``at``."""
    transport = SandboxTransport(league, clock=lambda: at)
    pages, cursor = [], None
    with httpx.Client(transport=transport, base_url=BDL_URL) as client:
        while True:
            query = {**params, "per_page": 100, **({"cursor": cursor} if cursor else {})}
            body = client.get(path, params=query, headers={"Authorization": "k"}).json()
            pages.append(body)
            cursor = body["meta"].get("next_cursor")
            if cursor is None:
                return pages


def _injury_polls(league: SandboxLeague, slate: date) -> list[datetime]:
    """The documented replay of a past slate's injury report: every three hours from
    10:00 New York time the day before until the last tip-off, plus half an hour before it."""
    opens = datetime.combine(slate - timedelta(days=1), time(INJURIES_OPEN_HOUR), NEW_YORK)
    last = max(g.tip_off for g in league.games_on(slate))
    instants = _every(opens, timedelta(hours=INJURIES_EVERY), last, inclusive=False)
    return sorted({*instants, last - timedelta(minutes=30)})


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _return_date(raw: str, polled_at: datetime) -> date:
    """A "Nov 18" estimate as documented: the next such day on or after the poll's New York
    date (an estimate already past when polled therefore means next year's day)."""
    month, day = _MONTHS.index(raw[:3]) + 1, int(raw.split()[1])
    today = polled_at.astimezone(NEW_YORK).date()
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


def _served_injury_versions(league: SandboxLeague, slate: date) -> Counter:
    """Report changes per BallDontLie player id over the polls.

    A player's report is a new version when its status, description, return date or team
    differ from the player's previous version; a player listed as not available and missing
    from the next poll is cleared to available, which is a version too.
    """
    cleared = ("cleared",)
    latest: dict[int, tuple] = {}
    listed_before: dict[int, str] = {}
    versions: Counter = Counter()
    for at in _injury_polls(league, slate):
        records = [
            r for page in _bdl_pages(league, "/v1/player_injuries", at) for r in page["data"]
        ]
        now = {
            r["player"]["id"]: (
                r["status"],
                r["description"],
                r["return_date"],
                _return_date(r["return_date"], at),
                r["player"]["team_id"],
            )
            for r in records
        }
        for pid, status in listed_before.items():
            if pid not in now and status.lower() != "available":
                now[pid] = cleared
        for pid, content in now.items():
            if latest.get(pid) != content:
                versions[pid] += 1
                latest[pid] = content
        listed_before = {r["player"]["id"]: r["status"] for r in records}
    return versions


# The slate ------------------------------------------------------------------------------------


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


def test_every_served_price_is_one_odds_row(loaded) -> None:
    url, first, _ = loaded
    league = SandboxLeague(2023)
    grid = _odds_grid(league, SLATE)
    served, transport = _served_odds(league, SLATE, grid)
    assert sum(served.values()) > 0
    stored = {
        (game_id, snapshot): n
        for game_id, snapshot, n in _scalar(
            url, "SELECT game_id, snapshot_time, count(*) FROM nba.odds_snapshots GROUP BY 1, 2"
        )
    }
    assert stored == {key: n for key, n in served.items() if n}
    # The run reports what the provider charged, as the transport counted it.
    meta = _metadata(first, "odds_snapshots")
    assert meta["feed_calls_odds_api"] == len(grid)
    assert meta["odds_api_credits_used"] == transport.requests_used > 0
    assert meta["odds_api_credits_remaining"] == transport.requests_remaining


def test_every_served_box_score_line_is_one_player_stats_row(loaded) -> None:
    url, first, _ = loaded
    league = SandboxLeague(2023)
    expected = {}
    for game in league.games_on(SLATE):
        home, away = league.box_score(game)
        expected[game.game_id] = len(home) + len(away)
    stored = dict(_scalar(url, "SELECT game_id, count(*) FROM nba.player_stats GROUP BY 1"))
    assert stored == expected
    slate_end = max(league.final_at(g) for g in league.games_on(SLATE)) + timedelta(hours=6)
    pages = _bdl_pages(league, "/v1/stats", slate_end, **{"dates[]": SLATE.isoformat()})
    assert sum(len(p["data"]) for p in pages) == sum(expected.values())
    meta = _metadata(first, "player_stats")
    assert meta["feed_calls_balldontlie"] == len(pages)
    assert meta["feed_calls_odds_api"] == 0


def test_every_served_injury_change_is_one_injuries_row(loaded) -> None:
    url, first, _ = loaded
    assert first.success
    expected = _served_injury_versions(SandboxLeague(2023), SLATE)
    assert sum(expected.values()) > 0
    stored = dict(
        _scalar(
            url,
            """SELECT s.source_id::int, count(*) FROM nba.injuries i
               JOIN nba.source_ids s ON s.entity = 'player' AND s.source = i.source
                    AND s.internal_id = i.player_id
               GROUP BY 1""",
        )
    )
    assert stored == dict(expected)


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
    with httpx.Client(transport=transport, base_url=ODDS_URL) as client:
        body = client.get(
            "/v4/historical/sports/basketball_nba/odds",
            params={
                "apiKey": "k",
                "markets": MARKETS,
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
    materialized = set()
    for mat in second.get_asset_materialization_events():
        materialized.add(mat.asset_key.to_user_string())
        metadata = mat.step_materialization_data.materialization.metadata
        inserted = [v.value for k, v in metadata.items() if k.endswith("rows_inserted")]
        assert inserted and all(n == 0 for n in inserted), mat.asset_key
    assert materialized == {a.key.to_user_string() for a in INGEST}
    partitions = {e.partition for e in first.get_asset_check_evaluations()}
    assert partitions == {SLATE.isoformat()}


def test_every_feed_call_of_the_run_is_recorded(loaded) -> None:
    url, first, second = loaded
    for result in (first, second):
        recorded = dict(
            _scalar(
                url,
                "SELECT source, count(*) FROM nba.feed_requests WHERE run_id = :run GROUP BY 1",
                run=result.run_id,
            )
        )
        reported = Counter()
        for asset in INGEST:
            meta = _metadata(result, asset.key.to_user_string())
            reported["odds_api"] += meta["feed_calls_odds_api"]
            reported["balldontlie"] += meta["feed_calls_balldontlie"]
        assert recorded == dict(reported)


# A single-run range ---------------------------------------------------------------------------

RANGE = (SLATE, SLATE + timedelta(days=1))
RANGE_ODDS_EVERY = 120


def test_a_range_run_reports_the_calls_and_credits_of_every_slate(pg_server, template_db):
    url = pg_server.create(template=template_db)
    dagster_db = pg_server.create().replace("postgresql://", "postgresql+psycopg2://", 1)
    with dg.instance_for_test(
        overrides={"storage": {"postgres": {"postgres_url": dagster_db}}}
    ) as instance:
        result = dg.materialize(
            [ingest.games, ingest.odds_snapshots, ingest.player_stats],
            resources={
                "warehouse": WarehouseResource(database_url=url),
                "feeds": FeedsResource(regions=REGIONS),
            },
            run_config=_run_config(RANGE_ODDS_EVERY, injuries=False),
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": RANGE[0].isoformat(),
                "dagster/asset_partition_range_end": RANGE[1].isoformat(),
            },
        )
    assert result.success
    league = SandboxLeague(2023)
    calls, credits = 0, 0
    stats_pages = 0
    for slate in RANGE:
        grid = _odds_grid(league, slate, RANGE_ODDS_EVERY)
        _, transport = _served_odds(league, slate, grid)
        calls += len(grid)
        credits += transport.requests_used
        slate_end = max(league.final_at(g) for g in league.games_on(slate)) + timedelta(hours=6)
        stats_pages += len(
            _bdl_pages(league, "/v1/stats", slate_end, **{"dates[]": slate.isoformat()})
        )
    odds = _metadata(result, "odds_snapshots")
    assert odds["feed_calls_odds_api"] == calls
    assert odds["odds_api_credits_used"] == credits
    stats = _metadata(result, "player_stats")
    assert stats["feed_calls_balldontlie"] == stats_pages
    games_pages = sum(
        len(_bdl_pages(league, "/v1/games", slate_end, **{"dates[]": slate.isoformat()}))
        for slate in RANGE
    )
    assert _metadata(result, "games")["feed_calls_balldontlie"] == games_pages
