from __future__ import annotations

from sqlalchemy import text

from nba_assets.warehouse import migrate
from nba_assets.warehouse.engine import engine_for

# The roles migration 0002 creates (frozen there too).
ROLES_0002 = ("nba_analyst", "nba_writer")
_GRANTEE = "CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END"

# Everything that makes up the schema, as comparable rows.
CATALOG_QUERIES = {
    "columns": """
        SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default
        FROM information_schema.columns WHERE table_schema = 'nba' ORDER BY 1, 2""",
    "constraints": """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE connamespace = 'nba'::regnamespace ORDER BY 1, 2""",
    "indexes": """
        SELECT tablename, indexname, indexdef FROM pg_indexes
        WHERE schemaname = 'nba' ORDER BY 1, 2""",
    "triggers": """
        SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger
        WHERE NOT tgisinternal AND tgrelid::regclass::text LIKE 'nba.%' ORDER BY 1, 2""",
    "functions": """
        SELECT proname, pg_get_functiondef(oid) FROM pg_proc
        WHERE pronamespace = 'nba'::regnamespace ORDER BY 1""",
    "types": """
        SELECT t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_type t
        JOIN pg_enum e ON e.enumtypid = t.oid WHERE t.typnamespace = 'nba'::regnamespace
        GROUP BY 1 ORDER BY 1""",
    "partitions": """
        SELECT inhrelid::regclass::text, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits
        JOIN pg_class c ON c.oid = inhrelid
        WHERE inhparent = 'nba.odds_snapshots'::regclass ORDER BY 1""",
    "column_order": """
        SELECT table_name, ordinal_position, column_name FROM information_schema.columns
        WHERE table_schema = 'nba' ORDER BY 1, 2""",
    "relations": """
        SELECT relname, relkind, relpersistence, relrowsecurity, pg_get_partkeydef(oid)
        FROM pg_class WHERE relnamespace = 'nba'::regnamespace ORDER BY 1""",
    "sequences": """
        SELECT sequencename, data_type, start_value, increment_by, last_value FROM pg_sequences
        WHERE schemaname = 'nba' ORDER BY 1""",
    # Privileges by role name, not oid: a role dropped and re-created gets a new oid.
    "relation_grants": f"""
        SELECT c.relname, {_GRANTEE}, a.privilege_type, a.is_grantable
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.relnamespace = 'nba'::regnamespace ORDER BY 1, 2, 3""",
    "role_table_grants": """
        SELECT grantee, table_name, privilege_type, is_grantable
        FROM information_schema.role_table_grants WHERE table_schema = 'nba'
        ORDER BY 1, 2, 3""",
    "schema_grants": f"""
        SELECT {_GRANTEE}, a.privilege_type, a.is_grantable
        FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'nba' ORDER BY 1, 2""",
    "function_grants": f"""
        SELECT p.proname, p.prosecdef, p.proconfig, {_GRANTEE}, a.privilege_type
        FROM pg_proc p LEFT JOIN LATERAL aclexplode(p.proacl) a ON true
        WHERE p.pronamespace = 'nba'::regnamespace ORDER BY 1, 4, 5""",
    "default_grants": f"""
        SELECT d.defaclobjtype, {_GRANTEE}, a.privilege_type
        FROM pg_default_acl d, aclexplode(d.defaclacl) a
        WHERE d.defaclnamespace = 'nba'::regnamespace ORDER BY 1, 2, 3""",
    "database_grants": f"""
        SELECT {_GRANTEE}, a.privilege_type, a.is_grantable
        FROM pg_database d, aclexplode(d.datacl) a
        WHERE d.datname = current_database() ORDER BY 1, 2""",
    # Roles are cluster-wide: other test databases on this server hold grants to them too,
    # so only attributes are compared, never members (other tests add analyst logins).
    "roles": f"""
        SELECT rolname, rolcanlogin, rolsuper, rolinherit, rolcreaterole, rolcreatedb,
               rolreplication, rolbypassrls, rolconnlimit
        FROM pg_roles WHERE rolname IN {ROLES_0002!r} ORDER BY 1""",
    "teams": "SELECT * FROM nba.teams ORDER BY team_id",
    "team_aliases": "SELECT * FROM nba.team_aliases ORDER BY alias",
    # first_seen_at is the migration's now(), which differs between the two upgrades.
    "books": "SELECT book_id, book_key, title, tier FROM nba.books ORDER BY book_id",
}


def _schema(engine) -> dict[str, list[tuple]]:
    with engine.connect() as conn:
        return {k: [tuple(r) for r in conn.execute(text(q))] for k, q in CATALOG_QUERIES.items()}


def test_up_down_up_leaves_an_identical_schema(empty_db_url: str) -> None:
    engine = engine_for(empty_db_url)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    first = _schema(engine)
    assert len({row[0] for row in first["columns"]}) >= 20
    # Not vacuous: every part of the comparison has something in it.
    assert [row[0] for row in first["roles"]] == list(ROLES_0002)
    for role in ROLES_0002:
        assert any(row[1] == role for row in first["relation_grants"]), role
        assert any(row[0] == role for row in first["role_table_grants"]), role
        assert any(row[0] == role for row in first["schema_grants"]), role
        assert any(row[0] == role for row in first["database_grants"]), role
    assert any(row[3] == "nba_writer" for row in first["function_grants"])
    assert {row[0] for row in first["default_grants"]} == {"r", "S"}
    assert len(first["teams"]) == 30
    assert len(first["team_aliases"]) > 30
    assert [row[1] for row in first["books"]] == ["pinnacle", "circasports", "lowvig"]

    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT to_regnamespace('nba')")).scalar() is None

    migrate.upgrade(engine)
    second = _schema(engine)
    for part, rows in first.items():
        assert second[part] == rows, part
    engine.dispose()


def test_reference_rows_cover_franchises_and_historical_names(warehouse_url: str) -> None:
    engine = engine_for(warehouse_url)
    with engine.connect() as conn:
        teams = conn.execute(
            text("SELECT count(*), count(DISTINCT time_zone) FROM nba.teams")
        ).one()
        assert teams[0] == 30 and teams[1] >= 5
        aliases = dict(
            conn.execute(
                text(
                    "SELECT a.alias, t.abbreviation FROM nba.team_aliases a"
                    " JOIN nba.teams t USING (team_id)"
                )
            ).all()
        )
    for alias, abbreviation in {
        "New Jersey Nets": "BKN",
        "Seattle SuperSonics": "OKC",
        "Charlotte Bobcats": "CHA",
        "New Orleans Hornets": "NOP",
        "GoldenState": "GSW",
        "LAClippers": "LAC",
        "Boston": "BOS",
        "PHO": "PHX",
    }.items():
        assert aliases[alias] == abbreviation, alias


def test_every_timestamp_column_is_timestamptz(warehouse_url: str) -> None:
    engine = engine_for(warehouse_url)
    with engine.connect() as conn:
        naive = conn.execute(
            text(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = 'nba' AND data_type = 'timestamp without time zone'"
            )
        ).all()
    assert naive == []
