"""The one way rows enter a fact table: validated, staged by COPY, appended idempotently.

Event facts (odds, injuries, predictions, scores) are appended with
``INSERT … ON CONFLICT DO NOTHING`` on their natural key, so re-running a partition adds
nothing. Versioned facts (games, results, box scores, injuries, ratings, grades) get a new row
only when the content of a key changes; an advisory lock per table makes
two concurrent writers agree on version numbers. Everything happens in one transaction:
a run that dies mid-append leaves no partial partition behind.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from psycopg import sql
from sqlalchemy import Connection, Engine, text

from nba_assets.warehouse.tables import FactTable, fact_table
from nba_assets.warehouse.validation import validate_frame

_ORDINAL = "_ordinal"
# Below this many rows a batch copies every column: the saving is smaller than the probe.
_FOLD_MIN_ROWS = 1_000


@dataclass(frozen=True)
class AppendResult:
    table: str
    offered: int
    inserted: int
    seconds: float

    @property
    def duplicates(self) -> int:
        return self.offered - self.inserted

    def as_metadata(self) -> dict[str, float | int]:
        return {
            "rows_offered": self.offered,
            "rows_inserted": self.inserted,
            "rows_duplicate": self.duplicates,
            "append_seconds": round(self.seconds, 4),
        }


def append_idempotent(
    engine: Engine,
    table: str,
    frame: pd.DataFrame,
    *,
    run_id: str | uuid.UUID,
    source: str,
) -> AppendResult:
    """Append ``frame`` to ``nba.<table>``; return how many rows were new.

    ``source`` is the feed or algorithm the rows came from; a ``source`` column in the
    frame overrides it row by row. Raises ``FrameValidationError`` before writing anything
    when the frame does not fit the table.
    """
    started = time.perf_counter()
    spec = fact_table(table)
    if frame.empty:
        return AppendResult(table, 0, 0, time.perf_counter() - started)
    frame = frame.reset_index(drop=True)
    if "source" not in frame.columns:
        frame = frame.assign(source=source)
    frame = frame.assign(run_id=str(uuid.UUID(str(run_id))))
    clean = validate_frame(engine, table, frame)
    if table == "odds_snapshots":
        ensure_odds_partitions(engine, clean["snapshot_time"])
    # A batch that repeats a key needs its own order (the first row wins).
    repeats = bool(spec.key) and bool(clean.duplicated(list(spec.key)).any())
    with engine.begin() as conn:
        _stage(conn, spec.qualified, clean, ordinal=spec.versioned or repeats)
        inserted = _insert_versioned(conn, spec) if spec.versioned else _insert(conn, spec, repeats)
    return AppendResult(table, len(frame), inserted, time.perf_counter() - started)


def ensure_odds_partitions(engine: Engine, snapshot_times: pd.Series) -> None:
    """Create the monthly partitions a batch needs, each in its own short transaction.

    Creating a partition locks the parent table; doing it before the append keeps that
    lock out of the long transaction that copies rows.
    """
    naive_utc = snapshot_times.dt.tz_convert("UTC").dt.tz_localize(None)
    for month in naive_utc.dt.to_period("M").unique():
        start = month.to_timestamp().tz_localize("UTC").to_pydatetime()
        with engine.begin() as conn:
            conn.execute(text("SELECT nba.ensure_odds_partition(:at)"), {"at": start})


def _stage(conn: Connection, table: str, frame: pd.DataFrame, *, ordinal: bool) -> None:
    """COPY the batch into a temporary table shaped like ``table``.

    Text columns that hold one value for the whole batch (run_id and source always, often
    more) become column defaults instead of CSV fields: COPY then fills them without
    parsing a million copies of the same UUID. ``ordinal`` numbers the rows in batch order
    for the writers that need it.
    """
    constants = batch_constants(frame)
    copied = [c for c in frame.columns if c not in constants]
    cols = ", ".join(f'"{c}"' for c in frame.columns)
    conn.execute(
        text(f"CREATE TEMP TABLE stage ON COMMIT DROP AS SELECT {cols} FROM {table} WITH NO DATA")
    )
    conn.execute(text("SET LOCAL TimeZone = 'UTC'"))
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        changes = [
            sql.SQL("ALTER COLUMN {} SET DEFAULT {}").format(sql.Identifier(c), sql.Literal(v))
            for c, v in constants.items()
        ]
        if ordinal:
            changes.append(sql.SQL("ADD COLUMN {} bigint").format(sql.Identifier(_ORDINAL)))
            copied.append(_ORDINAL)
            frame = frame.assign(**{_ORDINAL: np.arange(len(frame))})
        if changes:
            cur.execute(sql.SQL("ALTER TABLE stage ") + sql.SQL(", ").join(changes))
        copy_cols = sql.SQL(", ").join(map(sql.Identifier, copied))
        with cur.copy(
            sql.SQL("COPY stage ({}) FROM STDIN WITH (FORMAT csv)").format(copy_cols)
        ) as copy:
            copy.write(csv_bytes(frame[copied]))


def batch_constants(frame: pd.DataFrame) -> dict[str, str]:
    """Text columns with one non-null value throughout a batch big enough to be worth it.

    A strided probe rules most columns out before the full comparison; at least one column
    is always left to copy.
    """
    if len(frame) < _FOLD_MIN_ROWS:
        return {}
    step = max(1, len(frame) // 64)
    constants: dict[str, str] = {}
    for name in frame.columns[1:]:
        column = frame[name]
        first = column.iloc[0]
        if not isinstance(first, str):
            continue
        if column.iloc[::step].eq(first).fillna(False).all() and (
            column.eq(first).fillna(False).all()
        ):
            constants[name] = first
    return constants


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as headerless CSV for COPY, written by Arrow's C++ writer.

    pandas' writer formats values one by one in Python and ran at ~200k rows/s here;
    Arrow's is several times faster. Nulls become empty fields (NULL to COPY) while empty
    strings are quoted, so the two stay distinct. Timestamps are written as naive UTC: a
    reader must set its session TimeZone to UTC, as ``_stage`` does.
    """
    table = pa.Table.from_pandas(_arrow_ready(frame), preserve_index=False)
    if any(column.num_chunks > 1 for column in table.columns):
        # Arrow's CSV writer emits NUL bytes for a string column split into chunks that
        # the other columns are not (pandas.concat of Arrow-backed frames makes these).
        table = table.combine_chunks()
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
    return sink.getvalue().to_pybytes()


def _arrow_ready(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy(deep=False)
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object:
            if pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
                out[name] = column.astype("string")
            else:
                # Mixed Python objects (dates, Decimals, bools): let Arrow see their text.
                out[name] = column.map(lambda v: None if pd.isna(v) else str(v)).astype("string")
        elif isinstance(column.dtype, pd.DatetimeTZDtype):
            # Written as naive UTC (Arrow formats zone-aware timestamps ten times slower);
            # the staging session's TimeZone is UTC, so PostgreSQL reads them as UTC.
            out[name] = column.dt.tz_convert("UTC").dt.tz_localize(None)
    return out


def _insert(conn: Connection, spec: FactTable, repeats: bool) -> int:
    cols = _stage_columns(conn)
    names = ", ".join(f'"{c}"' for c in cols)
    # A batch that repeats a key keeps its own order (the first row wins); a table with an
    # insert order gets that (compact index pages); anything else is inserted unsorted,
    # since sorting a million staged rows costs more than the insert.
    by = [f'"{c}"' for c in spec.insert_order] + ([_ORDINAL] if repeats else [])
    order = f" ORDER BY {', '.join(by)}" if by else ""
    result = conn.execute(
        text(
            f"INSERT INTO {spec.qualified} ({names}) SELECT {names} FROM stage{order}"
            " ON CONFLICT DO NOTHING"
        )
    )
    return result.rowcount


def _insert_versioned(conn: Connection, spec: FactTable) -> int:
    """Append every change of content per key, in event-time order, numbering versions on.

    A batch is a set of observations, taken in the order of the table's event time (batch
    order among equal times, and for tables without one), so a snapshot delivered out of
    order cannot make an older state the newest version. Rows observed before the key's
    latest stored version are replays of what is already known, or late copies of older
    polls, and add nothing; of the rest, consecutive rows of one key with the same content
    collapse to one, a row equal to the key's latest stored version adds nothing, and each
    remaining change becomes the next version. Re-running a batch that changes a key's
    content (scheduled, then in progress) therefore adds nothing either. A row whose
    event-time key is already stored is also skipped by the conflict clause.
    """
    cols = _stage_columns(conn)
    names = ", ".join(f'"{c}"' for c in cols)
    key = ", ".join(f'"{k}"' for k in spec.key)
    content = [c for c in cols if c not in (*spec.observation_columns, "run_id")]
    content_row = ", ".join(f's."{c}"' for c in content)
    c_cols = ", ".join(f'c."{c}"' for c in cols)
    join = " AND ".join(f'l."{k}" = s."{k}"' for k in spec.key)
    at = spec.event_time if spec.event_time in cols else None
    stored_at = f', "{at}" AS stored_at' if at else ""
    not_older = (
        f'WHERE l.stored_at IS NULL OR s."{at}" IS NULL OR s."{at}" >= l.stored_at' if at else ""
    )
    order = f'"{at}", {_ORDINAL}' if at else _ORDINAL
    c_order = f'c."{at}", c.{_ORDINAL}' if at else f"c.{_ORDINAL}"
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:t))"), {"t": spec.qualified})
    result = conn.execute(
        text(
            f"""
            WITH latest AS (
                SELECT DISTINCT ON ({key}) {key}, version, row_hash{stored_at}
                FROM {spec.qualified}
                WHERE ({key}) IN (SELECT {key} FROM stage)
                ORDER BY {key}, version DESC
            ), observed AS (
                SELECT s.*, md5(ROW({content_row})::text)::uuid AS h,
                       l.version AS stored_version, l.row_hash AS stored_hash
                FROM stage s LEFT JOIN latest l ON {join}
                {not_older}
            ), changes AS (
                SELECT * FROM (
                    SELECT *, lag(h) OVER (PARTITION BY {key} ORDER BY {order}) AS prev_h
                    FROM observed
                ) d WHERE prev_h IS DISTINCT FROM h
            ), fresh AS (
                SELECT *, row_number() OVER (PARTITION BY {key} ORDER BY {order}) AS rn
                FROM changes
            )
            INSERT INTO {spec.qualified} ({names}, version, row_hash)
            SELECT {c_cols},
                   COALESCE(c.stored_version, 0)
                     + row_number() OVER (PARTITION BY {", ".join(f'c."{k}"' for k in spec.key)}
                                          ORDER BY {c_order}),
                   c.h
            FROM fresh c
            WHERE NOT (c.rn = 1 AND c.stored_hash IS NOT DISTINCT FROM c.h)
            ON CONFLICT DO NOTHING
            """
        )
    )
    return result.rowcount


def _stage_columns(conn: Connection) -> list[str]:
    rows = conn.execute(
        text(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'stage'::regclass"
            " AND attnum > 0 AND NOT attisdropped AND attname <> :ord ORDER BY attnum"
        ),
        {"ord": _ORDINAL},
    )
    return [r[0] for r in rows]
