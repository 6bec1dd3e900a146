"""The embedded PostgreSQL server used when ``NBA_DATABASE_URL`` is unset.

Kept behind this one module so the implementation (the ``pgserver`` package today) can be
swapped. The server listens on a Unix socket inside ``NBA_HOME`` and is left running when
the process that started it exits, so the webserver, the daemon, run workers, the CLI and
tests all share one server; ``pgserver`` serialises start-up with an inter-process lock and
reuses a running postmaster, so a second process never starts a second server.
"""

from __future__ import annotations

import contextlib
import warnings
from pathlib import Path

import psycopg
from psycopg import sql

WAREHOUSE_DB = "nba"
DAGSTER_DB = "dagster"


def _data_dir(home: Path) -> Path:
    return home / "pgdata"


def server_socket_dir(home: Path) -> Path:
    """The directory holding the server's Unix socket (the ``host`` of its URLs)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pgserver warns when XDG_RUNTIME_DIR is unset
        import pgserver

    home.mkdir(parents=True, exist_ok=True)
    # pgserver creates the folder with exist_ok=False after checking it: a second
    # process starting at the same moment would lose that race with FileExistsError.
    _data_dir(home).mkdir(exist_ok=True)
    server = pgserver.get_server(_data_dir(home), cleanup_mode=None)
    return Path(server.get_postmaster_info().socket_dir)


def server_url(home: Path, database: str) -> str:
    """A libpq URL for ``database`` on the embedded server, starting it if needed.

    The database is created on first use. The URL works for psql, psycopg and SQLAlchemy.
    """
    socket_dir = server_socket_dir(home)
    admin = f"postgresql://postgres@/postgres?host={socket_dir}"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,))
        if exists.fetchone() is None:
            # Another process may create it between our check and our create.
            with contextlib.suppress(
                psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation
            ):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    return f"postgresql://postgres@/{database}?host={socket_dir}"


def is_running(home: Path) -> bool:
    pid_file = _data_dir(home) / "postmaster.pid"
    if not pid_file.exists():
        return False
    import psutil

    pid = int(pid_file.read_text().split("\n", 1)[0])
    return psutil.pid_exists(pid)
