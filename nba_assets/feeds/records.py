"""What the normalisers hand the warehouse: table-shaped frames and quarantine records.

Column names match ``nba`` tables except where the feed cannot know the internal id yet
(``book_key`` instead of ``book_id``, ``source_player_id`` instead of ``player_id``): the
warehouse layer resolves those, registering books and players it has not seen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

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
