"""Feed output into the warehouse: resolve provider keys, append, quarantine, log calls.

Feeds hand over frames keyed by what a provider knows (book keys, provider player ids);
this module turns those into internal ids (registering new books and players), appends
through ``append_idempotent`` and keeps every rejected record and every HTTP attempt.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import asdict

import pandas as pd
from sqlalchemy import Engine

from nba_assets.feeds.errors import PayloadError
from nba_assets.feeds.http import FeedRequest
from nba_assets.feeds.records import QuarantineRecord, quarantine_body
from nba_assets.warehouse.append import AppendResult, append_idempotent
from nba_assets.warehouse.registry import book_ids, player_ids, register_source_ids

_PLAYER_COLUMNS = ("player_first_name", "player_last_name", "player_position")


def odds_rows(engine: Engine, odds: pd.DataFrame, source: str) -> pd.DataFrame:
    """Normalised odds -> ``odds_snapshots`` rows; books are registered on first sight."""
    if odds.empty:
        return odds.drop(columns=["book_key", "book_title", "source_event_id"], errors="ignore")
    books = odds[["book_key", "book_title"]].drop_duplicates()
    ids = book_ids(engine, zip(books["book_key"], books["book_title"], strict=True))
    events = odds.drop_duplicates("source_event_id")
    register_source_ids(
        engine, "game", source, dict(zip(events["source_event_id"], events["game_id"], strict=True))
    )
    return odds.assign(book_id=odds["book_key"].map(ids)).drop(
        columns=["book_key", "book_title", "source_event_id"]
    )


def markets_rows(odds: pd.DataFrame) -> pd.DataFrame:
    """The markets offered per game, first seen at the earliest snapshot that priced them."""
    if odds.empty:
        return pd.DataFrame(columns=["game_id", "market", "point", "first_seen_at"])
    lines = odds.assign(point=odds["point"].where(odds["outcome"] != "away", -odds["point"]))
    return (
        lines.groupby(["game_id", "market", "point"], as_index=False)["snapshot_time"]
        .min()
        .rename(columns={"snapshot_time": "first_seen_at"})
    )


def player_rows(engine: Engine, frame: pd.DataFrame, source: str) -> pd.DataFrame:
    """Replace provider player ids and names by internal ``player_id``s."""
    if frame.empty:
        return frame.drop(columns=["source_player_id", *_PLAYER_COLUMNS], errors="ignore").assign(
            player_id=pd.Series(dtype="Int64")
        )
    players = pd.DataFrame(
        {
            "source_player_id": frame["source_player_id"].astype(str),
            "first_name": frame["player_first_name"].fillna(""),
            "last_name": frame["player_last_name"].fillna(""),
            "position": frame["player_position"],
        }
    )
    ids = player_ids(engine, source, players)
    return frame.assign(player_id=players["source_player_id"].map(ids).astype("Int64")).drop(
        columns=["source_player_id", *_PLAYER_COLUMNS]
    )


def games_source_ids(engine: Engine, games: pd.DataFrame, source: str) -> None:
    if not games.empty and "source_game_id" in games:
        known = games.dropna(subset=["source_game_id"])
        register_source_ids(
            engine,
            "game",
            source,
            dict(zip(known["source_game_id"].astype(str), known["game_id"], strict=True)),
        )


def write_quarantine(
    engine: Engine,
    records: Iterable[QuarantineRecord],
    *,
    run_id: str | uuid.UUID,
    source: str,
    partition_key: str | None,
) -> int:
    rows = [
        {
            "target_table": r.target_table,
            "endpoint": r.endpoint,
            "reason": r.reason,
            "raw": _jsonable(r.raw),
            "raw_text": r.raw_text,
            "partition_key": partition_key,
        }
        for r in records
    ]
    if not rows:
        return 0
    frame = pd.DataFrame(rows)
    frame["raw"] = frame["raw"].astype(object).where(frame["raw"].notna(), None)
    return append_idempotent(engine, "quarantine", frame, run_id=run_id, source=source).inserted


def quarantine_whole_body(
    engine: Engine,
    error: PayloadError,
    target_table: str,
    *,
    run_id: str | uuid.UUID,
    source: str,
    partition_key: str | None,
) -> int:
    """Keep a body that could not be read at all (not JSON, wrong top-level shape) whole.

    The row carries the raw JSON or, for a body that is not JSON, its text; the caller
    fails the run afterwards. Returns the rows written (1).
    """
    return write_quarantine(
        engine,
        [quarantine_body(error, target_table)],
        run_id=run_id,
        source=source,
        partition_key=partition_key,
    )


def write_feed_requests(
    engine: Engine, requests: Iterable[FeedRequest], *, run_id: str | uuid.UUID
) -> AppendResult | None:
    rows = [asdict(r) for r in requests]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    frame["params"] = frame["params"].map(lambda p: p or {})
    return append_idempotent(engine, "feed_requests", frame, run_id=run_id, source="feeds")


def _jsonable(raw: object) -> object:
    """Keep JSON payloads as JSON; anything else (bytes, odd objects) as their text."""
    if raw is None:
        return None
    try:
        json.dumps(raw, allow_nan=False)
    except (TypeError, ValueError):
        return {"unparsed": repr(raw)[:10_000]}
    return raw
