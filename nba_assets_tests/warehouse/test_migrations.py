from __future__ import annotations

from sqlalchemy import text

from nba_assets.warehouse import migrate
from nba_assets.warehouse.engine import engine_for

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
    "reference_rows": """
        SELECT (SELECT count(*) FROM nba.teams), (SELECT count(*) FROM nba.team_aliases),
               (SELECT count(*) FROM nba.books)""",
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

    migrate.downgrade(engine, "base")
    assert migrate.current_revision(engine) is None
    with engine.connect() as conn:
        assert conn.execute(text("SELECT to_regnamespace('nba')")).scalar() is None

    migrate.upgrade(engine)
    assert _schema(engine) == first
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
