"""The embedded server: started on first use, reused by every later process."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

import psutil
import psycopg
import pytest

from nba_assets.warehouse.embedded import is_running


def _url_from_a_new_process(home: Path) -> str:
    env = {**os.environ, "NBA_HOME": str(home)}
    env.pop("NBA_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "nba_assets.cli", "db", "url"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip()


def _postmaster_pid(home: Path) -> int:
    return int((home / "pgdata" / "postmaster.pid").read_text().split("\n", 1)[0])


def _start_at_the_barrier(home: str, barrier, results) -> None:
    """In a spawned process: wait for the other one, then ask for the warehouse URL as the
    CLI does (starting the embedded server if needed) and report which postmaster answers."""
    try:
        os.environ["NBA_HOME"] = home
        os.environ.pop("NBA_DATABASE_URL", None)
        from nba_assets.warehouse.engine import warehouse_url

        barrier.wait(timeout=120)
        url = warehouse_url()
        with psycopg.connect(url) as conn:
            backend, started = conn.execute(
                "SELECT pg_backend_pid(), pg_postmaster_start_time()::text"
            ).fetchone()
            # A backend is a child of the postmaster that accepted the connection.
            postmaster = psutil.Process(backend).ppid()
        results.put((os.getpid(), url, postmaster, started, None))
    except BaseException:
        results.put((os.getpid(), None, None, None, traceback.format_exc()))


def _postmasters(home: Path) -> list[psutil.Process]:
    """Server processes started on this data directory (backends do not name it)."""
    data_dir = str(home / "pgdata")
    found = []
    for proc in psutil.process_iter(attrs=["name", "cmdline"]):
        if proc.info["name"] == "postgres" and data_dir in (proc.info["cmdline"] or []):
            found.append(proc)
    return found


@pytest.fixture
def embedded_home():
    # Short path: Unix socket paths are limited to ~100 bytes.
    with tempfile.TemporaryDirectory(prefix="nba", dir="/tmp") as tmp:
        home = Path(tmp)
        yield home
        if is_running(home):
            bin_dir = Path(__import__("pgserver").__file__).parent / "pginstall" / "bin"
            cmd = [str(bin_dir / "pg_ctl"), "-D", str(home / "pgdata"), "-m", "fast", "-w", "stop"]
            if os.geteuid() == 0:
                cmd = ["su", "pgserver", "-s", "/bin/sh", "-c", " ".join(cmd)]
            subprocess.run(cmd, capture_output=True, timeout=60, check=False)


def test_processes_starting_at_once_share_one_server_that_later_ones_reuse(
    embedded_home: Path,
) -> None:
    assert not (embedded_home / "pgdata").exists()
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=_start_at_the_barrier, args=(str(embedded_home), barrier, results))
        for _ in range(2)
    ]
    for proc in procs:
        proc.start()
    try:
        reports = [results.get(timeout=300) for _ in procs]
    finally:
        for proc in procs:
            proc.join(timeout=60)
            if proc.is_alive():
                proc.kill()
    errors = [report[4] for report in reports if report[4]]
    assert not errors, "\n".join(errors)
    assert [proc.exitcode for proc in procs] == [0, 0]

    (_, url_a, postmaster_a, started_a, _), (_, url_b, postmaster_b, started_b, _) = reports
    assert url_a == url_b
    assert postmaster_a == postmaster_b == _postmaster_pid(embedded_home)
    assert started_a == started_b
    assert [proc.pid for proc in _postmasters(embedded_home)] == [postmaster_a]

    # A later process (the CLI) reuses that server rather than starting another.
    assert _url_from_a_new_process(embedded_home) == url_a
    assert _postmaster_pid(embedded_home) == postmaster_a
    assert is_running(embedded_home)
    assert [proc.pid for proc in _postmasters(embedded_home)] == [postmaster_a]
    with psycopg.connect(url_a) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("nba",)
        assert conn.execute("SELECT count(*) FROM pg_stat_activity").fetchone()[0] >= 1

    psql = shutil.which("psql")
    if psql is not None:  # the printed URL also works for the psql client
        done = subprocess.run(
            [psql, url_a, "-X", "-A", "-t", "-c", "SELECT current_database()"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert (done.returncode, done.stdout.strip()) == (0, "nba"), done.stderr
