"""Refuse a frame before anything is written: the error names table, column and a bad value.

Column types come from the live catalogue (the migrations are the single source of truth),
read once per engine and table.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd
from sqlalchemy import Engine, text

from nba_assets.warehouse.tables import SCHEMA, WRITER_COLUMNS

_INT_RANGES = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}
_FLOAT_TYPES = {"numeric", "real", "double precision"}


class FrameValidationError(ValueError):
    """A frame does not fit its table; nothing was written."""


@dataclass(frozen=True)
class Column:
    name: str
    data_type: str
    nullable: bool
    has_default: bool
    enum_labels: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return not self.nullable and not self.has_default and self.name not in WRITER_COLUMNS


@cache
def _columns_cached(url: str, table: str) -> tuple[Column, ...]:
    from nba_assets.warehouse.engine import engine_for

    with engine_for(url).connect() as conn:
        rows = conn.execute(
            text(
                """
                SELECT c.column_name, c.data_type, c.is_nullable = 'YES',
                       c.column_default IS NOT NULL OR c.is_identity = 'YES',
                       COALESCE((SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder)
                                 FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
                                 JOIN pg_namespace n ON n.oid = t.typnamespace
                                 WHERE t.typname = c.udt_name AND n.nspname = c.udt_schema),
                                '{}')
                FROM information_schema.columns c
                WHERE c.table_schema = :schema AND c.table_name = :table
                ORDER BY c.ordinal_position
                """
            ),
            {"schema": SCHEMA, "table": table},
        ).all()
    if not rows:
        raise FrameValidationError(f"{SCHEMA}.{table} does not exist (is the warehouse migrated?)")
    return tuple(Column(r[0], r[1], r[2], r[3], tuple(r[4])) for r in rows)


def table_columns(engine: Engine, table: str) -> tuple[Column, ...]:
    return _columns_cached(engine.url.render_as_string(hide_password=False), table)


def validate_frame(engine: Engine, table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Check ``frame`` against ``nba.<table>`` and return it with values ready for COPY."""
    columns = {c.name: c for c in table_columns(engine, table)}
    where = f"{SCHEMA}.{table}"
    unknown = [c for c in frame.columns if c not in columns]
    if unknown:
        raise FrameValidationError(f"{where}: unknown column(s) {unknown}")
    missing = [c.name for c in columns.values() if c.required and c.name not in frame.columns]
    if missing:
        raise FrameValidationError(f"{where}: missing required column(s) {missing}")
    out = {}
    for name in frame.columns:
        out[name] = _check_column(where, columns[name], frame[name])
    return pd.DataFrame(out, index=frame.index)


def _fail(where: str, col: Column, value: object, row: object, why: str) -> FrameValidationError:
    return FrameValidationError(
        f"{where}.{col.name} ({col.data_type}): {why}; example bad value {value!r} at row {row!r}"
    )


def _check_column(where: str, col: Column, s: pd.Series) -> pd.Series:
    nulls = s.isna()
    if not col.nullable and not col.has_default and nulls.any():
        row = nulls.idxmax()
        raise _fail(where, col, s[row], row, "null in a NOT NULL column")
    present = s[~nulls]
    kind = col.data_type
    if kind == "timestamp with time zone":
        return _check_timestamptz(where, col, s, present)
    if kind == "date":
        return _check_each(where, col, s, present, _as_date, "not a date")
    if kind in _INT_RANGES:
        return _check_int(where, col, s, present)
    if kind in _FLOAT_TYPES:
        if pd.api.types.is_bool_dtype(s) or not (
            pd.api.types.is_numeric_dtype(s) or present.map(_is_number).all()
        ):
            bad = present[~present.map(_is_number)] if len(present) else s
            row = bad.index[0]
            raise _fail(where, col, s[row], row, "not a number")
        return s
    if kind == "boolean":
        return _check_each(where, col, s, present, _as_bool, "not a boolean")
    if kind == "uuid":
        return _check_each(where, col, s, present, lambda v: str(uuid.UUID(str(v))), "not a uuid")
    if kind == "USER-DEFINED":
        bad = present[~present.isin(col.enum_labels)]
        if len(bad):
            why = f"not one of {list(col.enum_labels)}"
            raise _fail(where, col, bad.iloc[0], bad.index[0], why)
        return s.astype(object)
    if kind == "jsonb":
        return _check_each(where, col, s, present, _as_json, "not JSON-serialisable")
    if kind == "ARRAY":
        return _check_each(where, col, s, present, _as_pg_array, "not a list of integers")
    if kind == "text":
        if pd.api.types.infer_dtype(present, skipna=True) in ("string", "empty"):
            return s
        return _check_each(where, col, s, present, _as_text, "not a string")
    return s


def _is_number(v: object) -> bool:
    return isinstance(v, int | float | decimal.Decimal | np.number) and not isinstance(v, bool)


def _check_each(where, col, s, present, convert, why) -> pd.Series:
    """Convert each distinct value once: columns repeat a few values over millions of rows."""
    try:
        distinct = pd.unique(present)
    except TypeError:  # unhashable values (dicts, lists): convert row by row
        distinct = None
    converted: dict[object, object] = {}
    if distinct is not None:
        for value in distinct:
            try:
                converted[value] = convert(value)
            except (TypeError, ValueError) as exc:
                row = present.index[(present == value).to_numpy()][0]
                raise _fail(where, col, value, row, why) from exc
        if len(converted) == 1:  # a constant column (run ids, sources): no per-row map
            (value,) = converted.values()
            return pd.Series(value, index=s.index, dtype=object).where(~s.isna(), None)
        return present.map(converted).reindex(s.index).astype(object)
    by_row = {}
    for row, value in present.items():
        try:
            by_row[row] = convert(value)
        except (TypeError, ValueError) as exc:
            raise _fail(where, col, value, row, why) from exc
    return pd.Series(by_row, index=s.index, dtype=object)


def _as_text(v: object) -> str:
    if not isinstance(v, str):
        raise TypeError(type(v).__name__)
    return v


def _as_bool(v: object) -> bool:
    if isinstance(v, bool | np.bool_):
        return bool(v)
    raise TypeError(type(v).__name__)


def _as_date(v: object) -> dt.date:
    if isinstance(v, dt.datetime | pd.Timestamp):
        raise TypeError("a datetime where a date is expected")
    if isinstance(v, dt.date):
        return v
    raise TypeError(type(v).__name__)


def _as_json(v: object) -> str:
    return json.dumps(v, default=str, allow_nan=False)


def _as_pg_array(v: object) -> str:
    items = list(v)  # type: ignore[call-overload]
    if not all(isinstance(i, int | np.integer) and not isinstance(i, bool) for i in items):
        raise TypeError("non-integer element")
    return "{" + ",".join(str(int(i)) for i in items) + "}"


def _check_int(where: str, col: Column, s: pd.Series, present: pd.Series) -> pd.Series:
    if pd.api.types.is_bool_dtype(s):
        raise _fail(where, col, s.iloc[0], s.index[0], "a boolean where an integer is expected")
    numeric = pd.to_numeric(present, errors="coerce")
    bad = present[numeric.isna() | (numeric != np.floor(numeric))]
    if len(bad):
        raise _fail(where, col, bad.iloc[0], bad.index[0], "not an integer")
    lo, hi = _INT_RANGES[col.data_type]
    out_of_range = present[(numeric < lo) | (numeric > hi)]
    if len(out_of_range):
        why = f"outside the {col.data_type} range"
        raise _fail(where, col, out_of_range.iloc[0], out_of_range.index[0], why)
    return s.astype("Int64")


def _check_timestamptz(where: str, col: Column, s: pd.Series, present: pd.Series) -> pd.Series:
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_dtype(s):
        raise _fail(where, col, s.iloc[0], s.index[0], "naive datetime (timestamps must be UTC)")
    for row, value in present.items():
        if not isinstance(value, dt.datetime):
            raise _fail(where, col, value, row, "not a datetime")
        if value.tzinfo is None or value.utcoffset() is None:
            raise _fail(where, col, value, row, "naive datetime (timestamps must be UTC)")
    return pd.to_datetime(s, utc=True)
