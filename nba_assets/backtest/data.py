"""One season's games, results and odds read from the warehouse, once, for a replay.

The replay needs, for every slate, "what was knowable at the scoring instant". Reading that
with one point-in-time query per slate (``warehouse.pit``) would cost hundreds of round
trips, so the season is read once with both of its clocks kept on every row, and the replay
filters on them itself (see :mod:`nba_assets.backtest.replay`):

* knowledge time: only rows ingested by ``known_at`` (default: now, i.e. a backtest over
  history loaded today uses today's knowledge of *when* things happened);
* event time: ``game_results.completed_at`` and ``odds_snapshots.snapshot_time`` are kept
  so that each slate sees only results completed and prices posted by its scoring instant.

Games (the schedule) are read without an event-time bound: the season's schedule is
published before the season starts and carries no outcome; the replay never reads
``games.status``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine, text

from nba_assets.core.slates import require_aware, utc_now
from nba_assets.warehouse.pit import ODDS_LOOKBACK


@dataclass(frozen=True)
class SeasonData:
    """The frames a replay reads; ``games`` holds one row per game (any source)."""

    season: int
    games: pd.DataFrame
    results: pd.DataFrame
    odds: pd.DataFrame
    known_at: datetime


GAME_COLUMNS = (
    "game_id", "slate_date", "season", "home_team_id", "away_team_id", "commence_time",
    "postseason", "neutral_site",
)  # fmt: skip
RESULT_COLUMNS = ("game_id", "home_score", "away_score", "periods", "final", "completed_at")
ODDS_COLUMNS = (
    "snapshot_time", "game_id", "book_id", "book_key", "tier", "market", "outcome", "point",
    "price_decimal",
)  # fmt: skip


def load_season(
    engine: Engine,
    season: int,
    *,
    books: list[str] | None = None,
    include_postseason: bool = False,
    known_at: datetime | None = None,
) -> SeasonData:
    """The season's games (regular season unless asked), their results and odds.

    A game several sources describe is neutral-site when any of them says so: the SBR
    archive marks neutral games (London, Mexico City) that the Kaggle file does not.

    ``books`` restricts odds to those book keys (e.g. ``["sbr_archive"]``) when several
    archives or feeds cover the same games.
    """
    known = require_aware(known_at, "known_at") if known_at is not None else utc_now()
    with engine.connect() as conn:
        games = pd.read_sql_query(
            text(
                "SELECT DISTINCT ON (game_id) game_id, slate_date, season, home_team_id,"
                " away_team_id, commence_time, postseason,"
                " bool_or(neutral_site) OVER (PARTITION BY game_id) AS neutral_site"
                " FROM nba.games"
                " WHERE season = :season AND ingested_at <= :known"
                " ORDER BY game_id, observed_at DESC, version DESC, source"
            ),
            conn,
            params={"season": season, "known": known},
        )
        if not include_postseason:
            games = games[~games["postseason"].astype(bool)]
        games = games.reset_index(drop=True)
        ids = [int(g) for g in games["game_id"]]
        results = pd.read_sql_query(
            text(
                "SELECT DISTINCT ON (game_id) game_id, home_score, away_score, periods, final,"
                " completed_at FROM nba.game_results"
                " WHERE game_id = ANY(:ids) AND ingested_at <= :known"
                " ORDER BY game_id, ingested_at DESC, version DESC, source"
            ),
            conn,
            params={"ids": ids, "known": known},
        )
        odds = _odds(conn, games, ids, known, books)
    games["slate_date"] = pd.to_datetime(games["slate_date"]).dt.date
    games["commence_time"] = pd.to_datetime(games["commence_time"], utc=True)
    results["completed_at"] = pd.to_datetime(results["completed_at"], utc=True)
    return SeasonData(season, games, results, odds, known)


def _odds(
    conn: Connection,
    games: pd.DataFrame,
    ids: list[int],
    known: datetime,
    books: list[str] | None,
) -> pd.DataFrame:
    if games.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in ODDS_COLUMNS})
    tips = pd.to_datetime(games["commence_time"], utc=True)
    # Bounds on snapshot_time let PostgreSQL prune the monthly partitions.
    lo = tips.min().to_pydatetime() - ODDS_LOOKBACK
    hi = tips.max().to_pydatetime() + timedelta(days=1)
    sql = (
        "SELECT o.snapshot_time, o.game_id, o.book_id, b.book_key, b.tier,"
        " o.market::text AS market, o.outcome::text AS outcome, o.point::float8 AS point,"
        " o.price_decimal::float8 AS price_decimal"
        " FROM nba.odds_snapshots o JOIN nba.books b USING (book_id)"
        " WHERE o.game_id = ANY(:ids) AND o.snapshot_time >= :lo AND o.snapshot_time < :hi"
        " AND o.ingested_at <= :known"
    )
    params: dict[str, object] = {"ids": ids, "lo": lo, "hi": hi, "known": known}
    if books:
        sql += " AND b.book_key = ANY(:books)"
        params["books"] = list(books)
    odds = pd.read_sql_query(text(sql), conn, params=params)
    odds["snapshot_time"] = pd.to_datetime(odds["snapshot_time"], utc=True)
    return odds
