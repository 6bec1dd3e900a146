"""Scratch databases for the benchmarks, on the warehouse's server.

The server is the embedded one or ``NBA_DATABASE_URL``'s; each benchmark gets databases of
its own there, so nothing it measures shares tables with anything else.
"""

from __future__ import annotations

import uuid

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from nba_assets.warehouse.engine import warehouse_url


def server_url() -> str:
    return warehouse_url()


def on_database(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` instead."""
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def create(base: str, name: str | None = None) -> str:
    """A new empty database (``name``, replacing one left by an earlier run, or a fresh
    random name) on ``base``'s server; returns its URL."""
    name = name or f"nba_bench_{uuid.uuid4().hex[:8]}"
    drop(base, on_database(base, name))
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return on_database(base, name)


def drop(base: str, url: str) -> None:
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(make_url(url).database)
            )
        )
