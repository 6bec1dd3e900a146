"""Database faults for tests: hold a lock from another session, find the backend that waits
on it, kill that backend the way an operator, a failover or the OOM killer would.

Nothing here patches the project: the lock is an ordinary ``LOCK TABLE`` in a second
session, the waiting backend is found in ``pg_stat_activity`` and killed with
``pg_terminate_backend`` from an admin session. Every wait polls with a deadline, so a test
never passes by having slept long enough.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from types import TracebackType

import psycopg
from sqlalchemy.engine import make_url

POLL_SECONDS = 0.05


def database_of(url: str) -> str:
    name = make_url(url).database
    assert name, url
    return name


class TableLock:
    """A second session holding ``LOCK TABLE <table> IN SHARE MODE`` until released.

    SHARE conflicts with the ROW EXCLUSIVE lock every INSERT takes, but not with the ACCESS
    SHARE of reads or of ``CREATE TEMP TABLE … AS SELECT … WITH NO DATA``: an append stages
    its rows by COPY and then waits at its INSERT, its transaction open and its rows staged.
    """

    def __init__(self, url: str, table: str) -> None:
        self.url, self.table = url, table
        self.conn: psycopg.Connection | None = None
        self.pid = 0

    def __enter__(self) -> TableLock:
        self.conn = psycopg.connect(self.url)
        self.pid = self.conn.info.backend_pid
        self.conn.execute(f"LOCK TABLE {self.table} IN SHARE MODE")
        return self

    def count(self, sql: str, **params: object) -> int:
        """A count read inside the lock holder's own session (SHARE lets it read)."""
        assert self.conn is not None
        row = self.conn.execute(sql, params).fetchone()
        assert row is not None
        return int(row[0])

    def release(self) -> None:
        if self.conn is not None and not self.conn.closed:
            self.conn.rollback()
            self.conn.close()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def wait_for_blocked_insert(
    admin_url: str,
    database: str,
    table: str,
    blocker_pid: int,
    *,
    ignore: Collection[int] = (),
    still_running: Callable[[], bool] = lambda: True,
    deadline_seconds: float = 120.0,
) -> int:
    """The pid of a backend of ``database`` whose statement on ``table`` (an append's
    ``INSERT``) waits on the lock held by ``blocker_pid``; fails when none shows up before
    the deadline or when the writer stops (``still_running``) first.

    The statement is matched on the table's name anywhere in it: ``pg_stat_activity``
    keeps only the first 1 kB of a query, and a versioned append's INSERT comes after a
    long CTE.
    """
    deadline = time.monotonic() + deadline_seconds
    with psycopg.connect(admin_url, autocommit=True) as admin:
        while True:
            rows = admin.execute(
                """
                SELECT pid FROM pg_stat_activity
                WHERE datname = %s AND state = 'active' AND wait_event_type = 'Lock'
                  AND query LIKE %s AND %s = ANY(pg_blocking_pids(pid))
                ORDER BY backend_start
                """,
                (database, f"%{table}%", blocker_pid),
            ).fetchall()
            found = [pid for (pid,) in rows if pid not in ignore]
            if found:
                return found[0]
            if not still_running():
                raise AssertionError(f"the writer stopped before its write to {table} waited")
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no write to {table} waited on pid {blocker_pid} "
                    f"within {deadline_seconds:.0f} s"
                )
            time.sleep(POLL_SECONDS)


def terminate(admin_url: str, pid: int) -> None:
    """``pg_terminate_backend`` from an admin session; the backend must have existed."""
    with psycopg.connect(admin_url, autocommit=True) as admin:
        row = admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()
    assert row is not None and row[0] is True, f"backend {pid} was not there to terminate"
