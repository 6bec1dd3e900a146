"""Soak: a simulated week of the live cadence on the sandbox, with seeded faults injected.

    .venv/bin/python bench/soak.py                      # 7 days of 15-minute ticks, 5% faults
    .venv/bin/python bench/soak.py --days 1 --fault-rate 0.1 --seed 3
    .venv/bin/python bench/soak.py --ticks 8            # a smoke run

Every tick is what the production schedules do at that instant: ``snapshot_schedule`` (and
on every other tick ``ingest_schedule``) is evaluated at the simulated instant, and the run
it requests (``run_snapshot``: ``odds_snapshots``; ``run_ingest``: ``games`` and
``injuries``; each then ``quality_scores``, all with their checks) executes in this process
on an instance whose runs and events live in PostgreSQL (the project's ``dagster.yaml``),
into a scratch warehouse. The simulated clock then moves 15 minutes on, so a week takes
minutes of wall time.

Faults are injected where a provider or the network would inject them: at the sandbox's
HTTP transport (``RandomFaults``: 429s, 5xx, a proxy's 502 page, timeouts, connection
resets, malformed and truncated bodies, single corrupted records), at ``--fault-rate`` of
all requests, seeded, so a seed reproduces the same faults. The real clients retry, the
real normalisers quarantine, the real assets append and check.

Afterwards the run is audited against what the sandbox served (its transport observer
records every answer as delivered):

* duplicates: per fact table, rows minus distinct natural keys (plus version on versioned
  tables), and versions that repeat the previous version's content;
* lost rows: a record the sandbox delivered intact (a 200 JSON body, minus the one record a
  corrupted-record fault damaged) to a run that succeeded, which the warehouse does not
  hold: odds by their full natural key with ``snapshot_time`` = the instant the sandbox
  answered; games (both feeds) by game id and source; injury reports by the player's state
  as of the poll (the latest version at or before it must say what was served). Also lost:
  a damaged record or a broken body that is not in ``nba.quarantine`` under the run that
  received it. Records delivered to a run that then failed and did not store them are
  counted apart: a loud failure, not a loss;
* phantom odds rows: rows the warehouse holds that the sandbox never served;
* quarantined rows, failed checks, failed ticks (and whether each failed because of an
  injected fault), p50/p95 tick latency.

How a run sees the simulated now: the soak runs inside ``core.slates.simulated_clock``, so
the project's ``utc_now`` (which decides which slate is live and what the checks compare
freshness with) and with it every feed session's sandbox clock are the soak's clock. The
feeds are the production ``FeedsResource`` with its seeded-fault fields set; the soak's
subclass only makes a retry wait move that clock and hands the transport's observer to the
ledger. The simulated week must lie in the past, because Dagster's partitions end at the
real today.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import shutil
import statistics
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
import psycopg
import scratch  # bench/scratch.py, beside this script

from nba_assets.core.slates import require_aware, season_of, simulated_clock, slate_date
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.defs.schedules import ingest_schedule, snapshot_schedule
from nba_assets.feeds.http import Sleeper
from nba_assets.feeds.sandbox.faults import FaultKind, HttpFault
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.feeds.sandbox.rosters import odds_api_name
from nba_assets.feeds.sandbox.transport import Observer, Served
from nba_assets.warehouse.tables import FACT_TABLES

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "nba_bench_soak"
TICK = timedelta(minutes=15)
# Monday 2024-01-08 00:00 New York: a mid-season week of the sandbox's 2023-24 league.
DEFAULT_START = datetime(2024, 1, 8, 5, 0, tzinfo=UTC)
LIVE_ODDS = "/v4/sports/basketball_nba/odds"
ODDS_SOURCE, BDL_SOURCE = "sandbox_odds_api", "sandbox_balldontlie"
BROKEN_BODIES = (FaultKind.MALFORMED_BODY, FaultKind.TRUNCATED_BODY)


# The simulated clock


class SimulatedClock:
    """The soak's now: set per tick, moved on by the clients' retry waits instead of sleeping.

    A retry wait advances the simulated instant rather than the wall clock, so a backoff is
    seen by the run exactly as it would be (a later ``requested_at``, a later snapshot) and
    costs no wall time.
    """

    def __init__(self, start: datetime) -> None:
        self._now = start
        self.waited = 0.0

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        self._now = moment

    def wait(self, seconds: float) -> None:
        self.waited += seconds
        self._now += timedelta(seconds=seconds)


SIM = SimulatedClock(DEFAULT_START)


# The ledger of what the sandbox served


@dataclass
class RunLedger:
    """What one run was served, and what became of the run."""

    tick: int
    job: str
    partition: str
    run_id: str = ""
    success: bool = False
    failure: str = ""
    step_retries: list[str] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    odds: set[tuple[int, str, str, str, float, int]] = field(default_factory=set)
    damaged_markets: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    damaged_records: Counter[str] = field(default_factory=Counter)
    broken_bodies: int = 0
    games: set[tuple[int, str]] = field(default_factory=set)
    injuries: list[tuple[int, int, str, str | None, str | None]] = field(default_factory=list)


class Ledger:
    """The transport's observer: every answer as delivered, filed under the current run."""

    def __init__(self, league: SandboxLeague) -> None:
        self.league = league
        self.runs: list[RunLedger] = []
        self.current: RunLedger | None = None

    def begin(self, tick: int, job: str, partition: str) -> RunLedger:
        self.current = RunLedger(tick, job, partition)
        self.runs.append(self.current)
        return self.current

    def observe(self, served: Served) -> None:
        run = self.current
        if run is None:
            return
        if served.fault is not None:
            kind = served.fault if isinstance(served.fault, FaultKind) else _scripted(served.fault)
            run.faults[str(kind)] += 1
        if served.status != 200:
            return
        if served.fault in BROKEN_BODIES:
            run.broken_bodies += 1
            return
        body = json.loads(served.body)
        damaged = served.damaged
        at = _micros(served.at)
        if served.path == LIVE_ODDS:
            self._odds(run, body, damaged, at)
        elif served.path == "/v1/games":
            self._bdl_records(run, body, damaged, served.path)
        elif served.path == "/v1/player_injuries":
            self._bdl_records(run, body, damaged, served.path, at)
        elif damaged is not None:
            run.damaged_records[served.path] += 1

    def _odds(self, run: RunLedger, events: list[Any], damaged: Any, at: int) -> None:
        skip_market = skip_event = None
        if damaged is not None:
            if "bookmakers" in damaged:
                e, _, b, _, m = damaged[:5]
                skip_market = (e, b, m)
                event = events[e]
                book = event["bookmakers"][b]
                key = (event["id"], book["key"], book["markets"][m]["key"])
                run.damaged_markets[key] += 1
            else:
                skip_event = damaged[0]
                run.damaged_records[LIVE_ODDS] += 1
        for e, event in enumerate(events):
            if e == skip_event:
                continue
            game = self.league.game(event["id"])
            run.games.add((game.game_id, ODDS_SOURCE))
            home = odds_api_name(game.home_id)
            for b, book in enumerate(event["bookmakers"]):
                for m, market in enumerate(book["markets"]):
                    if (e, b, m) == skip_market:
                        continue
                    for outcome in market["outcomes"]:
                        run.odds.add(
                            _odds_key(game.game_id, book["key"], market, outcome, home, at)
                        )

    def _bdl_records(
        self, run: RunLedger, body: dict[str, Any], damaged: Any, path: str, at: int = 0
    ) -> None:
        skip = damaged[1] if damaged is not None else None
        if damaged is not None:
            run.damaged_records[path] += 1
        for i, record in enumerate(body["data"]):
            if i == skip:
                continue
            if path == "/v1/games":
                run.games.add((self.league.game(record["id"]).game_id, BDL_SOURCE))
            else:
                run.injuries.append(
                    (
                        record["player"]["id"],
                        at,
                        record["status"],
                        record.get("description"),
                        record.get("return_date"),
                    )
                )


def _scripted(fault: HttpFault) -> str:
    return "malformed_body" if fault.malformed else f"http_{fault.status}"


def _micros(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _odds_key(
    game_id: int, book: str, market: dict[str, Any], outcome: dict[str, Any], home: str, at: int
) -> tuple[int, str, str, str, float, int]:
    key = market["key"]
    if key == "totals":
        side = outcome["name"].lower()
    else:
        side = "home" if outcome["name"] == home else "away"
    point = 0.0 if key == "h2h" else round(float(outcome["point"]), 1)
    return game_id, book, key, side, point, at


# The feeds resource of the soak


@cache
def _league(season: int, seed: int) -> SandboxLeague:
    return SandboxLeague(season=season, seed=seed)


LEDGER = Ledger(_league(season_of(slate_date(DEFAULT_START)), 7))


class SoakFeeds(FeedsResource):
    """The production sandbox feeds (seeded faults through ``sandbox_fault_*``), with two
    seams filled in: a retry wait moves the soak's clock instead of sleeping, and the
    transport reports every answer it delivers to the soak's ledger."""

    def retry_sleep(self) -> Sleeper:
        return SIM.wait

    def sandbox_observer(self) -> Observer:
        return LEDGER.observe


# Running the ticks


@dataclass
class TickResult:
    tick: int
    at: datetime
    seconds: float
    runs: list[RunLedger]

    @property
    def failed(self) -> bool:
        return any(not r.success for r in self.runs)


@dataclass
class Checks:
    evaluated: int = 0
    by_name: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)


def _first_line(data: object) -> str:
    error = getattr(data, "error", None)
    if error is None:
        return "retry"
    return f"{error.cls_name}: {error.message.strip().splitlines()[0]}"[:300]


def _failure(result: dg.ExecuteInProcessResult) -> str:
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data is not None:
            error = event.step_failure_data.error
            if error is None:
                return "step failed"
            text = error.message.strip().splitlines()[0]
            return f"{error.cls_name}: {text}"[:300]
    return "run failed"


def _run(
    job: dg.JobDefinition,
    request: dg.RunRequest,
    tick: int,
    at: datetime,
    instance: dg.DagsterInstance,
    checks: Checks,
) -> RunLedger:
    SIM.set(at)
    assert request.partition_key is not None
    run = LEDGER.begin(tick, job.name, request.partition_key)
    result = job.execute_in_process(
        partition_key=request.partition_key,
        instance=instance,
        tags={**request.tags, "nba/soak_tick": str(tick)},
        raise_on_error=False,
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
    )
    LEDGER.current = None
    run.run_id, run.success = result.run_id, result.success
    run.step_retries = [
        _first_line(e.event_specific_data) for e in result.all_events if e.is_step_up_for_retry
    ]
    if not result.success:
        run.failure = _failure(result)
    for evaluation in result.get_asset_check_evaluations():
        name = f"{evaluation.asset_key.to_user_string()}.{evaluation.check_name}"
        checks.evaluated += 1
        checks.by_name[name] += 1
        if not evaluation.passed:
            checks.failed[name] += 1
    return run


def run_ticks(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    start: datetime,
    ticks: int,
    ingest: bool,
    checks: Checks,
    progress: bool,
) -> list[TickResult]:
    snapshot_job = defs.resolve_job_def("run_snapshot")
    ingest_job = defs.resolve_job_def("run_ingest")
    done: list[TickResult] = []
    for tick in range(ticks):
        at = start + tick * TICK
        started = time.perf_counter()
        runs = []
        # Both schedules fire on the half hour; ingest goes first so the odds checks see the
        # stats feed's games, as they would a few seconds into the production tick.
        if ingest and at.minute % 30 == 0:
            context = dg.build_schedule_context(instance=instance, scheduled_execution_time=at)
            runs.append(_run(ingest_job, ingest_schedule(context), tick, at, instance, checks))
        context = dg.build_schedule_context(instance=instance, scheduled_execution_time=at)
        runs.append(_run(snapshot_job, snapshot_schedule(context), tick, at, instance, checks))
        done.append(TickResult(tick, at, time.perf_counter() - started, runs))
        if progress and (tick + 1) % 48 == 0:
            failed = sum(t.failed for t in done)
            print(
                f"  {tick + 1}/{ticks} ticks (sim {at:%Y-%m-%d %H:%M} UTC), "
                f"{failed} failed, last {done[-1].seconds:.1f} s",
                flush=True,
            )
    return done


# The audit


@dataclass
class Audit:
    rows: dict[str, int]
    duplicates: dict[str, int]
    redundant_versions: dict[str, int]
    quarantine: dict[str, int]
    lost: dict[str, int]
    loud: dict[str, int]
    quarantined_instead: dict[str, int]
    phantom_odds: int
    findings: list[str]


def _fetch(conn: psycopg.Connection, sql: str, *params: object) -> list[tuple[Any, ...]]:
    return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


@dataclass
class Quarantined:
    """What one run put in ``nba.quarantine``, in the ledger's terms."""

    markets: set[tuple[int, str | None, str | None]] = field(default_factory=set)
    damaged_markets: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    games: set[tuple[int, str]] = field(default_factory=set)
    players: set[int] = field(default_factory=set)
    records: int = 0
    bodies: int = 0


def _quarantined(conn: psycopg.Connection, league: SandboxLeague) -> dict[str, Quarantined]:
    """Per run: the odds markets, games and players its quarantined records stand for.

    The Odds API normaliser keeps a market (``{event_id, bookmaker, market}``), a bookmaker
    (``{event_id, bookmaker: {...}}``) or an event (the event itself); BallDontLie's keep
    the record (a game, an injury with its player).
    """
    found: dict[str, Quarantined] = defaultdict(Quarantined)
    for run_id, source, raw, whole in _fetch(
        conn, "SELECT run_id::text, source, raw, raw_text IS NOT NULL FROM nba.quarantine"
    ):
        q = found[run_id]
        if whole:
            q.bodies += 1
            continue
        q.records += 1
        if not isinstance(raw, dict):
            continue
        if "event_id" in raw and _known_game(league, raw["event_id"]):
            game = league.game(raw["event_id"]).game_id
            book, market = raw.get("bookmaker"), raw.get("market")
            if isinstance(book, dict):
                q.markets.add((game, book.get("key"), None))
            elif isinstance(market, dict):
                q.markets.add((game, book, market.get("key")))
                q.damaged_markets[(raw["event_id"], book, market.get("key"))] += 1
        elif source == ODDS_SOURCE and _known_game(league, raw.get("id")):
            game = league.game(raw["id"]).game_id
            q.markets.add((game, None, None))
            q.games.add((game, ODDS_SOURCE))
        elif source == BDL_SOURCE and isinstance(raw.get("player"), dict):
            q.players.add(int(raw["player"]["id"]))
        elif source == BDL_SOURCE and _known_game(league, raw.get("id")):
            q.games.add((league.game(raw["id"]).game_id, BDL_SOURCE))
    return found


def _known_game(league: SandboxLeague, key: object) -> bool:
    if not isinstance(key, int | str) or isinstance(key, bool):
        return False
    try:
        league.game(key)
    except KeyError:
        return False
    return True


def audit(url: str, runs: list[RunLedger], league: SandboxLeague) -> Audit:
    with psycopg.connect(url) as conn:
        conn.execute("SET TimeZone = 'UTC'")
        rows, duplicates, redundant = _table_counts(conn)
        quarantine = _quarantine_counts(conn)
        books = dict(_fetch(conn, "SELECT book_key, book_id FROM nba.books"))
        stored_odds = {
            (g, b, m, o, round(p, 1), _micros(t))
            for g, b, m, o, p, t in _fetch(
                conn,
                "SELECT game_id, book_id, market::text, outcome::text, point::float8,"
                " snapshot_time FROM nba.odds_snapshots",
            )
        }
        stored_games = set(_fetch(conn, "SELECT DISTINCT game_id, source FROM nba.games"))
        quarantined = _quarantined(conn, league)
        injuries = _injury_history(conn)

    lost: Counter[str] = Counter()
    loud: Counter[str] = Counter()
    excused: Counter[str] = Counter()
    served_odds: set[tuple[int, int, str, str, float, int]] = set()
    findings: list[str] = []
    for run in runs:
        q = quarantined.get(run.run_id, Quarantined())
        served_odds |= {(g, books.get(b, -1), m, o, p, t) for g, b, m, o, p, t in run.odds}
        odds = {
            key for key in run.odds if (key[0], books.get(key[1], -1), *key[2:]) not in stored_odds
        }
        games = run.games - stored_games
        players = _injuries_missing(run, injuries)
        # A record the run quarantined instead of storing is accounted for, not lost.
        in_quarantine = {
            "odds_snapshots": {
                k
                for k in odds
                if {(k[0], k[1], k[2]), (k[0], k[1], None), (k[0], None, None)} & q.markets
            },
            "games": games & q.games,
            "injuries": {p for p in players if p[0] in q.players},
        }
        missing = {"odds_snapshots": odds, "games": games, "injuries": set(players)}
        # Missing rows are excused only when the run failed loudly on a feed error, before
        # it could store them; a run that failed later (a check, the database) lost them.
        bucket = loud if not run.success and _cause(run.failure) in FEED_ERRORS else lost
        for table, keys in missing.items():
            excused[table] += len(in_quarantine[table])
            bucket[table] += len(keys) - len(in_quarantine[table])
        # What was damaged or broken must be in quarantine under the run that received it,
        # whenever that run got as far as reading it (a run that failed may not have).
        for market, count in run.damaged_markets.items():
            short = count - q.damaged_markets[market]
            if short > 0:
                bucket["damaged odds markets not quarantined"] += short
        if run.broken_bodies > q.bodies:
            bucket["broken bodies not quarantined"] += run.broken_bodies - q.bodies
        expected_records = sum(run.damaged_markets.values()) + sum(run.damaged_records.values())
        if expected_records > q.records:
            bucket["damaged records not quarantined"] += expected_records - q.records
    phantom = len(stored_odds - served_odds)
    stale = _stale_injuries(runs, injuries)
    if stale:
        findings.append(
            f"{stale} player(s) still stored as on the injury report although the last"
            " successful poll no longer listed them"
        )
    return Audit(
        rows,
        duplicates,
        redundant,
        quarantine,
        dict(lost),
        dict(loud),
        dict(excused),
        phantom,
        findings,
    )


def _table_counts(
    conn: psycopg.Connection,
) -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    rows, duplicates, redundant = {}, {}, {}
    for name, table in FACT_TABLES.items():
        (count,) = _fetch(conn, f"SELECT count(*) FROM {table.qualified}")[0]
        rows[name] = count
        if not table.key:
            continue
        key = ", ".join((*table.key, *(("version",) if table.versioned else ())))
        (distinct,) = _fetch(conn, f"SELECT count(DISTINCT ({key})) FROM {table.qualified}")[0]
        duplicates[name] = count - distinct
        if table.versioned:
            entity = ", ".join(table.key)
            (same,) = _fetch(
                conn,
                f"SELECT count(*) FROM (SELECT row_hash, lag(row_hash) OVER (PARTITION BY"
                f" {entity} ORDER BY version) AS previous FROM {table.qualified}) v"
                " WHERE row_hash = previous",
            )[0]
            redundant[name] = same
    return rows, duplicates, redundant


def _quarantine_counts(conn: psycopg.Connection) -> dict[str, int]:
    return {
        f"{target} ({'whole body' if whole else 'record'})": n
        for target, whole, n in _fetch(
            conn,
            "SELECT target_table, raw_text IS NOT NULL, count(*) FROM nba.quarantine"
            " GROUP BY 1, 2 ORDER BY 1, 2",
        )
    }


CLEARED = "(absent from report)"  # status_raw of a row the injuries asset adds itself
# Per BallDontLie player id: every stored version as (reported_at in micros, status_raw,
# description, return_date_raw), in reporting order.
InjuryHistory = dict[int, list[tuple[int, str, str | None, str | None]]]


def _injury_history(conn: psycopg.Connection) -> InjuryHistory:
    history: InjuryHistory = defaultdict(list)
    for source_id, reported, status, description, returns in _fetch(
        conn,
        "SELECT s.source_id, i.reported_at, i.status_raw, i.description, i.return_date_raw"
        " FROM nba.injuries i JOIN nba.source_ids s ON s.entity = 'player'"
        " AND s.source = i.source AND s.internal_id = i.player_id"
        " WHERE i.source = %s"
        " ORDER BY i.player_id, i.version",
        BDL_SOURCE,
    ):
        history[int(source_id)].append((_micros(reported), status, description, returns))
    return history


def _stale_injuries(runs: list[RunLedger], history: InjuryHistory) -> int:
    """Players the warehouse shows on the report as of the last good poll that it left out."""
    polls = [r for r in runs if r.success and r.injuries]
    if not polls:
        return 0
    last = polls[-1]
    at = last.injuries[0][1]
    listed = {player for player, *_ in last.injuries}
    stale = 0
    for player, versions in history.items():
        known = [v for v in versions if v[0] <= at]
        # "Available" (the provider's word) or the asset's own clearing: off the report.
        off_report = known and (known[-1][1] == CLEARED or known[-1][1].lower() == "available")
        if known and not off_report and player not in listed:
            stale += 1
    return stale


def _injuries_missing(
    run: RunLedger, history: InjuryHistory
) -> list[tuple[int, int, str, str | None, str | None]]:
    """Served reports the warehouse does not show as the player's state at the poll."""
    missing = []
    for report in run.injuries:
        player, at, status, description, returns = report
        known = [v for v in history.get(player, []) if v[0] <= at]
        if not known or known[-1][1:] != (status, description, returns):
            missing.append(report)
    return missing


# The report


FEED_ERRORS = ("FeedUnavailableError", "PayloadError")


def _cause(failure: str) -> str:
    """The feed error a failed run names (inside Dagster's Failure), else its first line.

    A run that failed with a feed error after a fault was injected into it failed loudly
    because of that fault; anything else is unexpected and listed by name.
    """
    for name in FEED_ERRORS:
        if name in failure:
            return name
    return failure[:120]


def _p50_p95(values: list[float]) -> list[float] | None:
    if not values:
        return None
    return [round(statistics.median(values), 2), round(_percentile(values, 95), 2)]


def _percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return values[0] if values else float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def report(
    args: argparse.Namespace,
    ticks: list[TickResult],
    checks: Checks,
    result: Audit,
    wall: float,
) -> dict[str, Any]:
    runs = [r for t in ticks for r in t.runs]
    failed_runs = [r for r in runs if not r.success]
    faults = Counter[str]()
    for r in runs:
        faults.update(r.faults)
    seconds = [t.seconds for t in ticks]
    snapshot_only = [t.seconds for t in ticks if len(t.runs) == 1]
    with_ingest = [t.seconds for t in ticks if len(t.runs) > 1]
    summary = {
        "start": ticks[0].at.isoformat() if ticks else None,
        "ticks": len(ticks),
        "runs": Counter(r.job for r in runs),
        "fault_rate": args.fault_rate,
        "fault_kinds": args.kinds,
        "seed": args.seed,
        "requests_faulted": dict(faults),
        "rows": result.rows,
        "duplicates": result.duplicates,
        "redundant_versions": result.redundant_versions,
        "lost": result.lost,
        "not_stored_by_failed_runs": result.loud,
        "served_intact_but_quarantined": result.quarantined_instead,
        "phantom_odds_rows": result.phantom_odds,
        "quarantined": result.quarantine,
        "checks_evaluated": checks.evaluated,
        "checks_evaluated_by_name": dict(checks.by_name),
        "checks_failed": dict(checks.failed),
        "failed_ticks": sum(t.failed for t in ticks),
        "failed_runs": Counter(r.job for r in failed_runs),
        "failed_runs_unexpected": [
            f"tick {r.tick} {r.job}: {r.failure}"
            for r in failed_runs
            if not r.faults or _cause(r.failure) not in FEED_ERRORS
        ],
        "failures": Counter(_cause(r.failure) for r in failed_runs),
        "step_retries": Counter(e for r in runs for e in r.step_retries),
        "tick_seconds_p50": round(statistics.median(seconds), 2) if seconds else None,
        "tick_seconds_p95": round(_percentile(seconds, 95), 2) if seconds else None,
        "tick_seconds_p50_p95_snapshot_only": _p50_p95(snapshot_only),
        "tick_seconds_p50_p95_snapshot_and_ingest": _p50_p95(with_ingest),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "simulated_retry_wait_seconds": round(SIM.waited, 1),
        "wall_seconds": round(wall, 1),
        "findings": sorted(set(result.findings)),
    }
    print(json.dumps(summary, indent=2, default=str))
    total_lost = sum(result.lost.values())
    total_dupes = sum(result.duplicates.values()) + sum(result.redundant_versions.values())
    print(
        f"\n{len(ticks)} ticks from {summary['start']} at fault rate {args.fault_rate} "
        f"(seed {args.seed}): duplicates {total_dupes}, lost {total_lost}, phantom "
        f"{result.phantom_odds}, quarantined {sum(result.quarantine.values())}, failed checks "
        f"{sum(checks.failed.values())}/{checks.evaluated}, failed ticks "
        f"{summary['failed_ticks']}, p50 {summary['tick_seconds_p50']} s, "
        f"p95 {summary['tick_seconds_p95']} s, wall {wall:.0f} s"
    )
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--days", type=float, default=7.0, help="simulated days (default 7)")
    parser.add_argument("--ticks", type=int, default=None, help="ticks to run (overrides --days)")
    parser.add_argument(
        "--start",
        type=datetime.fromisoformat,
        default=DEFAULT_START,
        help="first tick, an aware ISO instant in the past (default 2024-01-08T05:00Z)",
    )
    parser.add_argument("--fault-rate", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--kinds",
        type=lambda text: [FaultKind(k.strip()).value for k in text.split(",")],
        default=[k.value for k in FaultKind],
        help="fault kinds to inject, comma-separated (default: all of "
        + ", ".join(FaultKind)
        + ")",
    )
    parser.add_argument("--no-ingest", action="store_true", help="only the snapshot job")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--json", type=Path, default=None, help="also write the summary here")
    args = parser.parse_args()
    start = require_aware(args.start, "--start")
    ticks = args.ticks if args.ticks is not None else round(args.days * 24 * 4)
    end = start + ticks * TICK
    if end > datetime.now(UTC) - timedelta(days=1):
        raise SystemExit("the simulated window must end before yesterday: partitions end today")
    if season_of(slate_date(start)) != season_of(slate_date(end)):
        raise SystemExit("the simulated window must lie within one season")
    if start != DEFAULT_START:
        LEDGER.league = _league(season_of(slate_date(start)), 7)

    base = scratch.server_url()
    url = scratch.create(base, DATABASE)
    home = Path(tempfile.mkdtemp(prefix="nba_soak_"))
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    os.environ.update({"NBA_DATABASE_URL": url, "NBA_FEED": "sandbox", "DAGSTER_HOME": str(home)})
    os.environ.pop("NBA_DAGSTER_DATABASE_URL", None)  # the instance lives beside the warehouse
    logging.getLogger("nba_assets").setLevel(logging.CRITICAL)  # retries are counted instead
    # The clients' backoff jitter (tenacity) draws from ``random``; a retry's wait moves the
    # simulated clock, and the instant is part of each fault draw, so seed it too: the same
    # seed then replays the same faults end to end.
    random.seed(args.seed)

    from nba_assets.definitions import defs as project_defs

    defs = dg.Definitions(
        assets=list(project_defs.assets or []),
        asset_checks=list(project_defs.asset_checks or []),
        jobs=list(project_defs.jobs or []),
        resources={
            "warehouse": WarehouseResource(database_url=url),
            "feeds": SoakFeeds(
                sandbox_fault_rate=args.fault_rate,
                sandbox_fault_seed=args.seed,
                sandbox_fault_kinds=args.kinds,
            ),
        },
    )
    checks = Checks()
    print(f"soak: {ticks} ticks from {start.isoformat()}, fault rate {args.fault_rate}, seed "
          f"{args.seed}, warehouse {DATABASE}", flush=True)  # fmt: skip
    started = time.perf_counter()
    try:
        with dg.DagsterInstance.get() as instance, simulated_clock(SIM.now):
            done = run_ticks(defs, instance, start, ticks, not args.no_ingest, checks, True)
        wall = time.perf_counter() - started
        summary = report(args, done, checks, audit(url, LEDGER.runs, LEDGER.league), wall)
        if args.json is not None:
            args.json.write_text(json.dumps(summary, indent=2, default=str) + "\n")
    finally:
        shutil.rmtree(home, ignore_errors=True)
        if not args.keep:
            scratch.drop(base, url)


if __name__ == "__main__":
    main()
