"""Database roles: ``nba_analyst`` reads, ``nba_writer`` appends, neither changes the schema.

Revision ID: 0002
Revises: 0001

Roles are cluster-wide while migrations run per database, and tests create many databases
on one server, so creating the roles is idempotent and tolerates another database's
migration creating them at the same moment. Privileges (``GRANT``) are per database.

``nba_writer`` gets exactly what ``append_idempotent`` and the feed registries use:
``USAGE`` on the schema, ``SELECT``/``INSERT`` on its tables (not on the seeded franchise
tables), its sequences, ``TEMPORARY`` on the database for the staging table, and
``EXECUTE`` on ``nba.ensure_odds_partition``. Creating a partition needs ownership of
``nba.odds_snapshots``, so that function becomes ``SECURITY DEFINER`` (it runs as the schema
owner) with a fixed ``search_path``, so a caller's own objects can never be resolved inside
it, and ``PUBLIC`` loses ``EXECUTE`` on it. No ``UPDATE``, ``DELETE``, ``TRUNCATE``,
``REFERENCES``, ``TRIGGER`` or ``CREATE``: the append-only triggers and privileges both say no.

Downgrade revokes everything granted here and drops a role only when nothing else needs it:
no member other than the migrating user (analyst logins keep it) and no privilege in any
other database (PostgreSQL refuses ``DROP ROLE`` then, and the role is kept).
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here rather than imported from ``nba_assets.warehouse.roles``: a migration must keep
# doing what it did when it was first applied.
ANALYST = "nba_analyst"
WRITER = "nba_writer"
PARTITION_FUNCTION = "nba.ensure_odds_partition(timestamptz)"
# Seeded by migrations and never written at run time.
STATIC_TABLES = ("nba.teams", "nba.team_aliases")

CREATE_ROLES = f"""
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['{ANALYST}', '{WRITER}'] LOOP
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION
                -- Another database's migration created it since we looked (the loser of a
                -- race on pg_authid's unique index sees unique_violation).
                WHEN duplicate_object OR unique_violation THEN NULL;
                WHEN insufficient_privilege THEN
                    RAISE EXCEPTION 'role % does not exist and % may not create it', r, current_user
                        USING HINT = format(
                            'a superuser or CREATEROLE user runs: CREATE ROLE %I NOLOGIN', r);
            END;
        END IF;
    END LOOP;
    -- A non-superuser owner must be a member to SET ROLE nba_writer; a superuser needs none.
    IF NOT pg_catalog.pg_has_role(current_user, '{WRITER}', 'USAGE') THEN
        EXECUTE format('GRANT %I TO %I', '{WRITER}', current_user);
    END IF;
END
$$;
"""

GRANTS = f"""
GRANT USAGE ON SCHEMA nba TO {ANALYST}, {WRITER};

GRANT SELECT ON ALL TABLES IN SCHEMA nba TO {ANALYST};
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA nba TO {WRITER};
REVOKE INSERT ON {", ".join(STATIC_TABLES)} FROM {WRITER};
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA nba TO {WRITER};

-- Tables created later by the owner (monthly odds partitions, future migrations).
ALTER DEFAULT PRIVILEGES IN SCHEMA nba GRANT SELECT ON TABLES TO {ANALYST};
ALTER DEFAULT PRIVILEGES IN SCHEMA nba GRANT SELECT, INSERT ON TABLES TO {WRITER};
ALTER DEFAULT PRIVILEGES IN SCHEMA nba GRANT USAGE, SELECT ON SEQUENCES TO {WRITER};

ALTER FUNCTION {PARTITION_FUNCTION} SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
REVOKE EXECUTE ON FUNCTION {PARTITION_FUNCTION} FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {PARTITION_FUNCTION} TO {WRITER};

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO {ANALYST}', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO {WRITER}', current_database());
END
$$;
"""

REVOKES = f"""
ALTER FUNCTION {PARTITION_FUNCTION} SECURITY INVOKER RESET search_path;
GRANT EXECUTE ON FUNCTION {PARTITION_FUNCTION} TO PUBLIC;

DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['{ANALYST}', '{WRITER}'] LOOP
        CONTINUE WHEN NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = r);
        EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA nba FROM %I', r);
        EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA nba FROM %I', r);
        EXECUTE format('REVOKE ALL ON ALL FUNCTIONS IN SCHEMA nba FROM %I', r);
        EXECUTE format('REVOKE ALL ON SCHEMA nba FROM %I', r);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA nba REVOKE ALL ON TABLES FROM %I', r);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA nba REVOKE ALL ON SEQUENCES FROM %I', r);
        EXECUTE format('REVOKE ALL ON DATABASE %I FROM %I', current_database(), r);
        IF EXISTS (
            SELECT FROM pg_catalog.pg_auth_members m
            JOIN pg_catalog.pg_roles g ON g.oid = m.roleid
            JOIN pg_catalog.pg_roles u ON u.oid = m.member
            WHERE g.rolname = r AND u.rolname <> current_user
        ) THEN
            RAISE NOTICE 'role % kept: it still has members (analyst or platform logins)', r;
            CONTINUE;
        END IF;
        BEGIN
            EXECUTE format('DROP ROLE %I', r);
        EXCEPTION WHEN dependent_objects_still_exist THEN
            RAISE NOTICE 'role % kept: another database still grants it privileges', r;
        END;
    END LOOP;
END
$$;
"""


def upgrade() -> None:
    op.execute(CREATE_ROLES)
    op.execute(GRANTS)


def downgrade() -> None:
    op.execute(REVOKES)
