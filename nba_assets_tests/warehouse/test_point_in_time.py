from __future__ import annotations

import uuid
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import text

from nba_assets.core.slates import NaiveDatetimeError
from nba_assets.warehouse.append import append_idempotent
from nba_assets.warehouse.pit import as_of, board_as_of
from nba_assets_tests.warehouse.samples import GAME, T0, sample_rows


def _ingested_at(engine, table: str) -> list:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT ingested_at FROM nba.{table} ORDER BY 1")).scalars().all()


def test_as_of_returns_the_version_known_at_each_instant(fresh_engine) -> None:
    game = sample_rows(player_id=1)["games"]
    append_idempotent(fresh_engine, "games", game, run_id=uuid.uuid4(), source="s")
    append_idempotent(
        fresh_engine, "games", game.assign(status="final"), run_id=uuid.uuid4(), source="s"
    )
    first, second = _ingested_at(fresh_engine, "games")
    assert first < second
    late = T0 + timedelta(days=30)  # event time is no bound here: ask about knowledge only

    def status_known_at(instant):
        frame = as_of(fresh_engine, "games", late, known_at=instant, where={"game_id": GAME})
        return frame["status"].tolist()

    assert status_known_at(first - timedelta(microseconds=1)) == []
    assert status_known_at(first) == ["scheduled"]
    assert status_known_at(first + (second - first) / 2) == ["scheduled"]
    assert status_known_at(second) == ["final"]
    assert status_known_at(second + timedelta(days=1)) == ["final"]


def test_board_as_of_takes_the_latest_price_per_outcome_at_or_before_t(fresh_engine) -> None:
    times = pd.date_range(T0, periods=4, freq="15min")
    rows = []
    for i, at in enumerate(times):
        for book_id in (1, 2):
            for outcome, base in (("home", 1.80), ("away", 2.05)):
                rows.append(
                    {
                        "snapshot_time": at,
                        "game_id": GAME,
                        "book_id": book_id,
                        "market": "h2h",
                        "outcome": outcome,
                        "point": 0.0,
                        "price_decimal": round(base + 0.01 * i + 0.1 * book_id, 4),
                        "price_american": -110,
                        "price_format": "decimal",
                    }
                )
    append_idempotent(
        fresh_engine, "odds_snapshots", pd.DataFrame(rows), run_id=uuid.uuid4(), source="t"
    )
    now = _ingested_at(fresh_engine, "odds_snapshots")[-1]
    board = board_as_of(fresh_engine, GAME, times[2] + timedelta(minutes=5), known_at=now)
    assert len(board) == 4
    assert set(board["snapshot_time"]) == {times[2]}
    home_book_1 = board[(board.book_id == 1) & (board.outcome == "home")]
    assert float(home_book_1["price_decimal"].iloc[0]) == pytest.approx(1.80 + 0.02 + 0.1)
    assert board_as_of(fresh_engine, GAME, times[0] - timedelta(seconds=1), known_at=now).empty
    # Knowledge time bounds the board too: before the rows were ingested nothing was known.
    assert board_as_of(fresh_engine, GAME, times[3], known_at=now - timedelta(hours=1)).empty


def test_point_in_time_reads_refuse_naive_instants(fresh_engine) -> None:
    with pytest.raises(NaiveDatetimeError):
        as_of(fresh_engine, "games", T0.replace(tzinfo=None))


def _moving_lines(seed: int) -> pd.DataFrame:
    """A game priced every 15 minutes by three books whose spread and total lines move."""
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = []
    for i, at in enumerate(pd.date_range(T0, periods=24, freq="15min")):
        for book_id in (1, 2, 3):
            if rng.random() < 0.3:  # books update at different times
                continue
            spread = -3.5 - 0.5 * int(rng.integers(0, 3))
            total = 224.5 + 0.5 * int(rng.integers(0, 3))
            for market, outcome, point in (
                ("h2h", "home", 0.0),
                ("h2h", "away", 0.0),
                ("spreads", "home", spread),
                ("spreads", "away", -spread),
                ("totals", "over", total),
                ("totals", "under", total),
            ):
                rows.append(
                    {
                        "snapshot_time": at,
                        "game_id": GAME,
                        "book_id": book_id,
                        "market": market,
                        "outcome": outcome,
                        "point": point,
                        "price_decimal": round(1.8 + 0.01 * i + 0.001 * book_id, 4),
                        "price_american": -110,
                        "price_format": "decimal",
                    }
                )
    return pd.DataFrame(rows)


def test_the_board_shows_each_books_latest_line_where_it_moved(fresh_engine) -> None:
    odds = _moving_lines(seed=7)
    append_idempotent(fresh_engine, "odds_snapshots", odds, run_id=uuid.uuid4(), source="t")
    now = _ingested_at(fresh_engine, "odds_snapshots")[-1]
    key = ["book_id", "market", "outcome"]
    for minutes in (0, 7, 50, 121, 400):
        at = T0 + timedelta(minutes=minutes)
        seen = odds[odds["snapshot_time"] <= at]
        expected = seen.sort_values("snapshot_time").groupby(key).tail(1).sort_values(key)
        board = board_as_of(fresh_engine, GAME, at, known_at=now)
        assert len(board) == len(expected)
        assert board[key].values.tolist() == expected[key].values.tolist()
        assert board["point"].astype(float).tolist() == expected["point"].tolist()
        assert board["snapshot_time"].tolist() == expected["snapshot_time"].tolist()
