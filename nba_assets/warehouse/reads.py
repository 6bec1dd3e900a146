"""Point-in-time reads the model and scoring layers share.

Every read takes ``at`` (facts that had happened by then) and ``known_at`` (what the
warehouse had learned by then). A backfill of a past slate reads events up to the
slate's scoring instant with everything learned since; a live tick uses now for both.
The schedule itself is known ahead, so games are bounded by knowledge time only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pandas as pd
from sqlalchemy import Engine, text

from nba_assets.core.slates import require_aware, slate_window

# When both feeds describe a game or a result, the stats feed's view is preferred.
_SOURCE_RANK = """CASE WHEN source LIKE '%%balldontlie' THEN 0 WHEN source LIKE '%%odds_api'
                  THEN 1 ELSE 2 END"""


def season_game_ids(season: int) -> tuple[int, int]:
    return (season * 10_000 + 801) * 100, ((season + 1) * 10_000 + 731) * 100 + 99


def slate_game_ids(slate: date) -> tuple[int, int]:
    base = (slate.year * 10_000 + slate.month * 100 + slate.day) * 100
    return base, base + 99


def _read(engine: Engine, sql: str, **params: object) -> pd.DataFrame:
    for name, value in params.items():
        if isinstance(value, datetime):
            require_aware(value, name)
    with engine.connect() as conn:
        return pd.read_sql_query(text(sql), conn, params=params)


def games(engine: Engine, id_range: tuple[int, int], known_at: datetime) -> pd.DataFrame:
    """The latest known version of each game, one row per game."""
    return _read(
        engine,
        f"""SELECT DISTINCT ON (game_id) game_id, slate_date, season, home_team_id,
                   away_team_id, commence_time, status, source
            FROM nba.games
            WHERE game_id BETWEEN :lo AND :hi AND ingested_at <= :known_at
            ORDER BY game_id, {_SOURCE_RANK}, version DESC""",
        lo=id_range[0],
        hi=id_range[1],
        known_at=known_at,
    )


def results(
    engine: Engine, id_range: tuple[int, int], at: datetime, known_at: datetime
) -> pd.DataFrame:
    """Final scores known at ``known_at`` of games completed by ``at``."""
    return _read(
        engine,
        f"""SELECT DISTINCT ON (game_id) game_id, home_score, away_score, final, completed_at
            FROM nba.game_results
            WHERE game_id BETWEEN :lo AND :hi AND final AND completed_at <= :at
              AND ingested_at <= :known_at
            ORDER BY game_id, {_SOURCE_RANK}, version DESC""",
        lo=id_range[0],
        hi=id_range[1],
        at=at,
        known_at=known_at,
    )


def past_totals(
    engine: Engine, id_range: tuple[int, int], at: datetime, known_at: datetime
) -> pd.DataFrame:
    """Each finished game's last pre-game model total beside its final total.

    The residuals estimate the total's sigma; only predictions made and results
    completed by ``at`` count, so the estimate cannot look ahead either.
    """
    return _read(
        engine,
        f"""WITH p AS (
               SELECT DISTINCT ON (game_id) game_id, pred_total FROM nba.model_predictions
               WHERE game_id BETWEEN :lo AND :hi AND model = 'model_edge'
                 AND pred_total IS NOT NULL AND predicted_at <= :at
                 AND ingested_at <= :known_at
               ORDER BY game_id, predicted_at DESC),
            r AS (
               SELECT DISTINCT ON (game_id) game_id, home_score + away_score AS actual_total
               FROM nba.game_results
               WHERE game_id BETWEEN :lo AND :hi AND final AND completed_at <= :at
                 AND ingested_at <= :known_at
               ORDER BY game_id, {_SOURCE_RANK}, version DESC)
            SELECT p.game_id, p.pred_total, r.actual_total FROM p JOIN r USING (game_id)""",
        lo=id_range[0],
        hi=id_range[1],
        at=at,
        known_at=known_at,
    )


def player_stats(
    engine: Engine, id_range: tuple[int, int], at: datetime, known_at: datetime
) -> pd.DataFrame:
    return _read(
        engine,
        """SELECT DISTINCT ON (game_id, player_id) game_id, player_id, team_id, minutes, pts,
                  reb, ast, stl, blk, turnover, pf, fgm, fga, fg3m, fg3a, ftm, fta, oreb, dreb,
                  plus_minus, observed_at
           FROM nba.player_stats
           WHERE game_id BETWEEN :lo AND :hi AND observed_at <= :at AND ingested_at <= :known_at
           ORDER BY game_id, player_id, version DESC""",
        lo=id_range[0],
        hi=id_range[1],
        at=at,
        known_at=known_at,
    )


def injuries(engine: Engine, at: datetime, known_at: datetime, lookback_days: int = 60):
    """Every injury report version issued in the weeks before ``at``."""
    return _read(
        engine,
        """SELECT player_id, team_id, status, play_probability, description, return_date,
                  reported_at
           FROM nba.injuries
           WHERE reported_at <= :at AND reported_at > :since AND ingested_at <= :known_at
           ORDER BY reported_at""",
        at=at,
        since=at - timedelta(days=lookback_days),
        known_at=known_at,
    )


def injury_report_as_of(
    engine: Engine, source: str, at: datetime, known_at: datetime | None = None
) -> pd.DataFrame:
    """Each player's latest report from ``source`` at ``at``, shaped like a fresh poll.

    The stored side of "who is on the injury report": a writer compares a new poll with
    it to take players the provider stopped listing off the report, which a single live
    poll cannot see by itself. Players come back with the provider's id and their names
    (``source_player_id``, ``player_first_name`` ...), the columns the feed normaliser
    hands over, so the two frames line up. ``known_at`` None reads everything stored:
    what a writer compares with, as the versioned append does (under a simulated clock,
    knowledge time is the database's real clock and would hide every row).
    """
    frame = _read(
        engine,
        """SELECT DISTINCT ON (i.player_id) s.source_id::bigint AS source_player_id,
                  p.first_name AS player_first_name, p.last_name AS player_last_name,
                  p.position AS player_position, i.team_id, i.status, i.status_raw,
                  i.description, i.return_date, i.return_date_raw, i.reported_at
           FROM nba.injuries i JOIN nba.players p USING (player_id)
           JOIN nba.source_ids s ON s.entity = 'player' AND s.source = i.source
                AND s.internal_id = i.player_id
           WHERE i.source = :source AND i.reported_at <= :at
             AND (CAST(:known_at AS timestamptz) IS NULL OR i.ingested_at <= :known_at)
           ORDER BY i.player_id, i.reported_at DESC, i.version DESC""",
        source=source,
        at=at,
        known_at=known_at,
    )
    return frame.astype({"source_player_id": "Int64", "team_id": "Int64"}).assign(
        reported_at=pd.to_datetime(frame["reported_at"], utc=True)
    )


def team_stats(engine: Engine, as_of_date: date, known_at: datetime) -> pd.DataFrame:
    return _read(
        engine,
        """SELECT DISTINCT ON (team_id) team_id, as_of_date, games_played, wins, losses,
                  off_rating, def_rating, net_rating, pace, margin_avg, last10_net, inputs_as_of
           FROM nba.team_stats WHERE as_of_date = :d AND ingested_at <= :known_at
           ORDER BY team_id, version DESC""",
        d=as_of_date,
        known_at=known_at,
    )


def schedule_context(engine: Engine, slate: date, known_at: datetime) -> pd.DataFrame:
    lo, hi = slate_game_ids(slate)
    return _read(
        engine,
        """SELECT DISTINCT ON (game_id, team_id) game_id, team_id, is_home, rest_days,
                  back_to_back, back_to_back_second, games_last_4_nights, games_last_6_nights,
                  travel_km, tz_shift_hours, home_streak, road_streak
           FROM nba.schedule_context
           WHERE game_id BETWEEN :lo AND :hi AND ingested_at <= :known_at
           ORDER BY game_id, team_id, version DESC""",
        lo=lo,
        hi=hi,
        known_at=known_at,
    )


def board(engine: Engine, slate: date, at: datetime, known_at: datetime) -> pd.DataFrame:
    """Each book's current lines for a slate at ``at``: its latest snapshot per market.

    A point a book stopped offering (the line moved) is not on the board any more.
    """
    lo, hi = slate_game_ids(slate)
    return _current(
        _read(
            engine,
            """SELECT DISTINCT ON (o.game_id, o.book_id, o.market, o.outcome, o.point)
                  o.game_id, o.book_id, o.market::text AS market, o.outcome::text AS outcome,
                  o.point::float8 AS point, o.price_decimal::float8 AS price_decimal,
                  o.snapshot_time, b.tier
           FROM nba.odds_snapshots o JOIN nba.books b USING (book_id)
           WHERE o.game_id BETWEEN :lo AND :hi AND o.snapshot_time > :opens
             AND o.snapshot_time <= :at AND o.ingested_at <= :known_at
           ORDER BY o.game_id, o.book_id, o.market, o.outcome, o.point, o.snapshot_time DESC""",
            lo=lo,
            hi=hi,
            opens=slate_window(slate)[0] - timedelta(days=3),
            at=at,
            known_at=known_at,
        )
    )


def closing_board(engine: Engine, slate: date, known_at: datetime) -> pd.DataFrame:
    """Each game's last lines before its own tip-off at every book: the closing line."""
    lo, hi = slate_game_ids(slate)
    return _current(
        _read(
            engine,
            """WITH tips AS (
               SELECT DISTINCT ON (game_id) game_id, commence_time FROM nba.games
               WHERE game_id BETWEEN :lo AND :hi AND ingested_at <= :known_at
               ORDER BY game_id, version DESC)
           SELECT DISTINCT ON (o.game_id, o.book_id, o.market, o.outcome, o.point)
                  o.game_id, o.book_id, o.market::text AS market, o.outcome::text AS outcome,
                  o.point::float8 AS point, o.price_decimal::float8 AS price_decimal,
                  o.snapshot_time, b.tier
           FROM nba.odds_snapshots o JOIN tips t USING (game_id) JOIN nba.books b USING (book_id)
           WHERE o.game_id BETWEEN :lo AND :hi AND o.snapshot_time > :opens
             AND o.snapshot_time < t.commence_time AND o.ingested_at <= :known_at
           ORDER BY o.game_id, o.book_id, o.market, o.outcome, o.point, o.snapshot_time DESC""",
            lo=lo,
            hi=hi,
            opens=slate_window(slate)[0] - timedelta(days=3),
            known_at=known_at,
        )
    )


def _current(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    newest = frame.groupby(["game_id", "book_id", "market"])["snapshot_time"].transform("max")
    return frame[frame["snapshot_time"] == newest].reset_index(drop=True)
