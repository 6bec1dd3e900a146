"""From an odds history to a board: each book's current prices as of an instant.

The market_consensus algorithm and the closing line both need "each book's prices as of an
instant", never an average over time. A book's market (game, book, market) is taken whole
from its latest snapshot: every poll returns a book's full market, so when a book moves its
spread from -3.5 to -4 the -3.5 quote is gone, not a stale price that would pair with, and
be scored against, the current market. Selection runs on integer keys (see
:mod:`nba_assets.analytics.keys`) with one ``maximum.at`` pass, so a season of snapshots is
reduced without sorting it.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nba_assets.analytics.columns import MARKETS, require_columns
from nba_assets.analytics.keys import category_codes, combine_codes, dense_codes
from nba_assets.core.slates import require_aware

ODDS_KEY = ("game_id", "book_id", "market", "outcome", "point")


def _market_codes(odds: pd.DataFrame) -> tuple[NDArray, int]:
    """Codes of (game, book, market): the unit a snapshot replaces."""
    market = category_codes(odds["market"], MARKETS, "market")
    return combine_codes(
        [
            dense_codes(odds["game_id"].to_numpy(dtype=np.int64)),
            dense_codes(odds["book_id"].to_numpy(dtype=np.int64)),
            (market, 3),
        ]
    )


def _ticks(values: pd.Series | pd.DatetimeIndex) -> NDArray[np.int64]:
    """Nanoseconds since the epoch whatever the column's resolution."""
    stamps = pd.DatetimeIndex(pd.to_datetime(values, utc=True)).as_unit("ns")
    return np.asarray(stamps.asi8, dtype=np.int64)


def _latest_before(odds: pd.DataFrame, eligible: NDArray[np.bool_]) -> pd.DataFrame:
    """Among eligible rows, each (game, book, market)'s rows from its latest snapshot."""
    require_columns(odds, (*ODDS_KEY, "snapshot_time"), "odds")
    if not eligible.any():
        return odds.iloc[0:0].reset_index(drop=True)
    key, size = _market_codes(odds)
    ticks = _ticks(odds["snapshot_time"])
    best = np.full(size, np.iinfo(np.int64).min, dtype=np.int64)
    np.maximum.at(best, key[eligible], ticks[eligible])
    picked = odds[eligible & (ticks == best[key])]
    # Exact duplicates (same key and instant) can only come from a caller concatenating
    # frames; keep one so the board has one price per key.
    return picked.drop_duplicates(list(ODDS_KEY), keep="last").reset_index(drop=True)


def latest_board(odds: pd.DataFrame, at: datetime) -> pd.DataFrame:
    """Each book's latest snapshot of each market with ``snapshot_time <= at`` (none later)."""
    at = require_aware(at, "at")
    ticks = _ticks(odds["snapshot_time"])
    return _latest_before(odds, ticks <= pd.Timestamp(at).as_unit("ns").value)


def closing_board(odds: pd.DataFrame, games: pd.DataFrame) -> pd.DataFrame:
    """Each book's last snapshot of each market strictly before its game's tip-off.

    ``games`` gives game_id and commence_time (the latest version per game is used, so a
    rescheduled tip-off moves the close with it). Games without a tip-off are left out.
    """
    require_columns(games, ("game_id", "commence_time"), "games")
    latest = games.drop_duplicates("game_id", keep="last").dropna(subset=["commence_time"])
    where = pd.Index(latest["game_id"]).get_indexer(odds["game_id"])
    tip_ticks = _ticks(latest["commence_time"])
    known = where >= 0
    limit = np.where(known, tip_ticks[np.maximum(where, 0)] if tip_ticks.size else 0, 0)
    eligible = known & (_ticks(odds["snapshot_time"]) < limit)
    return _latest_before(odds, eligible)
