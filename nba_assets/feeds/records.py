"""What the normalisers hand the warehouse: table-shaped frames and quarantine records.

Column names match ``nba`` tables except where the feed cannot know the internal id yet
(``book_key`` instead of ``book_id``, ``source_player_id`` instead of ``player_id``): the
warehouse layer resolves those, registering books and players it has not seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from nba_assets.core.slates import require_aware
from nba_assets.feeds.errors import PayloadError

TABLE_COLUMNS: dict[str, dict[str, str]] = {
    "odds_snapshots": {
        "snapshot_time": "utc",
        "game_id": "int",
        "book_key": "str",
        "book_title": "str",
        "market": "str",
        "outcome": "str",
        "point": "float",
        "price_decimal": "float",
        "price_american": "int",
        "price_format": "str",
        "last_update": "utc",
        "source_event_id": "str",
    },
    "games": {
        "game_id": "int",
        "slate_date": "object",
        "season": "int",
        "home_team_id": "int",
        "away_team_id": "int",
        "commence_time": "utc",
        "status": "str",
        "postseason": "bool",
        "neutral_site": "bool",
        "source_game_id": "str",
        "observed_at": "utc",
    },
    "game_results": {
        "game_id": "int",
        "home_score": "int",
        "away_score": "int",
        "home_periods": "object",
        "away_periods": "object",
        "periods": "int",
        "final": "bool",
        "completed_at": "utc",
    },
    "player_stats": {
        "game_id": "int",
        "source_player_id": "int",
        "player_first_name": "str",
        "player_last_name": "str",
        "player_position": "str",
        "team_id": "int",
        "minutes": "float",
        **{
            stat: "int"
            for stat in (
                "pts",
                "reb",
                "ast",
                "stl",
                "blk",
                "turnover",
                "pf",
                "fgm",
                "fga",
                "fg3m",
                "fg3a",
                "ftm",
                "fta",
                "oreb",
                "dreb",
                "plus_minus",
            )
        },
        "observed_at": "utc",
    },
    "injuries": {
        "source_player_id": "int",
        "player_first_name": "str",
        "player_last_name": "str",
        "player_position": "str",
        "team_id": "int",
        "status": "str",
        "status_raw": "str",
        "description": "str",
        "return_date": "object",
        "return_date_raw": "str",
        "reported_at": "utc",
    },
}

_DTYPES = {"int": "Int64", "float": "float64", "str": "str", "bool": "boolean"}


@dataclass(frozen=True, slots=True)
class QuarantineRecord:
    """A record (or a whole body) that failed validation, kept with the reason to replay it."""

    target_table: str
    endpoint: str | None
    reason: str
    raw: Any
    raw_text: str | None = None


@dataclass(frozen=True)
class NormalizedBatch:
    """Frames keyed by target table (always present, possibly empty) and the rejects."""

    tables: Mapping[str, pd.DataFrame]
    quarantine: list[QuarantineRecord] = field(default_factory=list)

    def __getitem__(self, table: str) -> pd.DataFrame:
        return self.tables[table]


def build_frame(table: str, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """A frame with exactly ``table``'s columns and dtypes, refusing naive timestamps."""
    spec = TABLE_COLUMNS[table]
    instants = [column for column, kind in spec.items() if kind == "utc"]
    for row in rows:
        for column in instants:
            value = row.get(column)
            if value is not None:
                require_aware(value, f"{table}.{column}")
    frame = pd.DataFrame.from_records(rows, columns=list(spec))
    for column, kind in spec.items():
        if kind == "utc":
            frame[column] = pd.to_datetime(frame[column], utc=True)
        elif kind in _DTYPES:
            frame[column] = frame[column].astype(_DTYPES[kind])
        else:
            frame[column] = frame[column].astype(object)
    return frame


def frame_from_columns(table: str, columns: Mapping[str, Any]) -> pd.DataFrame:
    """The frame ``build_frame`` makes of the same rows, built from columns in one pass.

    ``columns`` maps every column of ``table`` to a list (or a NumPy array of the final
    dtype) of equal length. Values of the plain Python types a normaliser produces (int,
    float, str, bool, aware datetime, date or None where a column allows it) take a direct
    path that skips per-row inference; anything else, and empty tables, go through
    ``build_frame`` itself, so the result is the same frame either way.
    """
    spec = TABLE_COLUMNS[table]
    length = len(next(iter(columns.values()))) if columns else 0
    if length == 0 or set(columns) != set(spec):
        return build_frame(table, _rows(spec, columns, length))
    out: dict[str, Any] = {}
    for column, kind in spec.items():
        built = _column(kind, columns[column])
        if built is None:
            # build_frame decides (and raises for a naive datetime as it always has).
            return build_frame(table, _rows(spec, columns, length))
        out[column] = built
    return pd.DataFrame(out, index=pd.RangeIndex(length))


def _rows(spec: Mapping[str, str], columns: Mapping[str, Any], length: int) -> list[dict]:
    names = [c for c in spec if c in columns]
    lists = [list(columns[c]) for c in names]
    return [dict(zip(names, values, strict=True)) for values in zip(*lists, strict=True)] or [
        {} for _ in range(length)
    ]


def _distinct(values: Any) -> list[Any]:
    return list(dict.fromkeys(values))


def _is_aware(value: datetime) -> bool:
    return value.tzinfo is not None and value.tzinfo.utcoffset(value) is not None


# NumPy dtypes a column may arrive in already converted, per kind.
_ARRAY_DTYPES = {"int": np.dtype(np.int64), "float": np.dtype(np.float64)}
# What ``build_frame`` makes of text and of aware datetimes, read off pandas once so the
# direct path below can never drift from it.
_STR_SAMPLE = pd.array(["x"], dtype="str")
_ARROW_STR_TYPE = getattr(_STR_SAMPLE, "_pa_array", None)
_ARROW_STR_TYPE = _ARROW_STR_TYPE.type if _ARROW_STR_TYPE is not None else None
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UTC_SAMPLE = pd.to_datetime([_EPOCH + timedelta(microseconds=1)], utc=True)
_UTC_DTYPE = _UTC_SAMPLE.dtype
_UTC_DIRECT = _UTC_SAMPLE.unit == "us" and str(_UTC_DTYPE.tz) == "UTC"
_ONE_US = timedelta(microseconds=1)
_NAT = np.iinfo(np.int64).min


def _str_array(values: list[str]) -> Any:
    if type(_STR_SAMPLE) is pd.arrays.ArrowStringArray:
        return pd.arrays.ArrowStringArray(
            pa.array(values, type=_ARROW_STR_TYPE), dtype=_STR_SAMPLE.dtype
        )
    return pd.array(values, dtype="str")


def _utc_array(values: list[datetime | None], distinct: list[datetime | None]) -> Any:
    """Aware datetimes (and None) as ``pd.to_datetime(values, utc=True)`` returns them."""
    if not _UTC_DIRECT:
        index = pd.to_datetime(distinct, utc=True)
        position = {v: i for i, v in enumerate(distinct)}
        return index.take([position[v] for v in values]).array
    micros = {v: _NAT if v is None else (v - _EPOCH) // _ONE_US for v in distinct}
    ticks = np.fromiter((micros[v] for v in values), dtype=np.int64, count=len(values))
    return pd.DatetimeIndex(ticks.view("datetime64[us]")).tz_localize(UTC).array


def _column(kind: str, values: Any) -> Any:
    """The column in its final dtype, or None when only ``build_frame`` can tell."""
    if isinstance(values, np.ndarray):
        if values.ndim != 1 or _ARRAY_DTYPES.get(kind) != values.dtype:
            return None
        if kind == "int":
            return pd.arrays.IntegerArray(values, np.zeros(len(values), dtype=bool))
        return values
    if kind == "utc":
        distinct = _distinct(values)
        types = set(map(type, distinct))
        if not types <= {datetime, type(None)} or datetime not in types:
            return None
        if any(v is not None and not _is_aware(v) for v in distinct):
            return None  # build_frame raises for it
        return _utc_array(values, distinct)
    if kind == "int":
        if set(map(type, values)) != {int}:
            return None
        try:
            array = np.asarray(values, dtype=np.int64)
        except OverflowError:
            return None
        return pd.arrays.IntegerArray(array, np.zeros(len(array), dtype=bool))
    if kind == "float":
        if set(map(type, values)) != {float}:
            return None
        return np.asarray(values, dtype=np.float64)
    if kind == "str":
        if set(map(type, values)) != {str}:
            return None
        return _str_array(values)
    if kind == "bool":
        if set(map(type, values)) != {bool}:
            return None
        return pd.array(values, dtype="boolean")
    if kind == "object":
        types = set(map(type, values))
        if not types <= {date, type(None)} or date not in types:
            return None
        array = np.empty(len(values), dtype=object)
        array[:] = values
        return array
    return None


def quarantine_body(error: PayloadError, target_table: str) -> QuarantineRecord:
    """The quarantine record for a whole unusable body (not JSON, wrong top-level shape)."""
    return QuarantineRecord(
        target_table=target_table,
        endpoint=error.endpoint,
        reason=str(error),
        raw=error.raw,
        raw_text=error.raw_text,
    )


class Rejects:
    """Collects quarantine records for one normalisation call, all tagged with its endpoint."""

    def __init__(self, endpoint: str | None) -> None:
        self.endpoint = endpoint
        self.records: list[QuarantineRecord] = []

    def add(self, target_table: str, reason: str, raw: Any) -> None:
        self.records.append(QuarantineRecord(target_table, self.endpoint, reason, raw))


def record_list(payload: Any, what: str, endpoint: str | None) -> list[Any]:
    """The records of a body that is a list or a ``{"data": [...]}`` page, else PayloadError."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict) and isinstance(payload.get("data"), list):
        return payload["data"]
    raise PayloadError(
        f"{what}: expected a JSON list or an object with a 'data' list, got "
        f"{type(payload).__name__}; quarantine the body and fail the run",
        raw=payload,
        endpoint=endpoint,
    )
