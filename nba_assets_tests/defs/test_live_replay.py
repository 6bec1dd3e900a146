"""The live feed, configured from the environment, ingesting recorded provider payloads.

Keys and base URLs are set the way an operator sets them; the resources are built by the
code location's own ``_feeds()``/``_warehouse()``; the Dagster ingest assets run against a
real local HTTP server that answers the recorded payloads under ../shared (see its
SOURCES.md). Nothing of the project is patched: the fake is the server on the socket.

What the recordings can and cannot cover:

- BallDontLie ``/v1/games`` (real capture, slate 2024-04-04): ``games`` and ``game_results``.
  Both games were still scheduled, so no result is expected.
- The slate is past, so ``odds_snapshots`` walks ``/v4/historical/.../odds`` with ``date=``.
  The only recorded historical odds envelope is the provider's docs example, which is NFL:
  its events must be quarantined as unknown teams, and no odds row can land.
- The only recorded NBA odds body is a live ``/odds`` capture in *american* prices
  (2022-11-22 slate, before the partitions begin). Today's partition polls ``/odds`` live
  with ``ODDS_API_ODDS_FORMAT=american``: the server answers only that request, and every
  featured outcome lands with the price as given plus its decimal conversion. A second poll
  keeps the default (decimal) against a server that answers american whatever is asked:
  the event lands in ``games`` and every market is quarantined rather than misread.
- No recorded ``/v1/stats``, ``/v1/teams`` or usable ``/v1/player_injuries`` body exists:
  ``player_stats`` must fail visibly on the 404, and ``injuries`` has no history on the
  live feed, so a past slate is skipped.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from sqlalchemy import text

from nba_assets.definitions import _feeds, _warehouse
from nba_assets.defs.assets import ingest
from nba_assets.settings import FeedSettings
from nba_assets.warehouse.engine import engine_for
from nba_assets_tests.defs.replay_server import (
    Answer,
    ReplayServer,
    Seen,
    historical_archive,
    recorded,
)

GAMES_FILE = "balldontlie_v1_nba_games_capture_2024-04-04.json"
HISTORICAL_FILE = "theoddsapi_v4_historical_odds_envelope_docs_example.json"
LIVE_ODDS_FILE = "theoddsapi_v4_odds_nba_h2h_spreads_totals_american_2022-11-23.json"
SLATE = date(2024, 4, 4)  # the slate of the recorded BallDontLie games
FEATURED = ("h2h", "spreads", "totals")
NY = ZoneInfo("America/New_York")
ODDS_KEY = f"odds-replay-{uuid.uuid4().hex}"
BDL_KEY = f"bdl-replay-{uuid.uuid4().hex}"
ODDS_EVERY = timedelta(minutes=60)
ODDS_OPEN_HOUR_ET = 10
HISTORY_CONFIG = {
    "ops": {
        "odds_snapshots": {
            "config": {
                "odds_interval_minutes": int(ODDS_EVERY.total_seconds() // 60),
                "odds_open_hour_et": ODDS_OPEN_HOUR_ET,
            }
        }
    }
}
ODDS_PATHS = ("/v4/",)
BDL_PATHS = ("/v1/",)


class _Lines(logging.Handler):
    """Every log record of the run, formatted with its traceback."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass(frozen=True)
class Replayed:
    """One Dagster run against the replay server, and everything it left behind."""

    warehouse_url: str
    result: dg.ExecuteInProcessResult
    seen: list[Seen]
    event_log: list[str]
    run_record: str
    log_lines: list[str]
    started: datetime
    finished: datetime

    def steps(self, event_type: dg.DagsterEventType) -> set[str]:
        return {
            e.step_key for e in self.result.all_events if e.event_type == event_type and e.step_key
        }

    def metadata(self, asset: str) -> dict[str, Any]:
        for mat in self.result.get_asset_materialization_events():
            if mat.asset_key == dg.AssetKey(asset):
                return {
                    k: v.value
                    for k, v in mat.step_materialization_data.materialization.metadata.items()
                }
        raise AssertionError(f"{asset} was not materialized")

    def sql(self, query: str, **params: object) -> list[Any]:
        with engine_for(self.warehouse_url).connect() as conn:
            return conn.execute(text(query), params).all()


def _replay(
    routes: dict[str, Answer],
    assets: Sequence[dg.AssetsDefinition],
    partition: date,
    warehouse_url: str,
    dagster_url: str,
    run_config: dict[str, Any] | None = None,
    settings: dict[str, str] | None = None,
) -> Replayed:
    """Materialize ``assets`` for ``partition`` with the live feed pointed at the server.

    ``settings`` are further environment variables; the optional ones left out are unset.
    """
    server = ReplayServer(routes)
    lines = _Lines()
    root = logging.getLogger()
    level = root.level
    with (
        server.running(),
        pytest.MonkeyPatch.context() as env,
        dg.instance_for_test(
            overrides={"storage": {"postgres": {"postgres_url": dagster_url}}}
        ) as instance,
    ):
        env.setenv("ODDS_API_KEY", ODDS_KEY)
        env.setenv("BALLDONTLIE_API_KEY", BDL_KEY)
        env.setenv("ODDS_API_BASE_URL", server.url)
        env.setenv("BALLDONTLIE_BASE_URL", server.url)
        env.setenv("NBA_DATABASE_URL", warehouse_url)
        for name in ("NBA_FEED", "ODDS_API_ODDS_FORMAT"):
            env.delenv(name, raising=False)
        for name, value in (settings or {}).items():
            env.setenv(name, value)
        assert FeedSettings.from_env().mode == "live"
        resources = {"warehouse": _warehouse(), "feeds": _feeds()}
        root.addHandler(lines)
        root.setLevel(logging.DEBUG)
        started = datetime.now(UTC)
        try:
            result = dg.materialize(
                assets,
                partition_key=partition.isoformat(),
                resources=resources,
                instance=instance,
                run_config=run_config or {},
                raise_on_error=False,
            )
        finally:
            finished = datetime.now(UTC)
            root.removeHandler(lines)
            root.setLevel(level)
        event_log = [dg.serialize_value(e) for e in instance.all_logs(result.run_id)]
        run = instance.get_run_by_id(result.run_id)
        run_record = dg.serialize_value(run)
    return Replayed(
        warehouse_url,
        result,
        list(server.seen),
        event_log,
        run_record,
        lines.lines,
        started,
        finished,
    )


def _dagster_url(pg_server) -> str:
    return pg_server.create().replace("postgresql://", "postgresql+psycopg2://", 1)


@pytest.fixture(scope="module")
def payloads(shared_dir: Path) -> Path:
    return shared_dir / "data" / "payloads"


def _load(payloads: Path, name: str) -> Any:
    return json.loads((payloads / name).read_text())


def _past_routes(payloads: Path) -> dict[str, Answer]:
    # The capture kept only the page's ``data`` array; the v1 page wraps it as ``data``.
    # With no ``meta.next_cursor`` the listing ends on this page.
    games = {"data": _load(payloads, GAMES_FILE)}
    return {
        "/v1/games": recorded(games, **{"dates[]": [SLATE.isoformat()]}),
        "/v4/historical/sports/basketball_nba/odds": historical_archive(
            [(payloads / HISTORICAL_FILE).read_bytes()]
        ),
    }


@pytest.fixture(scope="module")
def past(payloads: Path, pg_server, template_db) -> Replayed:
    """The recorded slate's ingest assets, as one run: games first, then the rest."""
    return _replay(
        _past_routes(payloads),
        [ingest.games, ingest.odds_snapshots, ingest.game_results, ingest.injuries],
        SLATE,
        pg_server.create(template=template_db),
        _dagster_url(pg_server),
        HISTORY_CONFIG,
    )


@pytest.fixture(scope="module")
def stats(payloads: Path, pg_server, template_db) -> Replayed:
    """``player_stats`` for the recorded slate: no box score was ever recorded."""
    return _replay(
        _past_routes(payloads),
        [ingest.player_stats],
        SLATE,
        pg_server.create(template=template_db),
        _dagster_url(pg_server),
    )


def _today() -> date:
    return datetime.now(UTC).astimezone(NY).date()


@pytest.fixture(scope="module")
def live(payloads: Path, pg_server, template_db) -> Replayed:
    """Today's slate polls ``/odds`` live in american prices, as the NBA capture was made."""
    body = (payloads / LIVE_ODDS_FILE).read_bytes()
    routes = {
        "/v4/sports/basketball_nba/odds": recorded(
            body, markets=[",".join(FEATURED)], oddsFormat=["american"]
        ),
    }
    return _replay(
        routes,
        [ingest.odds_snapshots],
        _today(),
        pg_server.create(template=template_db),
        _dagster_url(pg_server),
        settings={"ODDS_API_ODDS_FORMAT": "american"},
    )


@pytest.fixture(scope="module")
def mismatched(payloads: Path, pg_server, template_db) -> Replayed:
    """Today's poll asks for the default (decimal); the server answers american anyway."""
    body = (payloads / LIVE_ODDS_FILE).read_bytes()
    routes = {"/v4/sports/basketball_nba/odds": recorded(body, markets=[",".join(FEATURED)])}
    return _replay(
        routes,
        [ingest.odds_snapshots],
        _today(),
        pg_server.create(template=template_db),
        _dagster_url(pg_server),
    )


def _tip_off(game: dict[str, Any]) -> datetime:
    """BallDontLie's tip-off: ``datetime`` when present, else the instant in ``status``."""
    value = game.get("datetime") or game["status"]
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _is_final(game: dict[str, Any]) -> bool:
    return str(game["status"]).strip().lower().startswith("final")


def _odds_grid(tip_offs: list[datetime]) -> list[str]:
    """The instants a past slate's odds are read at: the day before at the opening hour,
    every interval, through the last tip-off; as the provider's ``date`` parameter."""
    at = datetime.combine(SLATE - timedelta(days=1), time(ODDS_OPEN_HOUR_ET), NY)
    grid = []
    while at <= max(tip_offs):
        grid.append(at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        at += ODDS_EVERY
    return grid


def _of(seen: list[Seen], prefixes: Sequence[str]) -> list[Seen]:
    return [s for s in seen if s.path.startswith(tuple(prefixes))]


def _check(run: Replayed, asset: str, name: str) -> bool | None:
    """Whether a check passed in the run, or None when it was never recorded."""
    for evaluation in run.result.get_asset_check_evaluations():
        if evaluation.asset_key == dg.AssetKey(asset) and evaluation.check_name == name:
            return evaluation.passed
    return None


def test_recorded_schedule_lands_in_games(past: Replayed, payloads: Path) -> None:
    assert "games" in past.steps(dg.DagsterEventType.STEP_SUCCESS)
    recorded_games = _load(payloads, GAMES_FILE)
    assert recorded_games
    expected = {
        (
            str(g["id"]),
            g["home_team"]["full_name"],
            g["visitor_team"]["full_name"],
            _tip_off(g),
            "final" if _is_final(g) else "scheduled",
            g["season"],
            date.fromisoformat(g["date"][:10]),
        )
        for g in recorded_games
    }
    stored = past.sql(
        """SELECT g.source_game_id, h.full_name, a.full_name, g.commence_time, g.status,
                  g.season, g.slate_date
           FROM nba.games g
           JOIN nba.teams h ON h.team_id = g.home_team_id
           JOIN nba.teams a ON a.team_id = g.away_team_id
           WHERE g.source = 'balldontlie'"""
    )
    assert {tuple(r) for r in stored} == expected
    assert len(stored) == len(recorded_games)  # one version per game, no duplicates


def test_only_final_recorded_games_become_results(past: Replayed, payloads: Path) -> None:
    assert "game_results" in past.steps(dg.DagsterEventType.STEP_SUCCESS)
    finals = {str(g["id"]) for g in _load(payloads, GAMES_FILE) if _is_final(g)}
    stored = past.sql(
        """SELECT DISTINCT g.source_game_id FROM nba.game_results r
           JOIN nba.games g ON g.game_id = r.game_id AND g.source = r.source
           WHERE r.source = 'balldontlie'"""
    )
    count = past.sql("SELECT count(*) FROM nba.game_results")[0][0]
    assert {r[0] for r in stored} == finals
    assert count == len(finals)


def test_past_slate_reads_the_historical_endpoint_on_its_grid(
    past: Replayed, payloads: Path
) -> None:
    odds_calls = _of(past.seen, ODDS_PATHS)
    assert {s.path for s in odds_calls} == {"/v4/historical/sports/basketball_nba/odds"}
    grid = _odds_grid([_tip_off(g) for g in _load(payloads, GAMES_FILE)])
    assert [s.query["date"] for s in odds_calls] == [[d] for d in grid]
    assert all(s.status == 200 for s in odds_calls)

    envelope = _load(payloads, HISTORICAL_FILE)
    nba = [e for e in envelope["data"] if e["sport_key"] == "basketball_nba"]
    other = [e for e in envelope["data"] if e["sport_key"] != "basketball_nba"]
    expected_rows = sum(
        len(m["outcomes"])
        for e in nba
        for b in e["bookmakers"]
        for m in b["markets"]
        if m["key"] in FEATURED
    )
    stored = past.sql("SELECT count(*) FROM nba.odds_snapshots")[0][0]
    assert stored == len(grid) * expected_rows
    quarantined = past.sql(
        """SELECT raw, reason, endpoint FROM nba.quarantine
           WHERE target_table = 'odds_snapshots' AND source = 'odds_api'"""
    )
    assert len(quarantined) == len(grid) * len(other) > 0
    for raw, reason, endpoint in quarantined:
        assert raw in other
        assert raw["home_team"] in reason
        assert "apiKey=***" in endpoint and "date=" in endpoint
    # A slate whose every recorded price was quarantined must not pass as valid.
    assert _check(past, "odds_snapshots", "odds_valid") is (stored > 0)


def test_a_past_game_without_prices_is_reported_by_the_freshness_check(
    past: Replayed,
) -> None:
    assert _check(past, "odds_snapshots", "odds_fresh") is False


def test_injuries_are_not_replayed_for_a_past_slate_on_the_live_feed(past: Replayed) -> None:
    assert "injuries" in past.steps(dg.DagsterEventType.STEP_SUCCESS)
    assert "no history" in past.metadata("injuries")["note"]
    assert not [s for s in past.seen if s.path in ("/v1/player_injuries", "/v1/teams")]
    assert past.sql("SELECT count(*) FROM nba.injuries")[0][0] == 0


def test_every_call_is_recorded_in_feed_requests(past: Replayed) -> None:
    rows = past.sql(
        "SELECT source, endpoint, status_code, outcome FROM nba.feed_requests ORDER BY request_id"
    )
    for source, prefixes in (("odds_api", ODDS_PATHS), ("balldontlie", BDL_PATHS)):
        calls = _of(past.seen, prefixes)
        logged = [r for r in rows if r.source == source]
        assert len(logged) == len(calls) > 0, source
        assert sorted(r.endpoint.split("?")[0] for r in logged) == sorted(s.path for s in calls)
        assert all(r.status_code == 200 and r.outcome == "ok" for r in logged)
    assert len(rows) == len(past.seen)


def test_unrecorded_box_scores_fail_player_stats_at_once(stats: Replayed) -> None:
    assert "player_stats" in stats.steps(dg.DagsterEventType.STEP_FAILURE)
    assert not stats.steps(dg.DagsterEventType.STEP_UP_FOR_RETRY)
    calls = [s for s in stats.seen if s.path == "/v1/stats"]
    assert len(calls) == 1 and calls[0].status == 404
    failure = next(
        e
        for e in stats.result.all_events
        if e.event_type == dg.DagsterEventType.STEP_FAILURE and e.step_key == "player_stats"
    )
    message = str(failure.event_specific_data.error.to_string())
    assert "404" in message and "/v1/stats?dates[]=2024-04-04" in message
    logged = stats.sql("SELECT endpoint, status_code, outcome FROM nba.feed_requests")
    assert [(r.endpoint.split("?")[0], r.status_code, r.outcome) for r in logged] == [
        ("/v1/stats", 404, "error")
    ]
    assert stats.sql("SELECT count(*) FROM nba.player_stats")[0][0] == 0


def test_live_calls_are_logged_at_the_time_they_were_made(past: Replayed) -> None:
    times = [r[0] for r in past.sql("SELECT requested_at FROM nba.feed_requests")]
    assert times
    assert all(past.started <= t <= past.finished for t in times)


def _odds_games(run: Replayed) -> set[tuple[Any, ...]]:
    return {
        tuple(r)
        for r in run.sql(
            """SELECT g.source_game_id, h.full_name, a.full_name, g.commence_time
               FROM nba.games g
               JOIN nba.teams h ON h.team_id = g.home_team_id
               JOIN nba.teams a ON a.team_id = g.away_team_id
               WHERE g.source = 'odds_api'"""
        )
    }


def _recorded_games(events: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {
        (
            e["id"],
            e["home_team"],
            e["away_team"],
            datetime.fromisoformat(e["commence_time"].replace("Z", "+00:00")),
        )
        for e in events
    }


def _american_to_decimal(american: int) -> float:
    return 1 + american / 100 if american > 0 else 1 + 100 / abs(american)


# ``odds_snapshots.price_decimal`` is numeric(10, 4): half a unit in the fourth place.
PRICE_DECIMAL_TOLERANCE = 0.5e-4 + 1e-9


def test_live_poll_of_the_recorded_nba_odds(live: Replayed, payloads: Path) -> None:
    calls = _of(live.seen, ODDS_PATHS)
    assert [(s.path, s.status) for s in calls] == [("/v4/sports/basketball_nba/odds", 200)]
    # ODDS_API_ODDS_FORMAT=american reached the request: the capture's own format.
    assert calls[0].query["oddsFormat"] == ["american"]

    events = _load(payloads, LIVE_ODDS_FILE)
    assert _odds_games(live) == _recorded_games(events)

    # What the recording says, outcome by outcome, keyed as the table keys it.
    expected: dict[tuple[str, str, str, str, float], int] = {}
    for e in events:
        sides = {e["home_team"]: "home", e["away_team"]: "away", "Over": "over", "Under": "under"}
        for b in e["bookmakers"]:
            for m in b["markets"]:
                if m["key"] not in FEATURED:
                    continue
                for o in m["outcomes"]:
                    point = 0.0 if m["key"] == "h2h" else float(o["point"])
                    key = (e["id"], b["key"], m["key"], sides[o["name"]], point)
                    assert key not in expected
                    expected[key] = o["price"]
    assert len(expected) == 20

    stored = live.sql(
        """SELECT g.source_game_id, b.book_key, o.market::text, o.outcome::text,
                  o.point::float8, o.price_american, o.price_decimal, o.price_format::text
           FROM nba.odds_snapshots o
           JOIN nba.books b ON b.book_id = o.book_id
           JOIN nba.games g ON g.game_id = o.game_id AND g.source = 'odds_api'"""
    )
    assert len(stored) == len(expected)
    by_key = {tuple(r[:5]): r for r in stored}
    assert set(by_key) == set(expected)
    for key, american in expected.items():
        row = by_key[key]
        assert row.price_american == american, key
        assert row.price_format == "american", key
        decimal = _american_to_decimal(american)
        assert abs(float(row.price_decimal) - decimal) <= PRICE_DECIMAL_TOLERANCE, (key, decimal)

    # Betfair's h2h_lay (a lay price, not a back price) is left out, not stored as h2h.
    betfair = {
        m["key"]
        for e in events
        for b in e["bookmakers"]
        if b["key"] == "betfair"
        for m in b["markets"]
    }
    assert "h2h_lay" in betfair
    assert {r[2] for r in stored if r[1] == "betfair"} == {"h2h"}
    quarantined = live.sql(
        "SELECT count(*) FROM nba.quarantine WHERE target_table = 'odds_snapshots'"
    )[0][0]
    assert quarantined == 0
    assert live.metadata("odds_snapshots")["rows_quarantined"] == 0
    assert _check(live, "odds_snapshots", "odds_valid") is True


def test_a_decimal_request_answered_in_american_prices_is_quarantined(
    mismatched: Replayed, payloads: Path
) -> None:
    calls = _of(mismatched.seen, ODDS_PATHS)
    assert [(s.path, s.status) for s in calls] == [("/v4/sports/basketball_nba/odds", 200)]
    # Without ODDS_API_ODDS_FORMAT the assets ask for decimal, the provider's default.
    assert calls[0].query["oddsFormat"] == ["decimal"]

    events = _load(payloads, LIVE_ODDS_FILE)
    assert _odds_games(mismatched) == _recorded_games(events)

    def reads_as_decimal(market: dict[str, Any]) -> bool:
        return all(o["price"] > 1 for o in market["outcomes"])

    markets = [m for e in events for b in e["bookmakers"] for m in b["markets"]]
    featured = [m for m in markets if m["key"] in FEATURED]
    assert len(featured) < len(markets)  # betfair's h2h_lay: left out, not quarantined
    # Every recorded market carries a negative american price, so none can pass as decimal.
    assert not any(reads_as_decimal(m) for m in featured)
    assert mismatched.sql("SELECT count(*) FROM nba.odds_snapshots")[0][0] == 0
    quarantined = mismatched.sql(
        """SELECT raw FROM nba.quarantine
           WHERE target_table = 'odds_snapshots' AND source = 'odds_api'"""
    )
    assert sorted(json.dumps(r[0]["market"], sort_keys=True) for r in quarantined) == sorted(
        json.dumps(m, sort_keys=True) for m in featured
    )
    # A poll with no usable price blocks (odds_valid, ERROR).
    assert mismatched.metadata("odds_snapshots")["rows_quarantined"] == len(quarantined)
    assert _check(mismatched, "odds_snapshots", "odds_valid") is False


@pytest.mark.parametrize("value", ["", "decimal", "american"])
def test_the_odds_format_setting_reaches_the_feeds_resource(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("ODDS_API_ODDS_FORMAT", value)
    for name in ("ODDS_API_KEY", "BALLDONTLIE_API_KEY", "NBA_FEED"):
        monkeypatch.delenv(name, raising=False)
    assert FeedSettings.from_env().odds_format == (value or "decimal")
    assert _feeds().odds_format == (value or "decimal")


@pytest.mark.parametrize("value", ["Decimal", "fractional", " american"])
def test_an_unknown_odds_format_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("ODDS_API_ODDS_FORMAT", value)
    with pytest.raises(ValueError, match=r"ODDS_API_ODDS_FORMAT must be 'decimal' or 'american'"):
        FeedSettings.from_env()


def test_the_keys_travel_only_to_the_providers(
    past: Replayed, stats: Replayed, live: Replayed, mismatched: Replayed
) -> None:
    for run in (past, stats, live, mismatched):
        odds_calls, bdl_calls = _of(run.seen, ODDS_PATHS), _of(run.seen, BDL_PATHS)
        assert odds_calls or bdl_calls
        assert len(odds_calls) + len(bdl_calls) == len(run.seen)
        for call in odds_calls:
            assert call.query["apiKey"] == [ODDS_KEY]
            assert "authorization" not in call.headers
        for call in bdl_calls:
            assert call.headers["authorization"] == BDL_KEY  # raw key, no "Bearer"
            assert "apiKey" not in call.query


def _tables(run: Replayed) -> list[str]:
    return [
        r[0]
        for r in run.sql(
            """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'nba' AND c.relkind IN ('r', 'p')"""
        )
    ]


@pytest.mark.parametrize("key", [ODDS_KEY, BDL_KEY], ids=["odds_api", "balldontlie"])
def test_the_keys_are_in_no_row_event_or_log_line(
    past: Replayed, stats: Replayed, live: Replayed, mismatched: Replayed, key: str
) -> None:
    for run in (past, stats, live, mismatched):
        # Not vacuous: each run logged its calls, events and (for odds) quarantined bodies.
        assert run.sql("SELECT count(*) FROM nba.feed_requests")[0][0] > 0
        assert any("ASSET_MATERIALIZATION" in e or "STEP_FAILURE" in e for e in run.event_log)
        assert run.log_lines
        for table in _tables(run):
            leaks = run.sql(
                f"SELECT count(*) FROM nba.{table} t WHERE strpos(t::text, :key) > 0", key=key
            )[0][0]
            assert leaks == 0, table
        assert not [e for e in run.event_log if key in e]
        assert key not in run.run_record
        assert not [line for line in run.log_lines if key in line]
