"""The warehouse connection: ``NBA_DATABASE_URL`` when set, else the embedded server."""

from __future__ import annotations

import os
from functools import cache

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from nba_assets.settings import nba_home
from nba_assets.warehouse import embedded


def warehouse_url() -> str:
    """The effective libpq-style URL (``postgresql://…``), usable by psql and psycopg.

    With SQLAlchemy 2.1 the bare ``postgresql://`` scheme selects psycopg 3, so the same
    string is also the SQLAlchemy URL.
    """
    configured = os.environ.get("NBA_DATABASE_URL")
    if configured:
        return libpq_url(configured)
    return embedded.server_url(nba_home(), embedded.WAREHOUSE_DB)


def dagster_storage_url() -> str:
    """The URL dagster-postgres should use: same server, its own database.

    dagster-postgres issues ``NOTIFY run_events, :id``, which psycopg 3 cannot bind, so the
    instance must use psycopg2 (DAGSTER-NOTES B.5).
    """
    configured = os.environ.get("NBA_DAGSTER_DATABASE_URL")
    if configured:
        base = libpq_url(configured)
    elif os.environ.get("NBA_DATABASE_URL"):
        base = libpq_url(os.environ["NBA_DATABASE_URL"])
    else:
        base = embedded.server_url(nba_home(), embedded.DAGSTER_DB)
    return base.replace("postgresql://", "postgresql+psycopg2://", 1)


def libpq_url(url: str) -> str:
    """Drop any SQLAlchemy driver suffix (``+psycopg2``) so libpq tools accept the URL."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"NBA_DATABASE_URL must point at PostgreSQL, not {parsed.drivername}")
    return parsed.set(drivername="postgresql").render_as_string(hide_password=False)


def redacted(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


# Appends stage rows in a temporary table; PostgreSQL's default of 8 MB of temp buffers
# spills a large batch to disk. The setting must precede a session's first temp table.
TEMP_BUFFERS = "256MB"


@cache
def engine_for(url: str) -> Engine:
    engine = create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1),
        pool_pre_ping=True,
        pool_size=5,
        max_overflow=5,
    )

    @event.listens_for(engine, "connect")
    def _session_settings(dbapi_connection, _record) -> None:
        with dbapi_connection.cursor() as cur:
            cur.execute(f"SET temp_buffers = '{TEMP_BUFFERS}'")
        dbapi_connection.commit()

    return engine


def get_engine() -> Engine:
    return engine_for(warehouse_url())
