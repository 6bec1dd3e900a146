"""Row counts and revision: the answer to ``nba-assets db status``."""

from __future__ import annotations

from sqlalchemy import Engine, text

from nba_assets.warehouse.migrate import current_revision, head_revision


def warehouse_status(engine: Engine) -> dict[str, object]:
    revision = current_revision(engine)
    counts: dict[str, int] = {}
    if revision is not None:
        with engine.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                    " WHERE n.nspname = 'nba' AND c.relkind IN ('r', 'p')"
                    " AND NOT c.relispartition ORDER BY c.relname"
                )
            ).scalars()
            for table in tables:
                counts[table] = conn.execute(
                    text(f'SELECT count(*) FROM nba."{table}"')
                ).scalar_one()
    return {"revision": revision, "head": head_revision(), "row_counts": counts}
