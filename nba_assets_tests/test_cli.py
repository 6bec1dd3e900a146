"""``nba-assets db …`` against a fresh, empty database on the real test server."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from sqlalchemy.engine import make_url

from nba_assets.cli import main
from nba_assets.warehouse import migrate
from nba_assets.warehouse.engine import get_engine

STATUS_ROW = re.compile(r"^\s+nba\.(\w+)\s+([\d,]+)$")


@pytest.fixture
def empty_warehouse(empty_db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """NBA_DATABASE_URL on a database with nothing in it."""
    monkeypatch.setenv("NBA_DATABASE_URL", empty_db_url)
    yield empty_db_url
    get_engine().dispose()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _status(out: str) -> tuple[str, dict[str, int]]:
    lines = out.splitlines()
    counts = {}
    for line in lines[1:]:
        match = STATUS_ROW.match(line)
        assert match, f"unexpected status line {line!r}"
        counts[match[1]] = int(match[2].replace(",", ""))
    return lines[0], counts


def _count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(f"SELECT count(*) FROM nba.{table}").fetchone()[0]


def _tables(url: str) -> set[str]:
    """Schema nba's tables, partitioned parents included and their partitions not."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'nba'"
            " AND format('%I.%I', schemaname, tablename)::regclass"
            " NOT IN (SELECT inhrelid FROM pg_inherits)"
        ).fetchall()
    return {row[0] for row in rows}


def _version(url: str) -> str | None:
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('public.nba_alembic_version')").fetchone()[0] is None:
            return None
        row = conn.execute("SELECT version_num FROM public.nba_alembic_version").fetchone()
        return row[0] if row else None


def _schema_exists(url: str) -> bool:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT to_regnamespace('nba') IS NOT NULL").fetchone()[0]


def test_migrate_then_status_prints_the_head_and_a_row_count_per_table(
    empty_warehouse: str, capsys: pytest.CaptureFixture[str]
) -> None:
    head = migrate.head_revision()
    code, out, _ = _run(capsys, "db", "status")
    assert code == 0
    assert out.splitlines() == [f"revision: base (head {head})"]

    code, out, _ = _run(capsys, "db", "migrate")
    assert code == 0
    assert out.strip() == f"warehouse at revision {head} (was base)"
    assert _version(empty_warehouse) == head

    with psycopg.connect(empty_warehouse) as conn:
        conn.execute(
            "INSERT INTO nba.players (first_name, last_name)"
            " VALUES ('Ada', 'One'), ('Bo', 'Two'), ('Cy', 'Three')"
        )

    code, out, _ = _run(capsys, "db", "status")
    assert code == 0
    first, counts = _status(out)
    assert first == f"revision: {head} (head {head})"
    tables = _tables(empty_warehouse)
    assert {"teams", "team_aliases", "players", "games", "odds_snapshots"} <= tables
    assert set(counts) == tables
    assert counts == {table: _count(empty_warehouse, table) for table in tables}
    assert counts["players"] == 3
    assert counts["teams"] == 30
    assert counts["team_aliases"] > 30


def test_migrate_to_base_removes_schema_nba(
    empty_warehouse: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(capsys, "db", "migrate")[0] == 0
    assert _schema_exists(empty_warehouse)

    code, out, _ = _run(capsys, "db", "migrate", "--to", "base")
    assert code == 0
    assert out.strip() == f"warehouse at revision base (was {migrate.head_revision()})"
    assert not _schema_exists(empty_warehouse)
    assert _version(empty_warehouse) is None

    code, out, _ = _run(capsys, "db", "status")
    assert code == 0
    assert out.splitlines() == [f"revision: base (head {migrate.head_revision()})"]


def test_migrate_to_a_lower_revision_goes_down_and_refuses_nonsense(
    empty_warehouse: str, capsys: pytest.CaptureFixture[str]
) -> None:
    head = migrate.head_revision()
    assert _run(capsys, "db", "migrate")[0] == 0

    code, out, _ = _run(capsys, "db", "migrate", "--to", "0001")
    assert (code, out.strip()) == (0, f"warehouse at revision 0001 (was {head})")
    assert _version(empty_warehouse) == "0001"
    assert _schema_exists(empty_warehouse)

    # --down only goes down: the head is above 0001, so nothing changes.
    code, _, err = _run(capsys, "db", "migrate", "--to", head, "--down")
    assert code == 2 and "migrate failed" in err
    code, _, err = _run(capsys, "db", "migrate", "--down")
    assert code == 2 and "--to" in err
    code, _, err = _run(capsys, "db", "migrate", "--to", "no_such_revision")
    assert code == 2 and "no_such_revision" in err
    assert _version(empty_warehouse) == "0001"

    code, out, _ = _run(capsys, "db", "migrate")
    assert (code, out.strip()) == (0, f"warehouse at revision {head} (was 0001)")
    assert _version(empty_warehouse) == head


def _console_script() -> Path:
    script = Path(sys.executable).parent / "nba-assets"
    if not script.exists():
        pytest.skip(f"the console script is not installed next to {sys.executable}")
    return script


def test_db_url_prints_a_url_psql_and_psycopg_accept(
    empty_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    psql = shutil.which("psql")
    if psql is None:
        pytest.skip("the psql client is not installed")
    # A SQLAlchemy-style URL with a driver suffix and libpq options holding spaces and '=':
    # the printed URL must still be one that libpq parses the same way.
    parsed = make_url(empty_db_url)
    options = quote("-c statement_timeout=4321", safe="")
    configured = (
        parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
        + f"{'&' if parsed.query else '?'}options={options}&application_name=nba%20cli%20test"
    )
    monkeypatch.setenv("NBA_DATABASE_URL", configured)
    done = subprocess.run(
        [str(_console_script()), "db", "url"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    url = done.stdout.strip()
    assert url.startswith("postgresql://")

    query = (
        "SELECT current_database(), current_setting('statement_timeout'),"
        " current_setting('application_name')"
    )
    expected = f"{parsed.database}|4321ms|nba cli test"
    accepted = subprocess.run(
        [psql, url, "-X", "-A", "-t", "-c", query],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert accepted.returncode == 0, accepted.stderr
    assert accepted.stdout.strip() == expected
    assert (
        subprocess.run(
            [psql, url, "-X", "-c", "select 1"], capture_output=True, timeout=60
        ).returncode
        == 0
    )

    with psycopg.connect(url) as conn:
        row = conn.execute(query).fetchone()
    assert "|".join(row) == expected
