"""A 30-day backfill whose run process is SIGKILLed half way, then run again, ends with the
same warehouse as a backfill that never crashed.

Both sides are real ``dagster asset materialize --partition-range`` processes of the
project's code location, each with its own Dagster instance (PostgreSQL, through the
project's ``NbaInstanceStorage``) and its own fresh warehouse (``NBA_DATABASE_URL``). The
crashed side is killed with SIGKILL once the warehouse shows some slates of odds but not
all (detected by polling the database, not by waiting), then the same command runs again.

Compared row for row: every fact table the selection writes, ``markets``, ``quarantine``
and the reference rows the feeds register (books, players, provider ids). Left out, and
why (see ``nba_assets_tests.warehouse.table_contents``): ``ingested_at`` (the wall clock of
the writing transaction), ``run_id`` (the crashed side was written by two runs),
``model_predictions.inputs_known_at`` (the wall-clock instant the model read its inputs
as of), surrogate
ids (``book_id``, ``player_id``, ``quarantine_id``: compared through the natural keys they
stand for, since a killed transaction still consumes sequence values), ``first_seen_at``
of reference rows (registration wall clock) and ``feed_requests`` as a whole (a log of HTTP
calls: the crashed side really made more). The odds grid is 6-hourly and injuries are
replayed once a day so that 30 slates load in well under a minute per run on a quiet
machine; the code path is the one a 15-minute grid takes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import dagster as dg
import psycopg
import pytest

from nba_assets.warehouse.engine import libpq_url
from nba_assets_tests.defs.cli import materialize_argv
from nba_assets_tests.warehouse.pg_faults import POLL_SECONDS, database_of
from nba_assets_tests.warehouse.table_contents import contents, difference, redundant_rows

FIRST, LAST = "2023-11-01", "2023-11-30"
SLATES = 30
SELECTION = (
    "games",
    "injuries",
    "odds_snapshots",
    "player_stats",
    "game_results",
    "schedule_context",
    "team_stats",
    "model_predictions",
)
CONFIG = {
    "ops": {
        "odds_snapshots": {"config": {"odds_interval_minutes": 360}},
        "injuries": {"config": {"interval_hours": 24}},
    }
}
TABLES = (*SELECTION, "markets", "quarantine")
# Kill once this many slates of odds are in: well into the run, well before its end.
KILL_AT_SLATES = 8
RUN_SECONDS = 600

pytestmark = pytest.mark.slow


class Side:
    """One warehouse with its own Dagster instance, loaded by CLI runs of the backfill."""

    def __init__(self, pg_server, template_db: str, home: Path) -> None:
        self.url = pg_server.create(template=template_db)
        self.dagster_url = pg_server.create().replace("postgresql://", "postgresql+psycopg2://", 1)
        self.home = home
        home.mkdir()
        (home / "dagster.yaml").write_text(
            "storage:\n  custom:\n    module: nba_assets.defs.instance_storage\n"
            "    class: NbaInstanceStorage\n    config: {}\n"
            "telemetry:\n  enabled: false\n"
        )
        self.runs = 0
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        """The backfill as an operator starts it; output goes to files (a full pipe would
        stall the run)."""
        self.runs += 1
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("ODDS_API_KEY", "BALLDONTLIE_API_KEY", "NBA_EXECUTOR")
        }
        env.update(
            DAGSTER_HOME=str(self.home),
            NBA_DAGSTER_DATABASE_URL=self.dagster_url,
            NBA_DATABASE_URL=self.url,
            NBA_FEED="sandbox",
        )
        log = self.home / f"run{self.runs}.log"
        proc = subprocess.Popen(
            materialize_argv(
                ",".join(SELECTION), f"{FIRST}...{LAST}", "--config-json", json.dumps(CONFIG)
            ),
            # Not the repo root: the dagster CLI would load the developer's .env from there.
            cwd=self.home,
            env=env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.procs.append(proc)
        return proc

    def reap(self) -> None:
        """SIGKILL whatever of this side's runs still runs (a failed test leaves none)."""
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=60)

    def log_tail(self) -> str:
        return (self.home / f"run{self.runs}.log").read_text(errors="replace")[-3000:]

    def finish(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.wait(timeout=RUN_SECONDS) == 0, self.log_tail()

    def scalar(self, sql: str) -> int:
        with psycopg.connect(libpq_url(self.url)) as conn:
            row = conn.execute(sql).fetchone()
        assert row is not None
        return int(row[0])

    def odds_slates(self) -> int:
        return self.scalar("SELECT count(DISTINCT game_id / 100) FROM nba.odds_snapshots")

    def game_slates(self) -> int:
        """Slates with games (the range has a night off: Thanksgiving)."""
        return self.scalar("SELECT count(DISTINCT slate_date) FROM nba.games")


def _reference(url: str) -> dict[str, Counter[str]]:
    """Books, players and provider ids without their surrogate ids and registration times."""
    queries = {
        "books": "SELECT concat_ws('|', book_key, title, tier) FROM nba.books",
        "players": """SELECT concat_ws('|', p.first_name, p.last_name, p.position,
                        (SELECT string_agg(s.source || ':' || s.source_id, ',' ORDER BY s.source)
                         FROM nba.source_ids s
                         WHERE s.entity = 'player' AND s.internal_id = p.player_id))
                      FROM nba.players p""",
        "source_ids": """SELECT concat_ws('|', entity, source, source_id,
                           CASE WHEN entity = 'player' THEN NULL ELSE internal_id::text END)
                         FROM nba.source_ids""",
    }
    with psycopg.connect(libpq_url(url)) as conn:
        return {
            name: Counter(r for (r,) in conn.execute(sql).fetchall())
            for name, sql in queries.items()
        }


def _wait_until_idle(admin_url: str, url: str) -> None:
    """Wait (with a deadline) until the killed run's backends are gone: their open
    transactions are rolled back when they notice the client died."""
    deadline = time.monotonic() + 60
    with psycopg.connect(admin_url, autocommit=True) as admin:
        while admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (database_of(url),),
        ).fetchone() != (0,):
            assert time.monotonic() < deadline, "the killed run's backends did not go away"
            time.sleep(POLL_SECONDS)


def _by_slate(rows: Counter[str]) -> dict[int, Counter[str]]:
    slates: dict[int, Counter[str]] = {}
    for row, n in rows.items():
        slates.setdefault(json.loads(row)["game_id"] // 100, Counter())[row] += n
    return slates


def test_a_killed_backfill_resumed_equals_a_clean_backfill(
    pg_server, template_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    crashed = Side(pg_server, template_db, tmp_path / "crashed")
    clean = Side(pg_server, template_db, tmp_path / "clean")
    try:
        _crash_resume_and_compare(crashed, clean, pg_server.admin_url, monkeypatch)
    finally:
        crashed.reap()
        clean.reap()


def _crash_resume_and_compare(
    crashed: Side, clean: Side, admin_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean_run = clean.start()
    run = crashed.start()
    deadline = time.monotonic() + RUN_SECONDS
    while crashed.odds_slates() < KILL_AT_SLATES:
        assert run.poll() is None, f"the run ended before it was killed:\n{crashed.log_tail()}"
        assert time.monotonic() < deadline, crashed.log_tail()
        time.sleep(POLL_SECONDS)
    os.killpg(run.pid, signal.SIGKILL)
    assert run.wait(timeout=60) == -signal.SIGKILL
    _wait_until_idle(admin_url, crashed.url)

    # Some of the work is in, not all of it, and nothing is half-written or doubled.
    partial_slates = crashed.odds_slates()
    assert KILL_AT_SLATES <= partial_slates < crashed.game_slates()
    assert crashed.scalar("SELECT count(*) FROM nba.model_predictions") == 0
    for table in SELECTION:
        assert redundant_rows(crashed.url, table) == 0, table
    partial = {t: contents(crashed.url, t) for t in ("odds_snapshots", "markets")}

    crashed.finish(crashed.start())
    clean.finish(clean_run)

    # Each slate the killed run had written is whole: exactly the clean run's rows.
    for table, rows in partial.items():
        finished = _by_slate(contents(clean.url, table))
        for slate, slate_rows in _by_slate(rows).items():
            assert slate_rows == finished[slate], f"{table} {slate}"

    for table in TABLES:
        if table != "quarantine":
            assert redundant_rows(crashed.url, table) == 0, table
        resumed, uninterrupted = contents(crashed.url, table), contents(clean.url, table)
        assert resumed == uninterrupted, f"{table}: {difference(resumed, uninterrupted)}"
    assert crashed.odds_slates() == clean.odds_slates() == clean.game_slates() > SLATES - 3
    assert _reference(crashed.url) == _reference(clean.url)

    # The instance knows the backfill is done: every asset has all 30 partitions, the
    # killed run never finished and the resumed one did.
    monkeypatch.setenv("NBA_DAGSTER_DATABASE_URL", crashed.dagster_url)
    with dg.DagsterInstance.from_config(str(crashed.home)) as instance:
        statuses = sorted(r.status.value for r in instance.get_runs())
        assert statuses == ["STARTED", "SUCCESS"]
        for asset in SELECTION:
            assert len(instance.get_materialized_partitions(dg.AssetKey(asset))) == SLATES, asset
