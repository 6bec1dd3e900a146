"""Compare what two warehouses hold, row for row, and count redundant copies in one.

Two columns are left out of every comparison, and only these:

- ``ingested_at``: knowledge time, the clock of the transaction that wrote the row. Two
  databases loaded at different moments (or one loaded in two runs) cannot agree on it.
- ``run_id``: the Dagster run that wrote the row. A crashed and resumed load is written by
  two runs, a clean load by one.

and, per table, the columns stamped with the wall clock of the run that computed the row,
which are knowledge times too: ``model_predictions.inputs_known_at`` (the instant up to
which the model read the warehouse), ``grades.graded_at`` and
``calibration_metrics.computed_at`` (when the grade or metric was computed; observation
columns, never content, for the versioned writer too).

``row_hash`` is left out too: it digests the row's content including surrogate ids, so it
differs exactly when those do, and the content itself is compared column by column.

Identity columns are not data either, and are compared through what they stand for:
``book_id`` as the book's key, ``player_id`` as the provider ids registered for the player
(sequences are not transactional: a killed transaction or an ``ON CONFLICT DO NOTHING``
consumes values, so the same players may get other numbers), and the rows of ``quarantine``
without their ``quarantine_id``. ``feed_requests`` is a log of HTTP attempts and is never
compared: a crashed and resumed load legitimately made more calls.
"""

from __future__ import annotations

from collections import Counter

import psycopg

from nba_assets.warehouse.engine import libpq_url
from nba_assets.warehouse.tables import FACT_TABLES

IGNORED = ("ingested_at", "run_id")
KNOWLEDGE_TIMES = {
    "model_predictions": ("inputs_known_at",),
    "grades": ("graded_at",),
    "calibration_metrics": ("computed_at",),
}
_PLAYER = """(SELECT string_agg(s.source || ':' || s.source_id, ',' ORDER BY s.source, s.source_id)
               FROM nba.source_ids s WHERE s.entity = 'player' AND s.internal_id = t.player_id)"""


def _columns(conn: psycopg.Connection, table: str) -> list[str]:
    rows = conn.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = 'nba' AND table_name = %s ORDER BY ordinal_position",
        (table,),
    ).fetchall()
    return [name for (name,) in rows]


def contents(url: str, table: str) -> Counter[str]:
    """The multiset of ``nba.<table>``'s rows as canonical JSON, as described above."""
    with psycopg.connect(libpq_url(url)) as conn:
        columns = _columns(conn, table)
        drop = [
            *IGNORED,
            *KNOWLEDGE_TIMES.get(table, ()),
            "row_hash",
            "quarantine_id",
            "book_id",
            "player_id",
        ]
        expr = "to_jsonb(t)" + "".join(f" - '{c}'" for c in drop)
        extra = []
        if "book_id" in columns:
            extra.append("'book', (SELECT b.book_key FROM nba.books b WHERE b.book_id = t.book_id)")
        if "player_id" in columns:
            extra.append(f"'player', {_PLAYER}")
        if extra:
            expr += f" || jsonb_build_object({', '.join(extra)})"
        rows = conn.execute(f"SELECT ({expr})::text FROM nba.{table} t").fetchall()
    return Counter(row for (row,) in rows)


def difference(a: Counter[str], b: Counter[str], limit: int = 3) -> str:
    """A short description of how two multisets of rows differ, for assertion messages."""
    only_a, only_b = a - b, b - a
    return (
        f"{sum(only_a.values())} row(s) only in the first, {sum(only_b.values())} only in the"
        f" second; e.g. first: {list(only_a)[:limit]}; second: {list(only_b)[:limit]}"
    )


def redundant_rows(url: str, table: str) -> int:
    """Rows that repeat something already stored.

    For an event table: rows beyond one per natural key. For a versioned table: versions
    whose content equals the version before (the writer's contract is a new version only
    when content changes), and versions that replay an observation already stored (same
    content at the same event time as an earlier version of the key).
    """
    spec = FACT_TABLES[table]
    key = ", ".join(spec.key)
    with psycopg.connect(libpq_url(url)) as conn:
        if spec.versioned:
            same = ", ".join(
                [*spec.key, "row_hash", *([spec.event_time] if spec.event_time else [])]
            )
            sql = f"""SELECT count(*) FROM (
                        SELECT row_hash,
                               lag(row_hash) OVER (PARTITION BY {key} ORDER BY version) AS previous,
                               row_number() OVER (PARTITION BY {same} ORDER BY version) AS nth
                        FROM nba.{table}) v
                      WHERE row_hash = previous OR nth > 1"""
        else:
            sql = f"SELECT count(*) - count(DISTINCT ({key})) FROM nba.{table}"
        row = conn.execute(sql).fetchone()
    assert row is not None
    return int(row[0])
