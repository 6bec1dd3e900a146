"""Reference rows feeds discover as they go: books, players, provider ids.

Registration is insert-if-missing under an advisory lock, so two runs that meet the same
new player at once still register one player.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from sqlalchemy import Engine, text


def book_ids(engine: Engine, books: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Map book keys to ids, registering unknown books (as retail) on the way."""
    rows = [{"key": k, "title": t} for k, t in dict(books).items()]
    if not rows:
        return {}
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO nba.books (book_key, title) VALUES (:key, :title)"
                " ON CONFLICT (book_key) DO NOTHING"
            ),
            rows,
        )
        found = conn.execute(
            text("SELECT book_key, book_id FROM nba.books WHERE book_key = ANY(:keys)"),
            {"keys": [r["key"] for r in rows]},
        )
        return {k: int(i) for k, i in found}


def player_ids(engine: Engine, source: str, players: pd.DataFrame) -> dict[str, int]:
    """Map a provider's player ids to internal ids, creating players seen for the first time.

    ``players`` has columns ``source_player_id, first_name, last_name`` and optionally
    ``position``.
    """
    if players.empty:
        return {}
    players = players.drop_duplicates("source_player_id").astype({"source_player_id": str})
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('nba.players'))"))
        known = dict(
            conn.execute(
                text(
                    "SELECT source_id, internal_id FROM nba.source_ids WHERE entity = 'player'"
                    " AND source = :source AND source_id = ANY(:ids)"
                ),
                {"source": source, "ids": players["source_player_id"].tolist()},
            ).all()
        )
        for row in players[~players["source_player_id"].isin(known)].itertuples(index=False):
            position = getattr(row, "position", None)
            new_id = conn.execute(
                text(
                    "INSERT INTO nba.players (first_name, last_name, position)"
                    " VALUES (:f, :l, :p) RETURNING player_id"
                ),
                {"f": row.first_name, "l": row.last_name, "p": position or None},
            ).scalar_one()
            conn.execute(
                text(
                    "INSERT INTO nba.source_ids (entity, source, source_id, internal_id)"
                    " VALUES ('player', :source, :sid, :iid)"
                ),
                {"source": source, "sid": row.source_player_id, "iid": new_id},
            )
            known[row.source_player_id] = new_id
    return {str(k): int(v) for k, v in known.items()}


def register_source_ids(engine: Engine, entity: str, source: str, ids: dict[str, int]) -> None:
    """Remember provider ids of teams or games (first sighting wins; never rewritten)."""
    if not ids:
        return
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO nba.source_ids (entity, source, source_id, internal_id)"
                " VALUES (:entity, :source, :sid, :iid) ON CONFLICT DO NOTHING"
            ),
            [
                {"entity": entity, "source": source, "sid": str(k), "iid": int(v)}
                for k, v in ids.items()
            ],
        )
