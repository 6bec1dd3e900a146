"""Who may do what in the warehouse: the two group roles migration ``0002`` creates.

``nba_analyst`` reads every table in schema ``nba``; ``nba_writer`` may only append (SELECT,
INSERT, sequences, temporary staging tables, new monthly odds partitions through the
``SECURITY DEFINER`` function). Neither can UPDATE, DELETE, TRUNCATE or change the schema,
so a bug in an asset, or a SQL string that went wrong, cannot rewrite history even if the
append-only triggers were disabled: the schema owner keeps that power and uses it only to
migrate.

Both roles are ``NOLOGIN`` groups. Code writes as ``nba_writer`` by switching role on a
connection (``writer_url`` for a whole engine, ``set_local_role`` for one transaction);
people get their own LOGIN role that is a member of ``nba_analyst`` (``create_analyst``).
Switching role is a guard against accidents, not against hostile code: a session can
``RESET ROLE`` to its login user. Real separation is a login that is only a member of
``nba_writer`` and does not own the schema (see SECURITY.md).
"""

from __future__ import annotations

import re
from urllib.parse import quote

from psycopg import sql
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import make_url

from nba_assets.warehouse.engine import engine_for

ANALYST = "nba_analyst"
WRITER = "nba_writer"
ROLES = (ANALYST, WRITER)

# Plain lower-case identifiers only: a login name ends up in pg_hba.conf, psql prompts and
# audit logs, where quoted oddities ("Bob; --") cause more trouble than they are worth.
_LOGIN_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _known(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"{role!r} is not a warehouse role; known: {', '.join(ROLES)}")
    return role


def writer_url(url: str) -> str:
    """``url`` with ``-c role=nba_writer`` in its libpq ``options``: every session it opens
    starts as ``nba_writer``.

    Setting the role at connection start (rather than ``SET ROLE`` on a pooled connection)
    means the writer and owner engines never share a pooled connection, so one can never
    leak its role into the other. Existing ``options`` (a ``search_path``, say) are kept.
    """
    parsed = make_url(url)
    options = parsed.query.get("options")
    if isinstance(options, tuple):
        options = " ".join(options)
    role_option = f"-c role={WRITER}"
    merged = f"{options} {role_option}" if options else role_option
    # Percent-encoded by hand: SQLAlchemy would write spaces as "+", which libpq (psql)
    # does not decode.
    base = parsed.difference_update_query(["options"]).render_as_string(hide_password=False)
    return f"{base}{'&' if '?' in base else '?'}options={quote(merged, safe='')}"


def writer_engine(url: str) -> Engine:
    """The (cached) engine whose every connection is ``nba_writer``: hand it to the appends.

    Migrations need the owner, so run them on ``engine_for(url)`` before using this one.
    """
    return engine_for(writer_url(url))


def set_local_role(conn: Connection, role: str = WRITER) -> None:
    """``SET LOCAL ROLE``: act as ``role`` until the current transaction ends.

    ``LOCAL`` matters with a connection pool: a plain ``SET ROLE`` would outlive the
    transaction and hand the next borrower of this pooled connection a role it did not ask
    for. Call it first inside ``engine.begin()``; the role name is checked, never quoted in.
    """
    if not conn.in_transaction():
        raise RuntimeError("set_local_role needs an open transaction (use engine.begin())")
    conn.execute(text(f"SET LOCAL ROLE {_known(role)}"))


def create_analyst(engine: Engine, name: str, password: str | None = None) -> None:
    """Create the LOGIN role ``name``, a member of ``nba_analyst``: read-only SQL access.

    ``engine`` must connect as a superuser or a ``CREATEROLE`` user. A password is hashed
    (SCRAM-SHA-256) on this side, as ``psql``'s ``\\password`` does, so the plain text never
    reaches the server or its statement log; without one the login works only where
    ``pg_hba.conf`` allows another method (peer, certificates). Raises when the role exists:
    silently adopting an existing role could hand read access to an account nobody meant.
    """
    if not _LOGIN_NAME.fullmatch(name):
        raise ValueError(f"analyst login {name!r} must match {_LOGIN_NAME.pattern}")
    if name.startswith("pg_") or name in ROLES:
        raise ValueError(f"{name!r} is reserved")
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        statement = sql.SQL("CREATE ROLE {name} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE").format(
            name=sql.Identifier(name)
        )
        if password is not None:
            if not password:
                raise ValueError("an empty password is no password; pass None instead")
            verifier = raw.pgconn.encrypt_password(
                password.encode(), name.encode(), b"scram-sha-256"
            )
            statement += sql.SQL(" PASSWORD {}").format(sql.Literal(verifier.decode()))
        statement += sql.SQL(" IN ROLE {}").format(sql.Identifier(ANALYST))
        with raw.cursor() as cur:
            cur.execute(statement)


def drop_login(engine: Engine, name: str) -> None:
    """Drop a LOGIN role made by ``create_analyst`` (never one of the group roles)."""
    if not _LOGIN_NAME.fullmatch(name) or name in ROLES or name.startswith("pg_"):
        raise ValueError(f"{name!r} is not an analyst login")
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:
            cur.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(name)))
