"""Point-in-time reads: what the warehouse knew at an instant (DESIGN §3.4).

Two clocks bound every read. ``known_at`` bounds knowledge time (``ingested_at``): rows the
platform learned later are invisible. ``at`` bounds event time (the snapshot, report or
prediction instant): facts that had not happened yet are invisible. For a live replay both
are the same instant; a backtest over history loaded today reads events up to each game's
``at`` with today's knowledge.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, text

from nba_assets.core.slates import require_aware, slate_of_game_id, slate_window
from nba_assets.warehouse.tables import fact_table

# How long before its slate a game's odds can be posted. Every writer stays well inside it
# (history from 10:00 ET the day before, live polls of today's slate, archive opens the day
# before), as does ``reads.board``; the bound lets PostgreSQL prune the monthly partitions
# of odds_snapshots down to one on most days instead of probing two for every key.
ODDS_LOOKBACK = timedelta(days=3)


def as_of(
    engine: Engine,
    table: str,
    at: datetime,
    *,
    known_at: datetime | None = None,
    where: dict[str, object] | None = None,
) -> pd.DataFrame:
    """The latest row per entity of ``table`` as known at ``known_at`` (default ``at``).

    ``where`` adds equality filters (column -> value), e.g. ``{"game_id": 2023102414}``.
    """
    spec = fact_table(table)
    at = require_aware(at, "at")
    known_at = require_aware(known_at, "known_at") if known_at is not None else at
    entity = ", ".join(f'"{c}"' for c in spec.entity_key)
    order = [f'"{c}"' for c in spec.entity_key]
    conditions = ["ingested_at <= :known_at"]
    params: dict[str, object] = {"known_at": known_at, "at": at}
    if spec.event_time:
        conditions.append(f'"{spec.event_time}" <= :at')
        order.append(f'"{spec.event_time}" DESC')
    if spec.versioned:
        order.append("version DESC")
    order.append("ingested_at DESC")
    for i, (column, value) in enumerate((where or {}).items()):
        if column not in _columns(engine, table):
            raise ValueError(f"nba.{table} has no column {column!r}")
        conditions.append(f'"{column}" = :w{i}')
        params[f"w{i}"] = value
    sql = (
        f"SELECT DISTINCT ON ({entity}) * FROM {spec.qualified}"
        f" WHERE {' AND '.join(conditions)} ORDER BY {', '.join(order)}"
    )
    with engine.connect() as conn:
        return pd.read_sql_query(text(sql), conn, params=params)


# Each book's current price per (market, outcome) of one game at T. The books that priced
# the game come from a skip scan of the key index (one step per book); then one backward
# index step per (book, market, outcome) finds the latest snapshot at or before T. About 80
# index probes, against DISTINCT ON's scan over every price the game ever had
# (bench/board_as_of.py). ``opens`` and ``at`` bound every step, so PostgreSQL prunes
# the monthly partitions to the one or two the game's prices live in.
BOARD_SQL = """
WITH RECURSIVE books AS (
    (SELECT book_id FROM nba.odds_snapshots
     WHERE game_id = :game_id AND snapshot_time > :opens AND snapshot_time <= :at
     ORDER BY book_id LIMIT 1)
    UNION ALL
    SELECT n.book_id FROM books b CROSS JOIN LATERAL (
        SELECT o.book_id FROM nba.odds_snapshots o
        WHERE o.game_id = :game_id AND o.snapshot_time > :opens AND o.snapshot_time <= :at
          AND o.book_id > b.book_id
        ORDER BY o.book_id LIMIT 1) n
), sides (market, outcome) AS (
    VALUES ('h2h'::nba.market, 'home'::nba.outcome), ('h2h', 'away'), ('spreads', 'home'),
           ('spreads', 'away'), ('totals', 'over'), ('totals', 'under')
)
SELECT p.* FROM books b CROSS JOIN sides s CROSS JOIN LATERAL (
    SELECT o.game_id, o.book_id, o.market::text AS market, o.outcome::text AS outcome, o.point,
           o.snapshot_time, o.price_decimal, o.price_american,
           o.price_format::text AS price_format, o.last_update, o.ingested_at
    FROM nba.odds_snapshots o
    WHERE o.game_id = :game_id AND o.book_id = b.book_id AND o.market = s.market
      AND o.outcome = s.outcome AND o.snapshot_time > :opens AND o.snapshot_time <= :at
      AND o.ingested_at <= :known_at
    ORDER BY o.snapshot_time DESC LIMIT 1) p
ORDER BY p.book_id, p.market, p.outcome
"""


def board_as_of(
    engine: Engine, game_id: int, at: datetime, *, known_at: datetime | None = None
) -> pd.DataFrame:
    """Each book's current price per market and outcome of one game at ``at``.

    A line that moved shows at its latest point only: the board a bettor saw at ``at``,
    one row per (book, market, outcome) with the point and price of the book's latest
    snapshot at or before ``at`` that the warehouse knew by ``known_at``.
    """
    at = require_aware(at, "at")
    known_at = require_aware(known_at, "known_at") if known_at is not None else at
    opens = slate_window(slate_of_game_id(game_id))[0] - ODDS_LOOKBACK
    params = {"game_id": game_id, "opens": opens, "at": at, "known_at": known_at}
    with engine.connect() as conn:
        return pd.read_sql_query(text(BOARD_SQL), conn, params=params)


def _columns(engine: Engine, table: str) -> set[str]:
    from nba_assets.warehouse.validation import table_columns

    return {c.name for c in table_columns(engine, table)}
