"""The production profile for real: a week's backfill on two Celery workers.

``deploy/celery/`` is exercised as an operator would run it: its ``dagster.yaml`` as the
instance (on PostgreSQL), two ``celery worker`` processes on a queue of this test's own,
and ``dagster asset materialize`` with ``NBA_EXECUTOR=celery`` from a clean folder. The
same command with the in-process executor fills a second fresh warehouse; both must hold
the same rows, and the run's own event log must show every step executed in a worker
process, not in the run's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster._core.system_config.objects import ResolvedRunConfig
from psycopg import sql

from nba_assets.definitions import defs
from nba_assets.defs.executors import celery_worker_app, executor_from_env
from nba_assets.warehouse.engine import libpq_url
from nba_assets_tests.defs.celery_workers import (
    CANDIDATES,
    Broker,
    celery_workers,
    executed_tasks,
    reachable,
)
from nba_assets_tests.defs.cli import materialize_argv

ROOT = Path(__file__).resolve().parents[2]
PROFILE = ROOT / "deploy" / "celery" / "dagster.yaml"
START, DAYS = date(2023, 11, 1), 7
END = START + timedelta(days=DAYS - 1)
RUN_SECONDS = 600

# Columns that legitimately differ between two correct runs of the same week; every other
# column of every table in schema ``nba`` (reference tables included) must match row for row.
#  - ``ingested_at``, ``run_id`` (every fact table): knowledge time, the transaction's
#    now(), and the Dagster run that wrote the row. Two runs, two instants, two ids.
#  - ``first_seen_at`` (books, players, source_ids): the now() at which a reference row
#    first arrived: knowledge time again. Their ids (book_id, player_id) are compared.
#  - ``model_predictions.inputs_known_at``: the knowledge-time bound the model read its
#    inputs at, which is the step's clock.
#  - ``grades.graded_at``, ``calibration_metrics.computed_at``,
#    ``quality_scores.computed_at``: when the step settled or computed the row (its
#    clock); the content they describe is compared.
#  - ``feed_requests.requested_at``, ``latency_ms``: the measured instant and duration of
#    each HTTP call.
#  - ``feed_requests.request_id``, ``quarantine.quarantine_id``: identity numbers in commit
#    order; steps running at once on two workers may commit in either order.
LINEAGE = frozenset({"ingested_at", "run_id"})
IGNORED: dict[str, frozenset[str]] = {
    "books": frozenset({"first_seen_at"}),
    "players": frozenset({"first_seen_at"}),
    "source_ids": frozenset({"first_seen_at"}),
    "model_predictions": LINEAGE | {"inputs_known_at"},
    "grades": LINEAGE | {"graded_at"},
    "calibration_metrics": LINEAGE | {"computed_at"},
    "quality_scores": LINEAGE | {"computed_at"},
    "feed_requests": LINEAGE | {"request_id", "requested_at", "latency_ms"},
    "quarantine": LINEAGE | {"quarantine_id"},
}


@pytest.fixture
def broker() -> Broker:
    """The first broker that answers (Redis, then RabbitMQ); skip when none does.

    ``NBA_TEST_CELERY_BROKER=redis|rabbitmq`` pins one, to exercise the other path.
    """
    wanted = os.environ.get("NBA_TEST_CELERY_BROKER")
    candidates = [c for c in CANDIDATES if wanted in (None, "", c.kind)]
    assert candidates, f"NBA_TEST_CELERY_BROKER={wanted!r}: not one of redis, rabbitmq"
    reasons = []
    for candidate in candidates:
        why_not = reachable(candidate)
        if why_not is None:
            return candidate
        reasons.append(why_not)
    pytest.skip("no Celery broker: " + "; ".join(reasons))


def test_steps_run_in_process_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NBA_EXECUTOR", raising=False)
    assert executor_from_env() is dg.in_process_executor
    monkeypatch.setenv("NBA_EXECUTOR", "in_process")
    assert executor_from_env() is dg.in_process_executor


def test_an_unknown_executor_fails_naming_the_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NBA_EXECUTOR", "dask")
    with pytest.raises(ValueError, match=r"NBA_EXECUTOR='dask' is not one of: in_process, celery"):
        executor_from_env()


def test_the_celery_executor_and_its_workers_read_one_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    broker = "redis://:s3cret@broker.internal:6379/4"
    monkeypatch.setenv("NBA_EXECUTOR", "celery")
    monkeypatch.setenv("NBA_CELERY_BROKER_URL", broker)
    monkeypatch.setenv("NBA_CELERY_BACKEND_URL", "redis://broker.internal:6379/5")
    monkeypatch.setenv("NBA_CELERY_QUEUE", "nba-prod")
    executor = executor_from_env()
    assert executor.name == "nba_celery"

    @dg.asset
    def probe() -> None: ...

    job = dg.Definitions(assets=[probe], executor=executor).resolve_implicit_global_asset_job_def()
    # The run's view of the executor config, resolved the way a run resolves it.
    config = ResolvedRunConfig.build(job, {}).execution.execution_engine_config
    assert config["broker"] == broker
    assert config["backend"] == "redis://broker.internal:6379/5"
    assert config["config_source"]["task_default_queue"] == "nba-prod"
    assert config["retries"] == {"enabled": {}}

    app = celery_worker_app()
    assert (app.conf.broker_url, app.conf.result_backend, app.conf.task_default_queue) == (
        broker,
        "redis://broker.internal:6379/5",
        "nba-prod",
    )
    assert "execute_plan" in app.tasks  # dagster-celery's step task, by its registered name


def test_without_celery_settings_both_ends_use_local_redis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("NBA_CELERY_BROKER_URL", "NBA_CELERY_BACKEND_URL", "NBA_CELERY_QUEUE"):
        monkeypatch.delenv(name, raising=False)
    app = celery_worker_app()
    assert (app.conf.broker_url, app.conf.result_backend, app.conf.task_default_queue) == (
        "redis://127.0.0.1:6379/0",
        "redis://127.0.0.1:6379/1",
        "dagster",
    )


def _dagster_home(parent: Path, name: str) -> Path:
    """A DAGSTER_HOME holding the profile's own dagster.yaml, byte for byte."""
    home = parent / name
    home.mkdir()
    shutil.copyfile(PROFILE, home / "dagster.yaml")
    return home


def _env(*, home: Path, warehouse: str, dagster_db: str, executor: str, **extra: str) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        # Sandbox feeds whatever the developer's shell holds; no stray NBA_* settings.
        if not key.startswith(("NBA_", "ODDS_API_", "BALLDONTLIE_", "DAGSTER_"))
    }
    env.update(
        DAGSTER_HOME=str(home),
        NBA_DATABASE_URL=warehouse,
        NBA_DAGSTER_DATABASE_URL=dagster_db,
        NBA_EXECUTOR=executor,
        NBA_FEED="sandbox",
        **extra,
    )
    return env


@contextmanager
def _backfill(env: dict, cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """The README's backfill command (every asset, the whole week, one run), killed on exit
    if still running, so a failing test leaves no run behind."""
    process = subprocess.Popen(
        materialize_argv("*", f"{START.isoformat()}...{END.isoformat()}"),
        # Not the repo root: the dagster CLI would load the developer's .env from there.
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _finish(process: subprocess.Popen[str], what: str) -> None:
    try:
        output, _ = process.communicate(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"{what} did not finish in {RUN_SECONDS} s") from exc
    assert process.returncode == 0, f"{what} failed:\n{output[-4000:]}"


def _tables(url: str) -> dict[str, list[str]]:
    """Every table of schema ``nba`` (partitioned parents, not their partitions) and its
    columns."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            """SELECT c.relname, a.attname
               FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
               JOIN pg_attribute a ON a.attrelid = c.oid
               WHERE n.nspname = 'nba' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                 AND a.attnum > 0 AND NOT a.attisdropped
               ORDER BY c.relname, a.attnum"""
        ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def _compared(table: str, columns: list[str]) -> list[str]:
    ignored = IGNORED.get(table, LINEAGE & set(columns))
    # A stale entry would hide nothing and mislead the reader: every ignored column exists.
    assert ignored <= set(columns), (table, ignored - set(columns))
    return [c for c in columns if c not in ignored]


def _rows(url: str, table: str, columns: list[str]) -> Counter[str]:
    """The table's rows over ``columns`` as PostgreSQL renders them, as a multiset.

    Text is PostgreSQL's own exact rendering (floats print round-trip exact), so equal
    strings are equal values, and NULLs, arrays and JSON compare without Python coercion.
    """
    query = sql.SQL("SELECT ROW({})::text FROM nba.{}").format(
        sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(table)
    )
    with psycopg.connect(url) as conn:
        return Counter(r[0] for r in conn.execute(query))


def _differences(left: str, right: str) -> dict[str, str]:
    """Tables whose compared rows differ, each with the first differing columns and rows."""
    tables = _tables(left)
    assert tables == _tables(right)
    found: dict[str, str] = {}
    for table, columns in tables.items():
        compared = _compared(table, columns)
        a, b = _rows(left, table, compared), _rows(right, table, compared)
        if a == b:
            continue
        culprits = [c for c in compared if _rows(left, table, [c]) != _rows(right, table, [c])]
        only_left = list((a - b).elements())[:3]
        only_right = list((b - a).elements())[:3]
        found[table] = (
            f"{sum(a.values())} vs {sum(b.values())} rows; columns differing: {culprits}; "
            f"celery only: {only_left}; in-process only: {only_right}"
        )
    return found


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            sql.SQL("SELECT count(*) FROM nba.{}").format(sql.Identifier(table))
        ).fetchone()[0]


def _psycopg2(url: str) -> str:
    return libpq_url(url).replace("postgresql://", "postgresql+psycopg2://", 1)


def _placement(events: list[dg.DagsterEvent]) -> tuple[dict[str, set[str]], dict[str, int], int]:
    """Where each step ran, from the run's own event log.

    dagster-celery's task reports an engine event "Executing steps … in celery worker"
    naming the worker (``Celery worker``) before it runs the step; every event carries the
    pid of the process that emitted it.
    """
    by_worker: dict[str, set[str]] = {}
    step_pids: dict[str, int] = {}
    run_pid = -1
    for event in events:
        if event.event_type == dg.DagsterEventType.RUN_START:
            run_pid = event.pid
        elif event.event_type == dg.DagsterEventType.STEP_START:
            step_pids[event.step_key] = event.pid
        elif event.event_type == dg.DagsterEventType.ENGINE_EVENT and "in celery worker" in (
            event.message or ""
        ):
            worker = event.engine_event_data.metadata["Celery worker"].value
            by_worker.setdefault(worker, set()).add(event.step_key)
    return by_worker, step_pids, run_pid


@pytest.mark.slow
def test_a_week_on_two_celery_workers_matches_the_in_process_run(
    pg_server, template_db, tmp_path: Path, broker: Broker, monkeypatch: pytest.MonkeyPatch
) -> None:
    celery_warehouse = pg_server.create(template=template_db)
    local_warehouse = pg_server.create(template=template_db)
    celery_dagster = _psycopg2(pg_server.create())
    celery_home = _dagster_home(tmp_path, "celery_home")
    # A queue of this test's own: parallel test runs on the same broker never share tasks.
    queue = f"nba-test-{uuid.uuid4().hex[:12]}"
    celery_env = _env(
        home=celery_home,
        warehouse=celery_warehouse,
        dagster_db=celery_dagster,
        executor="celery",
        NBA_CELERY_BROKER_URL=broker.broker_url,
        NBA_CELERY_BACKEND_URL=broker.backend_url,
        NBA_CELERY_QUEUE=queue,
    )
    local_env = _env(
        home=_dagster_home(tmp_path, "local_home"),
        warehouse=local_warehouse,
        dagster_db=_psycopg2(pg_server.create()),
        executor="in_process",
    )
    cwd = tmp_path / "cwd"
    cwd.mkdir()

    # The in-process run goes alongside: the Celery run spends much of its time handing
    # steps over, and the two share nothing but the PostgreSQL server.
    with (
        _backfill(local_env, cwd) as local,
        celery_workers(
            2, broker=broker, queue=queue, env=celery_env, cwd=cwd, log_dir=tmp_path
        ) as workers,
    ):
        with _backfill(celery_env, cwd) as remote:
            _finish(remote, "the Celery backfill")
        executed = executed_tasks(workers, broker)
        _finish(local, "the in-process backfill")

    monkeypatch.setenv("NBA_DAGSTER_DATABASE_URL", celery_dagster)
    with dg.DagsterInstance.from_config(str(celery_home)) as instance:
        [run] = instance.get_runs()
        assert run.status == dg.DagsterRunStatus.SUCCESS
        assert run.tags["dagster/asset_partition_range_start"] == START.isoformat()
        assert run.tags["dagster/asset_partition_range_end"] == END.isoformat()
        events = [e.dagster_event for e in instance.all_logs(run.run_id) if e.dagster_event]

    # Every step of the asset job ran on one of the two workers, in a pool process of that
    # worker (not in the run's process), and each worker took some of them.
    steps = set(defs.resolve_implicit_global_asset_job_def().graph.node_dict)
    by_worker, step_pids, run_pid = _placement(events)
    logs = {w.name: w.log_tail() for w in workers}
    assert set(by_worker) == {w.name for w in workers}, (by_worker, logs)
    assert set().union(*by_worker.values()) == steps
    assert sum(map(len, by_worker.values())) == len(steps)  # each step once
    assert set(step_pids) == steps
    pool_pids = {pid for w in workers for pid in w.pool_pids}
    assert run_pid > 0 and run_pid not in pool_pids
    assert set(step_pids.values()) <= pool_pids, (step_pids, pool_pids)
    succeeded = {e.step_key for e in events if e.event_type == dg.DagsterEventType.STEP_SUCCESS}
    assert succeeded == steps
    # The workers' own counters agree: one execute_plan task per step they were named for.
    assert {name: tasks.get("execute_plan", 0) for name, tasks in executed.items()} == {
        name: len(keys) for name, keys in by_worker.items()
    }

    # Same rows in every table, the lineage and clock columns listed in IGNORED aside; the
    # comparison is not vacuous: every asset's table was filled.
    assert all(_count(celery_warehouse, step) > 0 for step in steps)
    assert _differences(celery_warehouse, local_warehouse) == {}
