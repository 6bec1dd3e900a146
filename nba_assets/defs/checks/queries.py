"""Reads the checks share: a slate's rows, its games, its quarantine."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, text


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


def slate_odds(engine: Engine, slate: date) -> pd.DataFrame:
    lo, hi = game_id_range(slate)
    return read(
        engine,
        """SELECT snapshot_time, game_id, book_id, market::text AS market,
                  outcome::text AS outcome, point::float8 AS point,
                  price_decimal::float8 AS price_decimal, price_american, ingested_at
           FROM nba.odds_snapshots WHERE game_id BETWEEN :lo AND :hi""",
        lo=lo,
        hi=hi,
    )


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
