"""Grading: push, moved point with interpolated CLV, void, win and loss."""

from __future__ import annotations

from datetime import UTC, datetime
from statistics import NormalDist

import pandas as pd
import pytest

from nba_assets.analytics.columns import GRADES
from nba_assets.analytics.grading import grade_value_scores

G1, G2, G3 = 2024011002, 2024011014, 2024011020
SCORED = pd.Timestamp(datetime(2024, 1, 10, 18, 0, tzinfo=UTC))
GRADED = datetime(2024, 1, 11, 9, 0, tzinfo=UTC)


def score(game_id: int, book: int, market: str, outcome: str, point: float, price: float,
          fair: float = 0.55) -> dict:  # fmt: skip
    return {
        "game_id": game_id, "book_id": book, "market": market, "outcome": outcome,
        "point": point, "algorithm": "market_consensus", "algorithm_version": "v1",
        "scored_at": SCORED, "price_decimal": price, "fair_prob": fair,
    }  # fmt: skip


RESULTS = pd.DataFrame(
    {
        "game_id": [G1, G2, G2],
        "home_score": [103, 110, 111],
        "away_score": [100, 90, 99],
        "final": [True, True, True],
        "version": [1, 1, 2],  # G2 was corrected: 111-99
    }
)
CLOSING = pd.DataFrame(
    {
        "game_id": [G1, G1, G1, G1, G2, G2],
        "market": ["spreads", "spreads", "h2h", "h2h", "totals", "totals"],
        "outcome": ["home", "away", "home", "away", "over", "under"],
        "point": [-4.5, 4.5, 0.0, 0.0, 210.5, 210.5],
        "fair_prob": [0.5, 0.5, 0.6, 0.4, 0.52, 0.48],
    }
)


def graded(rows: list[dict]) -> pd.DataFrame:
    out = grade_value_scores(pd.DataFrame(rows), RESULTS, CLOSING, GRADED)
    assert list(out.columns) == list(GRADES)
    return out


def test_push_win_loss_and_void() -> None:
    out = graded(
        [
            score(G1, 1, "spreads", "home", -3.0, 1.91),  # margin 3: push
            score(G1, 1, "h2h", "home", 0.0, 1.80),  # home won: +0.8
            score(G1, 1, "h2h", "away", 0.0, 2.10),  # lost: -1
            score(G2, 1, "totals", "over", 210.5, 1.95),  # 210 (corrected): loss
            score(G2, 1, "totals", "under", 210.5, 1.95),  # win
            score(G3, 1, "h2h", "home", 0.0, 1.50),  # no result: void
        ]
    )
    assert out["result"].tolist() == ["push", "win", "loss", "loss", "win", "void"]
    assert out["profit_units"].tolist() == pytest.approx([0.0, 0.8, -1.0, -1.0, 0.95, 0.0])
    assert out["graded_at"].iloc[0] == pd.Timestamp(GRADED)


def test_clv_at_the_same_point_is_close_prob_times_price() -> None:
    out = graded([score(G1, 1, "h2h", "home", 0.0, 1.80), score(G3, 1, "h2h", "home", 0, 1.5)])
    assert out["close_fair_prob"].iloc[0] == 0.6
    assert out["close_point"].iloc[0] == 0.0
    assert out["clv"].iloc[0] == pytest.approx(0.6 * 1.80 - 1)
    assert pd.isna(out["clv"].iloc[1])  # no close for that moneyline


def test_moved_point_is_interpolated_with_the_normal_margin_model() -> None:
    # Bet home -3.5 at 1.95; the market closed home -4.5 at a fair 50 %. The close implies a
    # mean home margin of 4.5 (sigma 12), at which -3.5 covers with P = Phi((4.5 - 3.5) / 12).
    out = graded(
        [
            score(G1, 1, "spreads", "home", -3.5, 1.95),
            score(G1, 2, "spreads", "away", 3.0, 1.95),
        ]
    )
    expected = NormalDist().cdf(1 / 12)
    assert expected == pytest.approx(0.533207, abs=1e-6)
    first = out.iloc[0]
    assert first["close_point"] == -4.5
    assert first["close_fair_prob"] == pytest.approx(expected, abs=1e-9)
    assert first["clv"] == pytest.approx(expected * 1.95 - 1, abs=1e-9)
    # Away +3 (an integer: pushes on a 3-point home win) against the away +4.5 close:
    # mean 4.5; away +3 wins on margin <= 2 (below 2.5), loses on margin >= 4 (above 3.5).
    n = NormalDist(4.5, 12)
    win, loss = n.cdf(2.5), 1 - n.cdf(3.5)
    second = out.iloc[1]
    assert second["close_point"] == 4.5
    assert second["close_fair_prob"] == pytest.approx(win / (win + loss), abs=1e-9)


def test_totals_interpolate_with_total_sigma() -> None:
    out = graded([score(G2, 1, "totals", "over", 208.5, 1.90)])
    z = NormalDist().inv_cdf(0.52)
    expected = NormalDist().cdf(z + 2.0 / 18.0)
    assert out["close_fair_prob"].iloc[0] == pytest.approx(expected, abs=1e-9)
    assert out["close_point"].iloc[0] == 210.5
