"""Small hand-checkable frames shared by the analytics tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from nba_assets.core.slates import game_id_for

T0 = datetime(2024, 1, 10, 18, 0, tzinfo=UTC)


def game(day: date, home: int, away: int, hour: int = 0, minute: int = 30) -> dict:
    """A game tipping off at ``hour:minute`` UTC on the day after the slate (7:30 pm ET)."""
    tip = datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) + timedelta(days=1)
    return {
        "game_id": game_id_for(day, home),
        "slate_date": day,
        "home_team_id": home,
        "away_team_id": away,
        "commence_time": pd.Timestamp(tip),
    }


def board(rows: list[tuple], tiers: dict[int, str], at: datetime = T0) -> pd.DataFrame:
    """Rows of (game_id, book_id, market, outcome, point, price_decimal[, snapshot_time])."""
    records = []
    for row in rows:
        game_id, book_id, market, outcome, point, price = row[:6]
        snapshot = row[6] if len(row) > 6 else at
        records.append(
            {
                "game_id": game_id,
                "book_id": book_id,
                "market": market,
                "outcome": outcome,
                "point": float(point),
                "price_decimal": float(price),
                "snapshot_time": pd.Timestamp(snapshot),
                "tier": tiers[book_id],
            }
        )
    return pd.DataFrame(records)


def random_board(
    rng: np.random.Generator,
    n_games: int,
    n_books: int,
    *,
    one_sided_share: float = 0.05,
    snapshots: int = 1,
) -> pd.DataFrame:
    """A messy board: alternate lines, missing books, one-sided quotes, several snapshots."""
    records = []
    for g in range(n_games):
        game_id = 2024011000 + g + 1
        for s in range(snapshots):
            snap = pd.Timestamp(T0 + timedelta(minutes=15 * s))
            spreads = rng.choice(
                [-7.5, -3.0, -2.5, 1.5, 4.0], size=rng.integers(1, 3), replace=False
            )
            totals = rng.choice([219.5, 221.0, 224.5], size=rng.integers(1, 3), replace=False)
            for book in range(1, n_books + 1):
                if rng.random() < 0.2:
                    continue
                markets = [("h2h", "home", "away", 0.0)]
                markets += [("spreads", "home", "away", float(p)) for p in spreads]
                markets += [("totals", "over", "under", float(t)) for t in totals]
                for market, first, second, point in markets:
                    p = rng.uniform(0.15, 0.85)
                    margin = rng.uniform(1.02, 1.08)
                    sides = [
                        (first, point, p),
                        (second, -point if market == "spreads" else point, 1 - p),
                    ]
                    if rng.random() < one_sided_share:
                        sides = sides[:1] if rng.random() < 0.5 else sides[1:]
                    for outcome, pt, prob in sides:
                        records.append(
                            {
                                "game_id": game_id,
                                "book_id": book,
                                "market": market,
                                "outcome": outcome,
                                "point": pt,
                                "price_decimal": round(1.0 / (prob * margin), 4),
                                "snapshot_time": snap,
                                "tier": "sharp" if book == 1 else "retail",
                            }
                        )
    return pd.DataFrame(records)
