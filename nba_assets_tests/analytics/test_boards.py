"""Latest and closing boards from a snapshot history."""

from __future__ import annotations

from datetime import timedelta

import pandas as pd

from nba_assets.analytics.boards import closing_board, latest_board
from nba_assets_tests.analytics.builders import T0, board

G = 2024011002


def history() -> pd.DataFrame:
    rows = []
    for minutes, price in ((0, 1.90), (30, 1.95), (60, 2.00), (90, 2.05)):
        at = T0 + timedelta(minutes=minutes)
        rows.append((G, 1, "h2h", "home", 0, price, at))
        rows.append((G, 2, "h2h", "home", 0, price + 0.1, at + timedelta(minutes=1)))
    rows.append((G, 1, "spreads", "home", -3.5, 1.91, T0))
    rows.append((G, 1, "spreads", "home", -4.0, 1.95, T0 + timedelta(minutes=45)))
    return board(rows, {1: "sharp", 2: "retail"})


def test_latest_board_takes_the_last_price_at_or_before() -> None:
    out = latest_board(history(), T0 + timedelta(minutes=30))
    prices = {(r.book_id, r.market, r.point): r.price_decimal for r in out.itertuples()}
    assert prices == {(1, "h2h", 0.0): 1.95, (2, "h2h", 0.0): 2.00, (1, "spreads", -3.5): 1.91}


def test_closing_board_is_last_snapshot_strictly_before_tip() -> None:
    games = pd.DataFrame(
        {"game_id": [G, G], "commence_time": [T0, T0 + timedelta(minutes=60)]}
    )  # the second version (rescheduled) wins
    out = closing_board(history(), games)
    prices = {(r.book_id, r.market, r.point): r.price_decimal for r in out.itertuples()}
    # book 1's 60-minute snapshot is at tip-off, not before it
    assert prices[(1, "h2h", 0.0)] == 1.95
    assert prices[(2, "h2h", 0.0)] == 2.05
    # Book 1 moved its spread from -3.5 to -4: the old quote is not a closing price.
    assert prices[(1, "spreads", -4.0)] == 1.95
    assert len(out) == 3
    assert closing_board(history(), games.iloc[0:0]).empty
