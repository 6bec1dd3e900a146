"""model_edge: hand-checked prediction, symmetry, probabilities and no look-ahead."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest

from nba_assets.analytics.columns import MODEL_PREDICTIONS
from nba_assets.analytics.model_edge import (
    ModelEdgeConfig,
    estimate_total_sigma,
    predict_games,
)
from nba_assets.analytics.value import model_fair_probabilities
from nba_assets_tests.analytics.builders import board, game

DAY = date(2024, 1, 10)
KNOWN = datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
AT = datetime(2024, 1, 10, 18, 0, tzinfo=UTC)
A, B = 2, 14


def stats(known: datetime = KNOWN, **overrides: float) -> pd.DataFrame:
    rows = {
        A: {"off_rating": 118.0, "def_rating": 110.0, "pace": 100.0},
        B: {"off_rating": 112.0, "def_rating": 114.0, "pace": 98.0},
    }
    for key, value in overrides.items():
        team, col = key.split("_", 1)
        rows[A if team == "A" else B][col] = value
    return pd.DataFrame(
        [
            {"team_id": t, "as_of_date": DAY, "games_played": 30, "inputs_as_of": known,
             "net_rating": r["off_rating"] - r["def_rating"], **r}
            for t, r in rows.items()
        ]
    )  # fmt: skip


def one(home: int = A, away: int = B, **kwargs) -> pd.Series:
    games = pd.DataFrame([game(DAY, home, away)])
    out = predict_games(games, kwargs.pop("team_stats", stats()), kwargs.pop("schedule", None),
                        AT, **kwargs)  # fmt: skip
    assert list(out.columns) == list(MODEL_PREDICTIONS)
    assert len(out) == 1
    return out.iloc[0]


def test_hand_checked_prediction() -> None:
    row = one()
    # League L = mean(118, 112) = 115, league pace 99; possessions 100 + 98 - 99 = 99.
    # Margin: (8 - (-2)) * 0.99 + 2.2 = 12.1. Total: (118 + 114 + 112 + 110 - 230) * 0.99.
    assert row["pred_margin"] == pytest.approx(12.1)
    assert row["pred_total"] == pytest.approx(224 * 0.99)
    assert row["margin_sigma"] == 12.0 and row["total_sigma"] == 18.0
    assert row["p_home_win"] == pytest.approx(NormalDist().cdf(12.1 / 12.0))
    assert row["model"] == "model_edge" and row["model_version"] == ModelEdgeConfig().version
    assert row["inputs_known_at"] == pd.Timestamp(KNOWN)
    json.dumps(row["features"])  # the jsonb column must accept it
    assert row["features"]["home_net_rating"] == 8.0


def test_symmetry_swapping_teams_flips_margin_around_home_court() -> None:
    hca = ModelEdgeConfig().home_court
    ab, ba = one(A, B), one(B, A)
    assert ab["pred_margin"] - hca == pytest.approx(-(ba["pred_margin"] - hca))
    assert ab["pred_total"] == pytest.approx(ba["pred_total"])
    neutral = ModelEdgeConfig(home_court=0.0)
    assert one(A, B, config=neutral)["p_home_win"] == pytest.approx(
        1 - one(B, A, config=neutral)["p_home_win"]
    )


def test_schedule_and_injuries_move_the_margin() -> None:
    gid = game(DAY, A, B)["game_id"]
    schedule = pd.DataFrame(
        [
            {"game_id": gid, "team_id": A, "rest_days": 0, "back_to_back_second": True,
             "games_last_4_nights": 1, "travel_km": 3000.0, "tz_shift_hours": 3.0},
            {"game_id": gid, "team_id": B, "rest_days": 1, "back_to_back_second": False,
             "games_last_4_nights": 1, "travel_km": 0.0, "tz_shift_hours": 0.0},
        ]
    )  # fmt: skip
    cfg = ModelEdgeConfig()
    tired = one(schedule=schedule)
    expected = 12.1 + cfg.back_to_back_second + max(cfg.travel_cap, -0.75) + 3 * cfg.tz_per_hour
    assert tired["pred_margin"] == pytest.approx(expected)

    values = pd.DataFrame({"player_id": [7], "team_id": [A], "value": [5.0]})
    reports = pd.DataFrame(
        {"player_id": [7, 7], "team_id": [A, A], "status": ["out", "available"],
         "reported_at": [AT - timedelta(hours=2), AT + timedelta(minutes=5)]}
    )  # fmt: skip
    hurt = one(injuries=reports, player_values=values)
    # The "available" report comes after predicted_at, so the player is still out.
    assert hurt["pred_margin"] == pytest.approx(12.1 - cfg.injury_points_per_value * 5.0)
    assert hurt["pred_total"] < one()["pred_total"]
    assert hurt["inputs_known_at"] == pd.Timestamp(AT - timedelta(hours=2))


def test_inputs_after_predicted_at_are_not_read() -> None:
    future = stats(AT + timedelta(hours=1), A_off_rating=140.0)
    both = pd.concat([stats(), future], ignore_index=True)
    assert one(team_stats=both)["pred_margin"] == pytest.approx(12.1)
    with pytest.raises(ValueError, match="no team ratings"):
        one(team_stats=future)
    values = pd.DataFrame(
        {"player_id": [7], "team_id": [A], "value": [5.0], "inputs_as_of": [AT + timedelta(1)]}
    )
    reports = pd.DataFrame(
        {"player_id": [7], "team_id": [A], "status": ["out"], "reported_at": [AT]}
    )
    with pytest.raises(ValueError, match="look-ahead"):
        one(injuries=reports, player_values=values)
    started = pd.DataFrame([game(DAY, A, B)]).assign(commence_time=pd.Timestamp(AT))
    assert predict_games(started, stats(), None, AT).empty


def test_cover_probability_is_monotone_in_the_point() -> None:
    preds = predict_games(pd.DataFrame([game(DAY, A, B)]), stats(), None, AT)
    gid = int(preds["game_id"].iloc[0])
    points = np.arange(-20.0, 20.5, 0.5)
    rows = [(gid, 1, "spreads", "home", p, 1.9) for p in points]
    rows += [(gid, 1, "spreads", "away", p, 1.9) for p in points]
    rows += [(gid, 1, "totals", "over", 200 + p, 1.9) for p in points]
    rows += [(gid, 1, "h2h", "home", 0, 1.5), (gid, 1, "h2h", "away", 0, 2.5)]
    fair, games_played = model_fair_probabilities(board(rows, {1: "sharp"}), preds)
    home, away, over = fair[: len(points)], fair[len(points) : 2 * len(points)], fair[-83:-2]
    assert np.all(np.diff(home) > 0)
    assert np.all(np.diff(away) > 0)
    assert np.all(np.diff(over) < 0)
    n = NormalDist(preds["pred_margin"].iloc[0], 12)
    # Half-point line: a plain normal tail (home -3.5 covers when the margin exceeds 3.5).
    assert home[points == -3.5][0] == pytest.approx(1 - n.cdf(3.5))
    # Integer line: conditional on no push (the push band is margin 3 = [2.5, 3.5)).
    win, loss = 1 - n.cdf(3.5), n.cdf(2.5)
    assert home[points == -3.0][0] == pytest.approx(win / (win + loss))
    assert fair[-2] == pytest.approx(preds["p_home_win"].iloc[0])
    assert fair[-1] == pytest.approx(1 - preds["p_home_win"].iloc[0])
    assert games_played[0] == 30


def test_total_sigma_estimate_shrinks_and_floors() -> None:
    cfg = ModelEdgeConfig()
    assert estimate_total_sigma([], [], cfg) == cfg.total_sigma_default
    rng = np.random.default_rng(0)
    pred = rng.normal(225, 5, 5000)
    wide = estimate_total_sigma(pred, pred + rng.normal(0, 22, 5000), cfg)
    assert wide == pytest.approx(22, abs=0.7)
    assert estimate_total_sigma(pred, pred + rng.normal(0, 5, 5000), cfg) == cfg.total_sigma_floor
