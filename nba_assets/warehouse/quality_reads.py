"""The reads the data-quality scores need, beyond the ones the checks already share.

Each takes the slate and ``known_at`` (what the warehouse had learned by then), so a score
recomputed later for the same instant sees the same rows. Latest versions are read per
(key, source): quality compares the two feeds, so neither may hide the other. Game ids
carry their slate (``reads.slate_game_ids``), so every fact read is an index range scan.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, text

from nba_assets.core.slates import require_aware, slate_window
from nba_assets.warehouse.reads import slate_game_ids

# A book "should price" a slate when it priced any game in the week up to it.
BOOK_LOOKBACK = timedelta(days=7)
# Injury reports are versions: a player's status at tip-off may date from weeks before.
INJURY_LOOKBACK = timedelta(days=60)
# Polls around the slate: the day before (injury reports) to the morning after (results).
POLL_MARGIN = timedelta(days=2)


def _read(engine: Engine, sql: str, **params: object) -> pd.DataFrame:
    for name, value in params.items():
        if isinstance(value, datetime):
            require_aware(value, name)
    with engine.connect() as conn:
        return pd.read_sql_query(text(sql), conn, params=params)


def games(engine: Engine, slate: date, known_at: datetime) -> pd.DataFrame:
    """The latest version of each game per source, with when that source first saw it."""
    lo, hi = slate_game_ids(slate)
    return _read(
        engine,
        """SELECT DISTINCT ON (game_id, source) game_id, source, status, commence_time,
                  home_team_id, away_team_id, observed_at,
                  min(observed_at) OVER (PARTITION BY game_id, source) AS first_observed_at
           FROM nba.games
           WHERE game_id BETWEEN :lo AND :hi AND ingested_at <= :known_at
           ORDER BY game_id, source, version DESC""",
        lo=lo,
        hi=hi,
        known_at=known_at,
    )


def books(engine: Engine, slate: date, known_at: datetime) -> pd.DataFrame:
    """Every book with its tier and ``expected``: whether it priced a game of the week up
    to the slate (the books a slate's games should be priced by)."""
    lo, _ = slate_game_ids(slate - BOOK_LOOKBACK)
    _, hi = slate_game_ids(slate)
    start, end = slate_window(slate)
    return _read(
        engine,
        """SELECT b.book_id, b.tier, EXISTS (
                  SELECT FROM nba.odds_snapshots o
                  WHERE o.book_id = b.book_id AND o.game_id BETWEEN :lo AND :hi
                    AND o.snapshot_time > :since AND o.snapshot_time < :until
                    AND o.ingested_at <= :known_at) AS expected
           FROM nba.books b ORDER BY b.book_id""",
        lo=lo,
        hi=hi,
        # Odds are partitioned by month of snapshot_time: bound it so only a few are read.
        since=start - BOOK_LOOKBACK - timedelta(days=3),
        until=end,
        known_at=known_at,
    )


def box_scores(engine: Engine, slate: date, known_at: datetime) -> pd.DataFrame:
    """The latest box-score line per game, player and source."""
    lo, hi = slate_game_ids(slate)
    return _read(
        engine,
        """SELECT DISTINCT ON (game_id, player_id, source) game_id, player_id, team_id,
                  source, minutes, pts, reb, oreb, dreb, fgm, fga, fg3m, fg3a, ftm, fta,
                  observed_at
           FROM nba.player_stats
           WHERE game_id BETWEEN :lo AND :hi AND ingested_at <= :known_at
           ORDER BY game_id, player_id, source, version DESC""",
        lo=lo,
        hi=hi,
        known_at=known_at,
    )


def injury_reports(engine: Engine, slate: date, known_at: datetime) -> pd.DataFrame:
    """Every injury report version issued in the weeks up to the slate's end."""
    start, end = slate_window(slate)
    return _read(
        engine,
        """SELECT player_id, team_id, status, play_probability, reported_at
           FROM nba.injuries
           WHERE reported_at > :since AND reported_at < :until AND ingested_at <= :known_at
           ORDER BY reported_at""",
        since=start - INJURY_LOOKBACK,
        until=end,
        known_at=known_at,
    )


def polls(engine: Engine, slate: date, known_at: datetime) -> pd.DataFrame:
    """Successful feed calls from the day before the slate to the morning after it."""
    start, end = slate_window(slate)
    return _read(
        engine,
        """SELECT endpoint, requested_at FROM nba.feed_requests
           WHERE outcome = 'ok' AND requested_at >= :since AND requested_at < :until
             AND requested_at <= :known_at AND ingested_at <= :known_at
           ORDER BY requested_at""",
        since=start - POLL_MARGIN,
        until=end + POLL_MARGIN,
        known_at=known_at,
    )
