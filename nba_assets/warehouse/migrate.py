"""Alembic migrations, run programmatically on the warehouse engine.

Migrations take a transaction-level advisory lock so that two processes starting at once
(the webserver and a test run, say) never migrate concurrently.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY = 0x4E4241  # "NBA"
VERSION_TABLE = "nba_alembic_version"


def _config(connection: object | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return context.get_current_revision()


def upgrade(engine: Engine, to: str = "head") -> None:
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        command.upgrade(_config(conn), to)


def downgrade(engine: Engine, to: str = "base") -> None:
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        command.downgrade(_config(conn), to)


def _is_below(script: ScriptDirectory, target: str, current: str | None) -> bool:
    """Whether reaching ``target`` from ``current`` means going down."""
    if current is None:
        return False
    if target == "base" or target.startswith("-"):
        return True
    if target.startswith("+"):
        return False
    wanted = script.get_revision(target)  # CommandError when no revision has that id
    if wanted is None:
        return True
    below_current = {rev.revision for rev in script.iterate_revisions(current, "base")}
    return wanted.revision != current and wanted.revision in below_current


def migrate_to(engine: Engine, target: str = "head") -> None:
    """Leave the warehouse at ``target``: upgrade to it, or downgrade when it is below the
    current revision (``base`` drops everything). The direction is chosen under the lock."""
    script = ScriptDirectory.from_config(_config())
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        if _is_below(script, target, context.get_current_revision()):
            command.downgrade(_config(conn), target)
        else:
            command.upgrade(_config(conn), target)


def ensure_migrated(engine: Engine) -> None:
    """Upgrade to head unless already there: cheap enough to call at every start."""
    if current_revision(engine) != head_revision():
        upgrade(engine)
