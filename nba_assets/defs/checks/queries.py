"""Reads the checks share: a slate's rows, its games, its quarantine."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy import Connection, Engine, text


def game_id_range(slate: date) -> tuple[int, int]:
    base = (slate.year * 10_000 + slate.month * 100 + slate.day) * 100
    return base, base + 99


def read(engine: Engine, sql: str, **params: object) -> pd.DataFrame:
    with engine.connect() as conn:
        return pd.read_sql_query(text(sql), conn, params=params)


def slate_games(engine: Engine, slate: date) -> pd.DataFrame:
    """The latest version of every game of the slate, per source."""
    lo, hi = game_id_range(slate)
    return read(
        engine,
        """SELECT DISTINCT ON (game_id, source) game_id, source, status, commence_time
           FROM nba.games WHERE game_id BETWEEN :lo AND :hi
           ORDER BY game_id, source, version DESC""",
        lo=lo,
        hi=hi,
    )


_ODDS_SQL = """SELECT snapshot_time, game_id, book_id, market::text AS market,
                  outcome::text AS outcome, point::float8 AS point,
                  price_decimal::float8 AS price_decimal, price_american, ingested_at
           FROM nba.odds_snapshots WHERE game_id BETWEEN :lo AND :hi"""

# The same rows for COPY: instants as epoch microseconds (exact), the rest as read above.
_ODDS_COPY = """COPY (
    SELECT (extract(epoch FROM snapshot_time) * 1000000)::int8, game_id::int8,
           book_id::int8, market::text, outcome::text, point::float8,
           price_decimal::float8, price_american::int8,
           (extract(epoch FROM ingested_at) * 1000000)::int8
    FROM nba.odds_snapshots WHERE game_id BETWEEN {lo} AND {hi}
) TO STDOUT (FORMAT csv)"""
_ODDS_TYPES = {
    "snapshot_time": "utc",
    "game_id": pa.int64(),
    "book_id": pa.int64(),
    "market": pa.string(),
    "outcome": pa.string(),
    "point": pa.float64(),
    "price_decimal": pa.float64(),
    "price_american": pa.int64(),
    "ingested_at": "utc",
}

# The odds checks of a slate (validity, consistency, freshness) read the same rows one
# after another, right after their asset wrote them: inside ``one_read_per_slate`` the
# first read is kept and handed to the others.
_SHARED: ContextVar[dict[tuple[str, date], pd.DataFrame] | None] = ContextVar(
    "slate_reads", default=None
)


@contextmanager
def one_read_per_slate() -> Iterator[None]:
    """Share each slate's odds read among the checks evaluated inside the block."""
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def slate_odds(engine: Engine, slate: date) -> pd.DataFrame:
    """Every stored price of the slate, read with ``COPY`` into Arrow.

    Inside ``one_read_per_slate`` the slate is read once; callers get their own
    (copy-on-write) frame.
    """
    shared = _SHARED.get()
    key = (engine.url.render_as_string(hide_password=False), slate)
    if shared is not None and key in shared:
        return shared[key].copy(deep=False)
    lo, hi = game_id_range(slate)
    with engine.connect() as conn:
        frame = _copy_odds(conn, lo, hi)
        if frame is None:  # no rows: the dtypes an empty read_sql_query gives
            frame = pd.read_sql_query(text(_ODDS_SQL), conn, params={"lo": lo, "hi": hi})
    if shared is not None:
        shared[key] = frame
    return frame.copy(deep=False)


def _copy_odds(conn: Connection, lo: int, hi: int) -> pd.DataFrame | None:
    """The rows of ``_ODDS_SQL`` with the dtypes ``read_sql_query`` gives them (None: none)."""
    buffer = io.BytesIO()
    statement = _ODDS_COPY.format(lo=int(lo), hi=int(hi))
    with conn.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
        for chunk in copy:
            buffer.write(chunk)
    if not buffer.getbuffer().nbytes:
        return None
    names = list(_ODDS_TYPES)
    table = pacsv.read_csv(
        io.BytesIO(buffer.getbuffer()),
        read_options=pacsv.ReadOptions(column_names=names),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.int64() if t == "utc" else t for n, t in _ODDS_TYPES.items()},
            strings_can_be_null=False,
        ),
    )
    columns: dict[str, object] = {}
    for name, kind in _ODDS_TYPES.items():
        values = table.column(name)
        if kind == "utc":
            micros = values.to_numpy().view("datetime64[us]")
            columns[name] = pd.DatetimeIndex(micros).tz_localize("UTC").array
        elif kind == pa.string():
            columns[name] = pd.array(values.cast(pa.large_string()), dtype="str")
        else:
            columns[name] = values.to_numpy()
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))


def slate_results(engine: Engine, slate: date) -> pd.DataFrame:
    lo, hi = game_id_range(slate)
    return read(
        engine,
        """SELECT DISTINCT ON (game_id, source) game_id, source, home_score, away_score,
                  home_periods, away_periods, periods, final, completed_at
           FROM nba.game_results WHERE game_id BETWEEN :lo AND :hi
           ORDER BY game_id, source, version DESC""",
        lo=lo,
        hi=hi,
    )


def quarantined(engine: Engine, slate: date, target_table: str) -> int:
    return int(
        read(
            engine,
            "SELECT count(*) AS n FROM nba.quarantine"
            " WHERE partition_key = :pk AND target_table = :t",
            pk=slate.isoformat(),
            t=target_table,
        )["n"].iloc[0]
    )
