"""EV, Kelly and the value score, and scoring boards with both algorithms."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nba_assets.analytics.columns import VALUE_SCORES
from nba_assets.analytics.market_consensus import market_consensus
from nba_assets.analytics.value import (
    ValueConfig,
    consensus_confidence,
    expected_value,
    kelly_fraction,
    model_confidence,
    score_market_consensus,
    score_model_edge,
    value_score,
)
from nba_assets_tests.analytics.builders import T0, board

G = 2024011002
TIERS = {1: "sharp", 2: "retail", 3: "retail"}


def test_ev_and_kelly_by_hand() -> None:
    # p = 0.55 at evens: EV 0.10, full Kelly (0.55 * 2 - 1) / 1 = 0.10, quarter 0.025.
    assert expected_value(0.55, 2.0) == pytest.approx(0.10)
    assert kelly_fraction(0.55, 2.0) == pytest.approx(0.025)
    # p = 0.5 at 2.5: EV 0.25, full Kelly 0.25 / 1.5 = 1/6, quarter 1/24 = 0.041667.
    assert kelly_fraction(0.5, 2.5) == pytest.approx(1 / 24)
    # p = 0.7 at evens: full Kelly 0.4, quarter 0.1, capped at 5 %.
    assert kelly_fraction(0.7, 2.0) == pytest.approx(0.05)
    assert kelly_fraction(0.7, 2.0, ValueConfig(kelly_cap=0.5)) == pytest.approx(0.1)
    # Negative EV: no stake, no score.
    assert kelly_fraction(0.45, 2.0) == 0.0
    assert value_score(expected_value(0.45, 2.0)) == 0.0
    assert value_score(0.0) == 0.0


def test_value_score_definition() -> None:
    assert value_score(0.10) == pytest.approx(100 * (1 - math.exp(-0.10 / 0.03)))
    assert value_score(0.10) > 96
    assert value_score(0.30) == pytest.approx(100, abs=0.01)
    assert value_score(0.03) == pytest.approx(100 * (1 - math.exp(-1)))
    assert value_score(0.10, 0.5) == pytest.approx(value_score(0.10) / 2)
    assert consensus_confidence(10.0, 0.0) == 1.0
    assert consensus_confidence(2.5, 0.02) == pytest.approx(0.25)
    assert model_confidence(10) == 0.5
    assert model_confidence(0) == 0.25


@given(
    ev=st.lists(st.floats(-0.5, 2.0), min_size=2, max_size=20),
    confidence=st.floats(0.0, 1.0),
)
def test_value_score_is_monotone_in_ev_and_bounded(ev: list[float], confidence: float) -> None:
    ordered = np.sort(np.array(ev))
    scores = value_score(ordered, confidence)
    assert np.all(np.diff(scores) >= -1e-12)
    assert np.all((scores >= 0) & (scores <= 100))
    assert np.all(scores[ordered <= 0] == 0)


@given(p=st.floats(0.01, 0.99), d=st.floats(1.01, 50.0))
def test_kelly_is_zero_exactly_when_ev_is_not_positive(p: float, d: float) -> None:
    k = kelly_fraction(p, d)
    assert 0.0 <= k <= 0.05
    assert (k > 0) == (p * d - 1 > 0)


def consensus_board() -> pd.DataFrame:
    return board(
        [
            (G, 1, "h2h", "home", 0, 1.95),
            (G, 1, "h2h", "away", 0, 1.95),
            (G, 2, "h2h", "home", 0, 2.20),
            (G, 2, "h2h", "away", 0, 1.70),
            (G, 3, "h2h", "home", 0, 2.00, T0 + timedelta(minutes=5)),
            (G, 3, "h2h", "away", 0, 1.85, T0 + timedelta(minutes=5)),
        ],
        TIERS,
    )


def test_score_against_consensus() -> None:
    frame = consensus_board()
    result = market_consensus(frame)
    scores = score_market_consensus(frame, result, T0 + timedelta(minutes=10))
    assert list(scores.columns) == list(VALUE_SCORES)
    assert len(scores) == 6
    assert set(scores["algorithm"]) == {"market_consensus"}
    assert scores["algorithm_version"].iloc[0] == "market_consensus-1.0/value-1.0"
    # Sharp book (weight 3 of 5) sets the consensus at 0.5: home at 2.20 is +10 % EV.
    book2 = scores[(scores["book_id"] == 2) & (scores["outcome"] == "home")].iloc[0]
    assert book2["fair_prob"] == pytest.approx(0.5)
    assert book2["ev"] == pytest.approx(0.10)
    assert book2["kelly_fraction"] == pytest.approx(0.25 * 0.10 / 1.20)
    assert 0 < book2["value_score"] < 100
    assert (scores.loc[scores["ev"] <= 0, "value_score"] == 0).all()
    # Prices snapshotted after scored_at are not scored.
    early = score_market_consensus(frame, result, T0)
    assert set(early["book_id"]) == {1, 2}


def test_score_against_model() -> None:
    frame = board(
        [(G, 1, "spreads", "home", -3.0, 1.91), (G, 1, "spreads", "away", 3.0, 1.91)],
        {1: "sharp"},
    )
    preds = pd.DataFrame(
        {
            "game_id": [G, G],
            "model_version": ["m1", "m1"],
            "predicted_at": [pd.Timestamp(T0), pd.Timestamp(T0 + timedelta(hours=1))],
            "pred_margin": [3.0, 30.0],
            "pred_total": [220.0, 220.0],
            "margin_sigma": [12.0, 12.0],
            "total_sigma": [18.0, 18.0],
            "p_home_win": [0.6, 0.99],
            "features": [{"home_games_played": 10, "away_games_played": 40}] * 2,
        }
    )
    scores = score_model_edge(frame, preds, T0 + timedelta(minutes=1))
    # Expected margin exactly on the line: by symmetry each side wins half of non-pushes.
    assert scores["fair_prob"].tolist() == pytest.approx([0.5, 0.5])
    assert scores["algorithm_version"].iloc[0] == "m1/value-1.0"
    assert scores["value_score"].iloc[0] == pytest.approx(value_score(0.5 * 1.91 - 1, 0.5))
