"""The ingest assets under provider and network faults, end to end.

Audit of the transport-level fault list (what was already covered before this file):

- 429 storms, 5xx bursts, timeouts, connection resets: client level only
  (``feeds/test_http_faults.py``, ``feeds/sandbox/test_faults.py``); at the asset level only
  a persistent 500 on ``games`` (``defs/test_ingest_failures.py``).
- Malformed bodies: not-JSON HTML on ``games`` and a wrong top-level shape on
  ``odds_snapshots`` at the asset level; truncated JSON at the client level only.
- Fields removed or renamed: normaliser level (``feeds/test_schema_drift.py``, the fuzz).
- Duplicate deliveries and snapshots out of order: not covered.

Here each of these reaches a real asset run: the feeds run in live mode with the real
clients, retries and redaction, and only the transport under them is replaced
(``FeedsResource.http_transport``, the project's seam for it) by the sandbox league
answering as the providers do, with scripted damage. Retry waits are recorded, not slept.
Every run either succeeds with every good row kept (compared with an undamaged run) and
every bad record quarantined with a reason, or fails loudly with the cause named and
nothing of the slate half-written.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import dagster as dg
import httpx
import psycopg
import pytest

from nba_assets.core.slates import slate_window
from nba_assets.defs.assets import ingest
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.feeds.sandbox.transport import SandboxTransport
from nba_assets.warehouse.engine import libpq_url
from nba_assets_tests.feeds.fakes import BDL_KEY, ODDS_KEY, Waits, status
from nba_assets_tests.warehouse.table_contents import contents, difference, redundant_rows

SLATE = date(2023, 11, 8)  # nine games, tip-offs from 00:30 to 03:30 UTC
# The providers answer as of six hours after the slate, as the sandbox backfill does.
CLOCK = slate_window(SLATE)[1] + timedelta(hours=6)
GRID_MINUTES = 30
HISTORICAL = "/v4/historical/sports/basketball_nba/odds"
GAMES = "/v1/games"
STATS = "/v1/stats"
# A live poll's time is the wall clock: games and box scores seen in two runs differ in it.
POLL_TIME = ("observed_at",)
LIMITED = {"message": "Your app is making too many requests.", "error_code": "EXCEEDED_FREQ_LIMIT"}

Step = httpx.Response | Exception | None
Fail = Callable[[str, int], Step]
Edit = Callable[[str, int, bytes], bytes]
Answer = Callable[[httpx.Request, int], httpx.Request | None]


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _when(request: httpx.Request) -> datetime:
    return datetime.fromisoformat(request.url.params["date"].replace("Z", "+00:00"))


class Provider(httpx.BaseTransport):
    """Both providers, answered by the sandbox league, with scripted faults.

    ``fail(path, n)`` may replace the n-th attempt on a path by an error response or raise a
    transport error; ``answer(request, n)`` may answer another request instead (a different
    snapshot); ``edit(path, n, body)`` may damage a 200 body on its way out.
    """

    def __init__(
        self, fail: Fail | None = None, answer: Answer | None = None, edit: Edit | None = None
    ) -> None:
        self.sandbox = SandboxTransport(SandboxLeague(season=2023, seed=7), lambda: CLOCK)
        self.fail, self.answer, self.edit = fail, answer, edit
        self.attempts: Counter[str] = Counter()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        self.attempts[path] += 1
        n = self.attempts[path]
        step = self.fail(path, n) if self.fail else None
        if isinstance(step, Exception):
            raise type(step)(str(step), request=request)
        if isinstance(step, httpx.Response):
            return httpx.Response(
                step.status_code, headers=step.headers, content=step.content, request=request
            )
        target = (self.answer(request, n) if self.answer else None) or request
        served = self.sandbox.handle_request(target)
        content = served.content
        if self.edit and served.status_code == 200:
            content = self.edit(path, n, content)
        headers = {k: v for k, v in served.headers.items() if k.lower() != "content-length"}
        return httpx.Response(served.status_code, headers=headers, content=content, request=request)


def json_edit(change: Callable[[str, int, Any], Any]) -> Edit:
    """An ``edit`` that changes the decoded body (returning it, or None to leave it)."""

    def edit(path: str, n: int, content: bytes) -> bytes:
        body = json.loads(content)
        changed = change(path, n, body)
        return content if changed is None else json.dumps(changed).encode()

    return edit


def _feeds(provider: Provider, waits: Waits) -> FeedsResource:
    class ScriptedFeeds(FeedsResource):
        def http_transport(self) -> httpx.BaseTransport:
            return provider

        def retry_sleep(self) -> Waits:
            return waits

    return ScriptedFeeds(mode="live", odds_api_key=ODDS_KEY, balldontlie_api_key=BDL_KEY)


ODDS_RUN = (ingest.games, ingest.odds_snapshots)
FULL_RUN = (ingest.games, ingest.odds_snapshots, ingest.player_stats)


def _run(
    url: str,
    provider: Provider,
    waits: Waits | None = None,
    assets: tuple[dg.AssetsDefinition, ...] = ODDS_RUN,
) -> dg.ExecuteInProcessResult:
    config = {"ops": {"odds_snapshots": {"config": {"odds_interval_minutes": GRID_MINUTES}}}}
    return dg.materialize(
        list(assets),
        partition_key=SLATE.isoformat(),
        resources={
            "warehouse": WarehouseResource(database_url=url),
            "feeds": _feeds(provider, Waits() if waits is None else waits),
        },
        run_config=config if ingest.odds_snapshots in assets else None,
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _rows(url: str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(libpq_url(url)) as conn:
        return conn.execute(sql, params).fetchall()


def _count(url: str, sql: str, *params: object) -> int:
    return int(_rows(url, sql, *params)[0][0])


def _calls(url: str, run_id: str) -> list[tuple[str, int | None, str]]:
    return [
        (path.split("?")[0], code, outcome)
        for path, code, outcome in _rows(
            url,
            "SELECT endpoint, status_code, outcome FROM nba.feed_requests WHERE run_id = %s"
            " ORDER BY request_id",
            run_id,
        )
    ]


def _failure(result: dg.ExecuteInProcessResult) -> str:
    assert not result.success
    (event,) = result.get_step_failure_events()
    data = event.step_failure_data
    described = data.user_failure_data.description if data.user_failure_data else None
    return described or (data.error.to_string() if data.error else "")


def _metadata(result: dg.ExecuteInProcessResult, asset: str) -> dict[str, Any]:
    (event,) = [
        e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == asset
    ]
    return {k: v.value for k, v in event.step_materialization_data.materialization.metadata.items()}


def _same(url: str, baseline: str, table: str, ignore: tuple[str, ...] = ()) -> None:
    mine, theirs = (
        _without(contents(url, table), ignore),
        _without(contents(baseline, table), ignore),
    )
    assert mine == theirs, f"{table}: {difference(mine, theirs)}"


def _without(rows: Counter[str], ignore: tuple[str, ...]) -> Counter[str]:
    if not ignore:
        return rows
    out: Counter[str] = Counter()
    for row, n in rows.items():
        data = json.loads(row)
        for column in ignore:
            data.pop(column, None)
        out[json.dumps(data, sort_keys=True)] += n
    return out


@pytest.fixture(scope="module")
def baseline(pg_server, template_db) -> Iterator[str]:
    """The slate loaded through the same live clients with nothing going wrong."""
    url = pg_server.create(template=template_db)
    result = _run(url, Provider(), assets=FULL_RUN)
    assert result.success
    assert _count(url, "SELECT count(*) FROM nba.quarantine") == 0
    yield url


def test_a_429_storm_is_waited_out_and_the_slate_lands_whole(fresh_url: str, baseline: str) -> None:
    def fail(path: str, n: int) -> Step:
        storm = (path == HISTORICAL and 3 <= n <= 6) or (path == GAMES and n <= 2)
        return status(429, LIMITED, **{"Retry-After": "2"}) if storm else None

    waits = Waits()
    result = _run(fresh_url, Provider(fail=fail), waits)

    assert result.success
    assert waits == [2.0] * 6  # the provider's Retry-After, honoured every time
    limited = [c for c in _calls(fresh_url, result.run_id) if c[1] == 429]
    assert sorted(limited) == sorted([(GAMES, 429, "retry")] * 2 + [(HISTORICAL, 429, "retry")] * 4)
    for table in ("odds_snapshots", "markets"):
        _same(fresh_url, baseline, table)
    _same(fresh_url, baseline, "games", POLL_TIME)


def test_5xx_bursts_timeouts_and_resets_are_retried_and_the_slate_lands_whole(
    fresh_url: str, baseline: str
) -> None:
    html = httpx.Response(502, text="<html><title>502 Bad Gateway</title></html>")
    script: dict[tuple[str, int], Step] = {
        (GAMES, 1): httpx.ConnectTimeout("connect timed out"),
        (HISTORICAL, 2): status(500),
        (HISTORICAL, 3): html,
        (HISTORICAL, 5): httpx.ReadTimeout("timed out"),
        (HISTORICAL, 6): httpx.ConnectError("[Errno 104] Connection reset by peer"),
        (HISTORICAL, 9): status(503, {"message": "maintenance", "error_code": "SERVER_ERROR"}),
        (HISTORICAL, 10): httpx.RemoteProtocolError("peer closed connection mid-body"),
        (HISTORICAL, 11): httpx.ReadError("connection reset"),
        (HISTORICAL, 13): status(504),
        (STATS, 1): status(503, {"error": "Service Unavailable"}),
        (STATS, 2): httpx.ReadTimeout("timed out"),
    }
    waits = Waits()
    result = _run(fresh_url, Provider(fail=lambda p, n: script.get((p, n))), waits, FULL_RUN)

    assert result.success
    assert len(waits) == len(script)
    retried = [c for c in _calls(fresh_url, result.run_id) if c[2] == "retry"]
    assert len(retried) == len(script)
    for table in ("odds_snapshots", "markets"):
        _same(fresh_url, baseline, table)
    for table in ("games", "player_stats"):
        _same(fresh_url, baseline, table, POLL_TIME)
    assert _count(fresh_url, "SELECT count(*) FROM nba.quarantine") == 0


@pytest.mark.parametrize(
    ("path", "step", "let_through", "asset", "tables", "named"),
    [
        (
            HISTORICAL,
            status(429, LIMITED, **{"Retry-After": "1"}),
            2,
            "odds_snapshots",
            ("odds_snapshots", "markets"),
            "429",
        ),
        (
            STATS,
            httpx.ReadTimeout("timed out"),
            1,
            "player_stats",
            ("player_stats",),
            "ReadTimeout",
        ),
        (GAMES, httpx.ReadError("connection reset by peer"), 0, "games", ("games",), "ReadError"),
    ],
    ids=["endless-429", "endless-timeouts", "endless-resets"],
)
def test_a_fault_that_outlasts_the_retries_fails_the_run_loudly_and_writes_nothing_of_it(
    fresh_url: str,
    path: str,
    step: Step,
    let_through: int,
    asset: str,
    tables: tuple[str, ...],
    named: str,
) -> None:
    """After ``let_through`` good answers (mid-grid for odds, after the first page of box
    scores), every attempt fails: the HTTP layer gives up, the step fails naming the cause,
    and nothing the asset had read so far is written."""
    provider = Provider(fail=lambda p, n: step if p == path and n > let_through else None)
    result = _run(fresh_url, provider, assets=FULL_RUN)

    described = _failure(result)
    assert "gave up after 5 attempt(s)" in described and named in described
    assert asset not in {e.asset_key.path[-1] for e in result.get_asset_materialization_events()}
    for table in tables:
        assert _count(fresh_url, f"SELECT count(*) FROM nba.{table}") == 0, table
    if asset == "odds_snapshots":
        assert _count(fresh_url, "SELECT count(*) FROM nba.games WHERE source = 'odds_api'") == 0
    calls = [c for c in _calls(fresh_url, result.run_id) if c[0] == path]
    assert len(calls) == let_through + 5
    assert [c[2] for c in calls][-5:] == ["retry"] * 4 + ["error"]


def test_a_truncated_snapshot_mid_grid_is_quarantined_whole_and_fails_the_run(
    fresh_url: str,
) -> None:
    cut: dict[str, str] = {}

    def edit(path: str, n: int, content: bytes) -> bytes:
        if path != HISTORICAL or n != 4:
            return content
        cut["text"] = content[: len(content) // 2].decode()
        return content[: len(content) // 2]

    result = _run(fresh_url, Provider(edit=edit))

    described = _failure(result)
    assert "not valid JSON" in described and "nba.quarantine" in described
    ((raw_text, raw, reason, table),) = _rows(
        fresh_url,
        "SELECT raw_text, raw, reason, target_table FROM nba.quarantine WHERE run_id = %s",
        result.run_id,
    )
    assert raw is None and cut["text"].startswith(raw_text) and len(raw_text) > 100
    assert table == "odds_snapshots" and "not valid JSON" in reason
    # All or nothing per slate: the three snapshots read before it are not written either.
    for written in ("odds_snapshots", "markets"):
        assert _count(fresh_url, f"SELECT count(*) FROM nba.{written}") == 0
    assert _count(fresh_url, "SELECT count(*) FROM nba.games WHERE source = 'odds_api'") == 0


def test_removed_and_renamed_fields_are_quarantined_and_everything_else_lands(
    fresh_url: str, baseline: str
) -> None:
    damaged: dict[str, Any] = {}

    def change(path: str, n: int, body: Any) -> Any:
        if path == HISTORICAL and "odds" not in damaged and len(body["data"]) >= 3:
            if "seen" not in damaged:  # not the first snapshot of the games: keep markets' firsts
                damaged["seen"] = n
                return None
            first, second, third = body["data"][:3]
            del first["commence_time"]
            del second["bookmakers"][0]["key"]
            market = third["bookmakers"][0]["markets"][0]
            market["outcome"] = market.pop("outcomes")
            damaged["odds"] = (
                body["timestamp"],
                [(first["id"], None, None), (second["id"], second["bookmakers"][0]["title"], None),
                 (third["id"], third["bookmakers"][0]["key"], market["key"])],
            )  # fmt: skip
            return body
        if path == STATS and "stats" not in damaged:
            first, second = body["data"][:2]
            first["minutes"] = first.pop("min")
            del second["team"]
            damaged["stats"] = [first["player"]["id"], second["player"]["id"]]
            return body
        return None

    result = _run(fresh_url, Provider(edit=json_edit(change)), assets=FULL_RUN)

    assert result.success
    quarantined = _rows(
        fresh_url,
        "SELECT target_table, reason FROM nba.quarantine WHERE run_id = %s",
        result.run_id,
    )
    assert Counter(t for t, _ in quarantined) == {"odds_snapshots": 3, "player_stats": 2}
    assert all(reason.strip() for _, reason in quarantined)
    assert _metadata(result, "odds_snapshots")["rows_quarantined"] == 3
    assert _metadata(result, "player_stats")["rows_quarantined"] == 2

    # Every odds row of the undamaged run is here except the damaged pieces' own.
    games = dict(
        _rows(baseline, "SELECT source_id, internal_id FROM nba.source_ids WHERE entity = 'game'")
    )
    stamp, pieces = damaged["odds"]
    at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    lost = [(int(games[event]), book, market) for event, book, market in pieces]

    def damaged_row(row: dict[str, Any]) -> bool:
        if datetime.fromisoformat(row["snapshot_time"]) != at:
            return False
        return any(
            row["game_id"] == game
            and book in (None, row["book"], _title(baseline, row["book"]))
            and market in (None, row["market"])
            for game, book, market in lost
        )

    expected = Counter(
        {
            r: n
            for r, n in contents(baseline, "odds_snapshots").items()
            if not damaged_row(json.loads(r))
        }
    )
    assert sum(expected.values()) < sum(contents(baseline, "odds_snapshots").values())
    got = contents(fresh_url, "odds_snapshots")
    assert got == expected, difference(got, expected)

    lines = {f"balldontlie:{p}" for p in damaged["stats"]}
    expected_stats = Counter(
        {
            r: n
            for r, n in contents(baseline, "player_stats").items()
            if json.loads(r)["player"] not in lines
        }
    )
    assert _without(contents(fresh_url, "player_stats"), POLL_TIME) == _without(
        expected_stats, POLL_TIME
    )


def _title(url: str, book_key: str) -> str:
    return str(_rows(url, "SELECT title FROM nba.books WHERE book_key = %s", book_key)[0][0])


def test_duplicate_deliveries_add_no_rows(fresh_url: str, baseline: str) -> None:
    """The same event twice in one body, the same snapshot for two grid instants, the same
    box-score line and game twice in one page: each row is stored once."""
    skipped: list[datetime] = []

    def answer(request: httpx.Request, n: int) -> httpx.Request | None:
        if request.url.path != HISTORICAL or n != 6:
            return None
        skipped.append(_when(request))  # answered with the snapshot before it instead
        earlier = _iso(_when(request) - timedelta(minutes=GRID_MINUTES))
        return httpx.Request("GET", request.url.copy_set_param("date", earlier))

    def change(path: str, n: int, body: Any) -> Any:
        if isinstance(body.get("data"), list) and body["data"]:
            body["data"].append(json.loads(json.dumps(body["data"][0])))
            return body
        return None

    result = _run(fresh_url, Provider(answer=answer, edit=json_edit(change)), assets=FULL_RUN)

    assert result.success
    assert _count(fresh_url, "SELECT count(*) FROM nba.quarantine") == 0
    for table in ("odds_snapshots", "markets", "games", "player_stats"):
        assert redundant_rows(fresh_url, table) == 0, table
    (missing,) = skipped
    expected = Counter(
        {
            r: n
            for r, n in contents(baseline, "odds_snapshots").items()
            if datetime.fromisoformat(json.loads(r)["snapshot_time"]) != missing
        }
    )
    got = contents(fresh_url, "odds_snapshots")
    assert got == expected, difference(got, expected)
    for table in ("games", "player_stats"):
        _same(fresh_url, baseline, table, POLL_TIME)


# -- games in play and snapshots out of order ----------------------------------------------


def in_play(swap: tuple[datetime, datetime] | None = None) -> Provider:
    """The Odds API as it really behaves: a game stays listed after tip-off, in play, with
    its last prices (the sandbox drops it at tip-off). ``swap`` answers the requests for
    two instants with each other's snapshot (a delivery out of order)."""
    last: dict[str, Any] = {}

    def answer(request: httpx.Request, n: int) -> httpx.Request | None:
        if swap is None or request.url.path != HISTORICAL or _when(request) not in swap:
            return None
        other = swap[1] if _when(request) == swap[0] else swap[0]
        return httpx.Request("GET", request.url.copy_set_param("date", _iso(other)))

    def change(path: str, n: int, body: Any) -> Any:
        if path != HISTORICAL:
            return None
        at = datetime.fromisoformat(body["timestamp"].replace("Z", "+00:00"))
        listed = {e["id"] for e in body["data"]}
        for event in body["data"]:
            last.setdefault(event["id"], event)
        for event_id, event in last.items():
            tip = datetime.fromisoformat(event["commence_time"].replace("Z", "+00:00"))
            if event_id not in listed and tip <= at < tip + timedelta(hours=3):
                body["data"].append(event)
        return body

    return Provider(answer=answer, edit=json_edit(change))


def test_rerunning_a_slate_whose_snapshots_list_games_in_play_adds_nothing(
    fresh_url: str,
) -> None:
    first = _run(fresh_url, in_play())
    assert first.success
    statuses = _rows(
        fresh_url, "SELECT DISTINCT status FROM nba.games WHERE source = 'odds_api' ORDER BY 1"
    )
    assert statuses == [("in_progress",), ("scheduled",)]  # the fault under test is present
    before = {t: contents(fresh_url, t) for t in ("odds_snapshots", "markets", "games")}

    again = _run(fresh_url, in_play())

    assert again.success
    for asset in ("games", "odds_snapshots"):
        inserted = {k: v for k, v in _metadata(again, asset).items() if k.endswith("rows_inserted")}
        assert set(inserted.values()) == {0}, (asset, inserted)
    for table, rows in before.items():
        now = contents(fresh_url, table)
        assert now == rows, f"{table}: {difference(now, rows)}"


def test_a_snapshot_delivered_out_of_order_does_not_become_the_current_state(
    fresh_url: str,
) -> None:
    """The grid's requests for 00:00 and 01:00 UTC are answered with each other's snapshot:
    the later one (games of 00:30 and 01:00 in play) arrives first. Each game's versions
    must still follow the time they describe, ending in play."""
    first_tip = datetime(2023, 11, 9, 0, 30, tzinfo=UTC)
    swap = (first_tip - timedelta(minutes=30), first_tip + timedelta(minutes=30))
    result = _run(fresh_url, in_play(swap))

    assert result.success
    history: dict[int, list[tuple[int, str, datetime]]] = {}
    for game, version, state, seen in _rows(
        fresh_url,
        "SELECT game_id, version, status, observed_at FROM nba.games"
        " WHERE source = 'odds_api' ORDER BY game_id, version",
    ):
        history.setdefault(game, []).append((version, state, seen))
    assert len(history) == 9
    for game, versions in history.items():
        assert [s for _, s, _ in versions] == ["scheduled", "in_progress"], (game, versions)
        seen = [t for _, _, t in versions]
        assert seen == sorted(seen), (game, versions)
