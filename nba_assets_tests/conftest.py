"""Test databases on a real PostgreSQL.

When a server answers at 127.0.0.1:5432 (as on CI machines here) the suite creates its own
databases there and drops them at the end; otherwise it uses the embedded server under
NBA_HOME. A migrated template database makes a fresh, empty warehouse per test cheap.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine

from nba_assets.warehouse import migrate
from nba_assets.warehouse.engine import engine_for

LOCAL_SERVER = ("127.0.0.1", 5432)
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _local_server_answers() -> bool:
    try:
        with socket.create_connection(LOCAL_SERVER, timeout=0.5):
            return True
    except OSError:
        return False


def _admin_url() -> str:
    if os.environ.get("NBA_TEST_ADMIN_URL"):
        return os.environ["NBA_TEST_ADMIN_URL"]
    # NBA_TEST_SERVER=embedded runs the suite as on a machine with no PostgreSQL at all.
    if os.environ.get("NBA_TEST_SERVER") != "embedded" and _local_server_answers():
        return "postgresql://postgres@127.0.0.1:5432/postgres"
    from nba_assets.settings import nba_home
    from nba_assets.warehouse.embedded import server_url

    return server_url(nba_home(), "postgres")


def _with_database(url: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(database=database).render_as_string(hide_password=False)


class TestServer:
    """Creates and drops databases on the test server."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def create(self, template: str | None = None) -> str:
        name = f"nba_test_{uuid.uuid4().hex[:12]}"
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            stmt = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(stmt)
        self.created.append(name)
        return _with_database(self.admin_url, name)

    def drop(self, url: str) -> None:
        """Drop one database now, closing whatever connections still point at it.

        Engines are cached per URL (the asset layer keeps an owner and a writer engine per
        warehouse), so a test's pooled connections would otherwise outlive it and a long
        session would run the server out of connection slots.
        """
        name = url.rsplit("/", 1)[1].split("?", 1)[0]
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def drop_all(self) -> None:
        engine_for.cache_clear()
        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            for name in reversed(self.created):
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )


@pytest.fixture(scope="session")
def pg_server() -> Iterator[TestServer]:
    server = TestServer(_admin_url())
    yield server
    server.drop_all()


@pytest.fixture(scope="session")
def template_db(pg_server: TestServer) -> str:
    """A migrated, otherwise empty warehouse that fresh databases are cloned from."""
    url = pg_server.create()
    engine = engine_for(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url.rsplit("/", 1)[1].split("?", 1)[0]


@pytest.fixture(scope="session")
def warehouse_url(pg_server: TestServer, template_db: str) -> Iterator[str]:
    """One migrated warehouse shared by the session, exported as NBA_DATABASE_URL."""
    url = pg_server.create(template=template_db)
    previous = os.environ.get("NBA_DATABASE_URL")
    os.environ["NBA_DATABASE_URL"] = url
    yield url
    if previous is None:
        os.environ.pop("NBA_DATABASE_URL", None)
    else:
        os.environ["NBA_DATABASE_URL"] = previous


@pytest.fixture
def fresh_url(pg_server: TestServer, template_db: str) -> Iterator[str]:
    """An empty migrated warehouse of this test's own, dropped when the test ends."""
    url = pg_server.create(template=template_db)
    yield url
    pg_server.drop(url)


@pytest.fixture
def fresh_engine(fresh_url: str) -> Iterator[Engine]:
    engine = engine_for(fresh_url)
    yield engine
    engine.dispose()


@pytest.fixture
def empty_db_url(pg_server: TestServer) -> str:
    """A database with nothing in it, for migration tests."""
    return pg_server.create()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"../shared is absent ({SHARED}); real-data tests need it")
    return SHARED


@pytest.fixture
def dagster_instance(pg_server: TestServer):
    """A Dagster instance whose runs, events and schedules live in PostgreSQL."""
    import dagster as dg

    url = pg_server.create().replace("postgresql://", "postgresql+psycopg2://", 1)
    with dg.instance_for_test(
        overrides={"storage": {"postgres": {"postgres_url": url}}}
    ) as instance:
        yield instance
