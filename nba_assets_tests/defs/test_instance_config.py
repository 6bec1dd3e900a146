"""The project's own ``dagster.yaml``: an instance on PostgreSQL, queued, retried, quiet."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import psycopg
import pytest
from dagster._core.run_coordinator import QueuedRunCoordinator
from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage
from sqlalchemy.engine import make_url

from nba_assets.defs.instance_storage import NbaInstanceStorage

PROJECT_DAGSTER_YAML = Path(__file__).resolve().parents[2] / "dagster.yaml"
FEEDS = ("odds_api", "balldontlie")


@pytest.fixture
def project_home(tmp_path: Path) -> Path:
    """A DAGSTER_HOME holding a byte-for-byte copy of the project's dagster.yaml."""
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copyfile(PROJECT_DAGSTER_YAML, home / "dagster.yaml")
    return home


def _storage_engines(instance: dg.DagsterInstance) -> dict[str, object]:
    return {
        "runs": instance.run_storage,
        "events": instance.event_log_storage,
        "schedules": instance.schedule_storage,
    }


@dg.asset
def instance_probe() -> int:
    return 1


def test_the_project_instance_keeps_runs_in_postgres_queued_retried_and_quiet(
    pg_server, project_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dagster_db = pg_server.create()
    monkeypatch.setenv("NBA_DAGSTER_DATABASE_URL", dagster_db)
    monkeypatch.delenv("NBA_DATABASE_URL", raising=False)
    database = make_url(dagster_db).database

    with dg.DagsterInstance.from_config(str(project_home)) as instance:
        storage_class = instance.get_ref().storage_data
        assert (storage_class.module_name, storage_class.class_name) == (
            NbaInstanceStorage.__module__,
            NbaInstanceStorage.__name__,
        )
        storages = _storage_engines(instance)
        assert isinstance(storages["runs"], PostgresRunStorage)
        assert isinstance(storages["events"], PostgresEventLogStorage)
        assert isinstance(storages["schedules"], PostgresScheduleStorage)
        for kind, storage in storages.items():
            engine = storage._engine
            assert (engine.dialect.name, engine.dialect.driver) == ("postgresql", "psycopg2"), kind
            assert engine.url.database == database, kind

        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None
        limits = {
            (limit["key"], limit.get("value")): limit["limit"]
            for limit in queue.tag_concurrency_limits
        }
        for feed in FEEDS:
            assert limits.get(("nba/feed", feed)) == 1, feed

        assert instance.run_retries_enabled
        assert instance.run_retries_max_retries >= 1
        assert instance.telemetry_enabled is False

        result = dg.materialize([instance_probe], instance=instance)
        assert result.success
        run_id = result.run_id
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS

    # The run, its events and the schedule tables are rows in that very database.
    with psycopg.connect(dagster_db) as conn:
        runs = conn.execute("SELECT run_id, status FROM runs").fetchall()
        assert runs == [(run_id, "SUCCESS")]
        events = conn.execute(
            "SELECT count(*) FROM event_logs WHERE run_id = %s", (run_id,)
        ).fetchone()[0]
        assert events > 0
        materialized = conn.execute(
            "SELECT count(*) FROM event_logs WHERE run_id = %s"
            " AND dagster_event_type = 'ASSET_MATERIALIZATION'",
            (run_id,),
        ).fetchone()[0]
        assert materialized == 1
        tables = {
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        }
    assert {"runs", "event_logs", "instigators", "job_ticks"} <= tables


def test_without_a_dagster_url_the_instance_lives_beside_the_warehouse(
    pg_server, project_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    warehouse = pg_server.create()
    monkeypatch.setenv("NBA_DATABASE_URL", warehouse)
    monkeypatch.delenv("NBA_DAGSTER_DATABASE_URL", raising=False)
    expected = make_url(warehouse)

    with dg.DagsterInstance.from_config(str(project_home)) as instance:
        for kind, storage in _storage_engines(instance).items():
            url = storage._engine.url
            assert url.drivername == "postgresql+psycopg2", kind
            assert (url.host, url.port, url.database) == (
                expected.host,
                expected.port,
                expected.database,
            ), kind

    with psycopg.connect(warehouse) as conn:
        assert conn.execute("SELECT to_regclass('public.runs') IS NOT NULL").fetchone() == (True,)
