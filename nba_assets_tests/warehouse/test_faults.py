"""The warehouse connection killed in the middle of an append, on the real PostgreSQL.

The append stages its rows and reaches its INSERT while a second session holds a SHARE lock
on the table, so the INSERT waits with the batch staged in an open transaction. An admin
session finds that backend in ``pg_stat_activity`` and kills it with
``pg_terminate_backend``, as an operator, a failover or the OOM killer would. The batch
must be all or nothing (here: nothing), the error must say what happened, and a retry must
land the batch exactly once. The same is then done to an ingest asset while it runs.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import pandas as pd
import pytest
import sqlalchemy.exc
from sqlalchemy import Engine, text

from nba_assets.defs.assets import ingest
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.warehouse.append import AppendResult, append_idempotent
from nba_assets.warehouse.tables import fact_table
from nba_assets_tests.warehouse.pg_faults import (
    TableLock,
    database_of,
    terminate,
    wait_for_blocked_insert,
)
from nba_assets_tests.warehouse.table_contents import contents, difference, redundant_rows

T0 = datetime(2023, 11, 1, 15, 0, tzinfo=UTC)
SLATE = date(2023, 11, 1)
KILLED = "terminating connection due to administrator command"


def _odds(games: int = 6, snapshots: int = 20) -> pd.DataFrame:
    """Both sides of a totals market at three books, on a 15-minute grid."""
    return pd.DataFrame(
        [
            {
                "snapshot_time": T0 + timedelta(minutes=15 * n),
                "game_id": 2023110100 + home,
                "book_id": book,
                "market": "totals",
                "outcome": outcome,
                "point": 224.5,
                "price_decimal": 1.91,
                "price_american": -110,
                "price_format": "decimal",
            }
            for home in range(1, games + 1)
            for n in range(snapshots)
            for book in (1, 2, 3)
            for outcome in ("over", "under")
        ]
    )


def _games(changing: bool = False) -> pd.DataFrame:
    """One row per game; with ``changing``, each game is seen scheduled on two polls and
    then in progress, as a historical odds grid that runs past a tip-off sees it."""
    rows = []
    for home in range(1, 11):
        game = {
            "game_id": 2023110100 + home,
            "slate_date": SLATE,
            "season": 2023,
            "home_team_id": home,
            "away_team_id": home + 10,
            "commence_time": T0 + timedelta(hours=8),
            "status": "scheduled",
            "observed_at": T0,
        }
        rows.append(game)
        if changing:
            rows.append({**game, "observed_at": T0 + timedelta(minutes=15)})
            rows.append(
                {**game, "status": "in_progress", "observed_at": T0 + timedelta(hours=8, minutes=5)}
            )
    return pd.DataFrame(rows)


FRAMES = {"odds_snapshots": _odds, "games": _games}


def _count(engine: Engine, sql: str, **params: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(sql), params).scalar_one())


def _create_odds_partitions(engine: Engine, *months: datetime) -> None:
    """Create the months' partitions of ``odds_snapshots`` up front, as an earlier batch of
    the month would have: creating one takes a lock the test's SHARE lock would block, and
    the fault under test is at the INSERT, not at partition creation."""
    with engine.begin() as conn:
        for month in months:
            conn.execute(text("SELECT nba.ensure_odds_partition(:at)"), {"at": month})


def _distinct_keys(engine: Engine, table: str) -> int:
    key = ", ".join(fact_table(table).key)
    return _count(engine, f"SELECT count(DISTINCT ({key})) FROM nba.{table}")


@pytest.mark.parametrize("table", sorted(FRAMES))
def test_an_append_killed_at_its_insert_leaves_nothing_and_its_retry_lands_once(
    table: str, fresh_url: str, fresh_engine: Engine, pg_server
) -> None:
    frame = FRAMES[table]()
    _create_odds_partitions(fresh_engine, T0)
    killed_run, retry_run = uuid.uuid4(), uuid.uuid4()
    # The lock is entered last so it is released first: the pool's exit waits for the append.
    with ThreadPoolExecutor(1) as pool, TableLock(fresh_url, f"nba.{table}") as lock:
        future: Future[AppendResult] = pool.submit(
            append_idempotent, fresh_engine, table, frame, run_id=killed_run, source="fault"
        )
        pid = wait_for_blocked_insert(
            pg_server.admin_url,
            database_of(fresh_url),
            f"nba.{table}",
            lock.pid,
            still_running=lambda: not future.done(),
        )
        terminate(pg_server.admin_url, pid)
        error = future.exception(timeout=60)
        # Nothing of the killed batch is visible, even to the session that blocked it.
        assert lock.count(f"SELECT count(*) FROM nba.{table}") == 0

    # The error names the cause, and SQLAlchemy dropped the dead connection from its pool.
    assert isinstance(error, sqlalchemy.exc.OperationalError), repr(error)
    assert KILLED in str(error)
    assert error.connection_invalidated
    assert _count(fresh_engine, f"SELECT count(*) FROM nba.{table}") == 0

    # The same engine retries (its pool must not hand out the dead connection).
    retried = append_idempotent(fresh_engine, table, frame, run_id=retry_run, source="fault")
    assert retried.inserted == len(frame)
    total = _count(fresh_engine, f"SELECT count(*) FROM nba.{table}")
    assert total == _distinct_keys(fresh_engine, table) == len(frame)
    assert _count(
        fresh_engine, f"SELECT count(*) FROM nba.{table} WHERE run_id = :r", r=str(retry_run)
    ) == len(frame)


@pytest.mark.parametrize(
    ("table", "changing"),
    [("odds_snapshots", False), ("games", False), ("games", True)],
    ids=["odds", "games", "games-changing-within-the-batch"],
)
def test_retrying_an_append_whose_commit_was_not_acknowledged_adds_nothing(
    table: str, changing: bool, fresh_engine: Engine
) -> None:
    """A connection lost at COMMIT leaves the client unsure whether the batch landed, so
    it retries; when the batch had landed, the retry must add nothing.

    The first append here commits and its acknowledgement is taken as lost (PostgreSQL
    gives a test no way to kill a backend between its commit and its reply).
    """
    frame = _odds() if table == "odds_snapshots" else _games(changing)
    first = append_idempotent(fresh_engine, table, frame, run_id=uuid.uuid4(), source="fault")
    before = _count(fresh_engine, f"SELECT count(*) FROM nba.{table}")
    assert first.inserted == before > 0
    retried = append_idempotent(fresh_engine, table, frame, run_id=uuid.uuid4(), source="fault")
    assert retried.inserted == 0
    assert _count(fresh_engine, f"SELECT count(*) FROM nba.{table}") == before


# -- the same fault under a running ingest asset ------------------------------------------


def _materialize(url: str) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [ingest.games, ingest.odds_snapshots],
        partition_key=SLATE.isoformat(),
        resources={"warehouse": WarehouseResource(database_url=url), "feeds": FeedsResource()},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


@pytest.fixture
def clean_load(pg_server, template_db) -> Iterator[str]:
    """The same slate loaded with nothing going wrong, on a database of its own."""
    url = pg_server.create(template=template_db)
    assert _materialize(url).success
    yield url


ODDS_TABLES = ("odds_snapshots", "markets", "games")


def test_an_odds_ingest_killed_mid_append_is_all_or_nothing_and_its_retry_lands_once(
    fresh_url: str, fresh_engine: Engine, pg_server, clean_load: str
) -> None:
    """``odds_snapshots`` for one sandbox slate, its backend killed at the slate's INSERT.

    The asset's step retry runs the slate again and waits at the same lock: at that moment
    the killed attempt must have left nothing of the slate (no odds, no markets, no games
    seen by the odds feed). Released, the retry completes; the tables then equal a clean
    load's, and a re-run adds nothing.
    """
    admin, database = pg_server.admin_url, database_of(fresh_url)
    # The slate's grid opens the day before: October's and November's partitions.
    _create_odds_partitions(fresh_engine, T0 - timedelta(days=1), T0)
    with ThreadPoolExecutor(1) as pool, TableLock(fresh_url, "nba.odds_snapshots") as lock:
        future = pool.submit(_materialize, fresh_url)
        running = lambda: not future.done()  # noqa: E731
        killed = wait_for_blocked_insert(
            admin, database, "nba.odds_snapshots", lock.pid, still_running=running
        )
        terminate(admin, killed)
        retry = wait_for_blocked_insert(
            admin, database, "nba.odds_snapshots", lock.pid, ignore={killed}, still_running=running
        )
        assert retry != killed
        assert lock.count("SELECT count(*) FROM nba.odds_snapshots") == 0
        assert lock.count("SELECT count(*) FROM nba.markets") == 0
        assert lock.count("SELECT count(*) FROM nba.games WHERE source = 'sandbox_odds_api'") == 0
        assert lock.count("SELECT count(*) FROM nba.games WHERE source = 'sandbox_balldontlie'") > 0
        lock.release()
        result = future.result(timeout=600)

    assert result.success
    retried = [
        e
        for e in result.all_events
        if e.event_type_value == "STEP_UP_FOR_RETRY" and e.step_key == "odds_snapshots"
    ]
    assert len(retried) == 1
    # The step failed on the killed connection and said so (in the error's cause chain).
    assert KILLED in retried[0].event_specific_data.error.to_string()
    for table in ODDS_TABLES:
        assert redundant_rows(fresh_url, table) == 0, table
        mine, clean = contents(fresh_url, table), contents(clean_load, table)
        assert mine == clean, f"{table}: {difference(mine, clean)}"

    counts = {t: _count(fresh_engine, f"SELECT count(*) FROM nba.{t}") for t in ODDS_TABLES}
    again = _materialize(fresh_url)
    assert again.success
    assert {t: _count(fresh_engine, f"SELECT count(*) FROM nba.{t}") for t in ODDS_TABLES} == (
        counts
    )
