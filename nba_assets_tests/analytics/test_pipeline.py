"""The analytics layer end to end on a small synthetic league: the pieces compose."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from nba_assets.analytics.boards import closing_board, latest_board
from nba_assets.analytics.calibration import calibration_metrics, reliability_diagram_png
from nba_assets.analytics.columns import (
    CALIBRATION_METRICS,
    GRADES,
    MODEL_PREDICTIONS,
    SCHEDULE_CONTEXT,
    TEAM_STATS,
    VALUE_SCORES,
)
from nba_assets.analytics.grading import grade_value_scores
from nba_assets.analytics.injuries import player_values
from nba_assets.analytics.market_consensus import market_consensus
from nba_assets.analytics.model_edge import predict_games
from nba_assets.analytics.ratings import team_ratings
from nba_assets.analytics.schedule_context import schedule_context
from nba_assets.analytics.value import score_market_consensus, score_model_edge
from nba_assets_tests.analytics.builders import game

TEAMS = [1, 2, 5, 10, 14, 20]
START = date(2024, 1, 1)


def season(rng: np.random.Generator) -> tuple[pd.DataFrame, ...]:
    strength = dict(zip(TEAMS, rng.normal(0, 5, len(TEAMS)), strict=True))
    games, results, lines, odds = [], [], [], []
    for day in range(24):
        slate = START + timedelta(days=day)
        order = rng.permutation(TEAMS)
        for home, away in zip(order[::2], order[1::2], strict=True):
            g = game(slate, int(home), int(away))
            games.append(g)
            mu = strength[home] - strength[away] + 2.2
            margin = int(np.rint(rng.normal(mu, 12))) or 1
            total = int(np.rint(rng.normal(224, 15)))
            hs, as_ = (total + margin) // 2, (total - margin) // 2
            results.append(
                {"game_id": g["game_id"], "home_score": hs, "away_score": as_, "final": True}
            )
            for team, pts, pm in ((home, hs, hs - as_), (away, as_, as_ - hs)):
                for k in range(8):
                    lines.append(
                        {"game_id": g["game_id"], "player_id": team * 100 + k, "team_id": team,
                         "minutes": 30.0, "pts": pts // 8, "fgm": pts // 20, "fga": 11,
                         "ftm": 2, "fta": 3, "oreb": 1, "dreb": 4, "ast": 2, "stl": 1, "blk": 0,
                         "pf": 2, "turnover": 2, "plus_minus": pm // 8}
                    )  # fmt: skip
            tip = g["commence_time"]
            for minutes in (600, 60):
                at = tip - pd.Timedelta(minutes=minutes)
                for book in (1, 2, 3):
                    noise = rng.normal(0, 0.02)
                    p = 1 / (1 + np.exp(-mu / 7)) + noise
                    moved = 0.5 if book == 3 and minutes == 600 else 0.0  # line moves by close
                    spread = -np.round(mu * 2) / 2 + moved
                    for market, outcome, point, prob in (
                        ("h2h", "home", 0.0, p),
                        ("h2h", "away", 0.0, 1 - p),
                        ("spreads", "home", spread, 0.5 + noise),
                        ("spreads", "away", -spread, 0.5 - noise),
                        ("totals", "over", 224.5, 0.5 - noise),
                        ("totals", "under", 224.5, 0.5 + noise),
                    ):
                        odds.append(
                            {"game_id": g["game_id"], "book_id": book, "market": market,
                             "outcome": outcome, "point": point,
                             "price_decimal": round(1 / (prob * 1.045), 4),
                             "snapshot_time": at, "tier": "sharp" if book == 1 else "retail"}
                        )  # fmt: skip
    return tuple(map(pd.DataFrame, (games, results, lines, odds)))


def test_end_to_end() -> None:
    games, results, lines, odds = season(np.random.default_rng(11))
    ctx = schedule_context(games)
    assert list(ctx.columns) == list(SCHEDULE_CONTEXT) and len(ctx) == 2 * len(games)

    slate = START + timedelta(days=20)
    known = datetime(2024, 1, 21, 15, 0, tzinfo=UTC)
    stats = team_ratings(slate, games, results, lines, known)
    assert list(stats.columns) == list(TEAM_STATS) and len(stats) == len(TEAMS)
    assert stats["games_played"].sum() == 2 * 3 * 20

    todays = games[pd.to_datetime(games["slate_date"]).dt.date == slate]
    at = datetime(2024, 1, 21, 16, 0, tzinfo=UTC)
    values = player_values(lines, slate)
    preds = predict_games(todays, stats, ctx, at, player_values=values)
    assert list(preds.columns) == list(MODEL_PREDICTIONS) and len(preds) == 3

    day_odds = odds[odds["game_id"].isin(todays["game_id"])]
    board = latest_board(day_odds, at)
    consensus = market_consensus(board)
    assert consensus.unpaired.empty
    scores = pd.concat(
        [score_market_consensus(board, consensus, at), score_model_edge(board, preds, at)],
        ignore_index=True,
    )
    assert list(scores.columns) == list(VALUE_SCORES)
    assert len(scores) == 2 * len(board)
    assert scores["fair_prob"].between(0, 1, inclusive="neither").all()
    assert (scores["kelly_fraction"] >= 0).all() and scores["value_score"].between(0, 100).all()

    close = market_consensus(closing_board(day_odds, todays)).consensus
    grades = grade_value_scores(scores, results, close, at + timedelta(days=1))
    assert list(grades.columns) == list(GRADES)
    assert set(grades["result"]) <= {"win", "loss", "push"}
    # Book 3 hangs its spreads half a point off the close: those CLVs use the moved point.
    moved = grades[(grades["market"] == "spreads") & (grades["book_id"] == 3)]
    assert moved["clv"].notna().all()
    assert (moved["close_point"] != moved["point"]).any()

    metrics = calibration_metrics(grades, slate, at + timedelta(days=1))
    assert list(metrics.columns) == list(CALIBRATION_METRICS)
    assert len(metrics) == 2 * 3 * 3  # two algorithms x three markets x three windows
    assert metrics["n"].gt(0).all()
    bins = {f"{r.algorithm} {r.market}": r.bins for r in metrics.itertuples() if r.bins}
    assert reliability_diagram_png(bins).startswith(b"\x89PNG")
