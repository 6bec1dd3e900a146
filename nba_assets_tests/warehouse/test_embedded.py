"""The embedded server: started on first use, reused by every later process."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

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


def test_a_second_process_reuses_the_running_server(embedded_home: Path) -> None:
    first = _url_from_a_new_process(embedded_home)
    pid = _postmaster_pid(embedded_home)
    assert is_running(embedded_home)
    second = _url_from_a_new_process(embedded_home)
    assert second == first
    assert _postmaster_pid(embedded_home) == pid
    with psycopg.connect(first) as conn:
        assert conn.execute("SELECT current_database()").fetchone() == ("nba",)
        assert conn.execute("SELECT count(*) FROM pg_stat_activity").fetchone()[0] >= 1
