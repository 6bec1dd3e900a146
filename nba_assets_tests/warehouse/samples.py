"""One minimal valid row per fact table, as the frames writers hand to the append API."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd

T0 = datetime(2023, 10, 24, 16, 0, tzinfo=UTC)
GAME = 2023102414  # Lakers host on the 2023-10-24 slate
KEY = {"game_id": GAME, "book_id": 1, "market": "h2h", "outcome": "home", "point": 0.0}
VALUE_KEY = {**KEY, "algorithm": "market_consensus", "algorithm_version": "1", "scored_at": T0}


def sample_rows(player_id: int) -> dict[str, pd.DataFrame]:
    rows: dict[str, dict[str, object]] = {
        "games": {
            "game_id": GAME,
            "slate_date": date(2023, 10, 24),
            "season": 2023,
            "home_team_id": 14,
            "away_team_id": 8,
            "commence_time": T0,
            "status": "scheduled",
            "observed_at": T0,
        },
        "markets": {"game_id": GAME, "market": "h2h", "point": 0.0, "first_seen_at": T0},
        "odds_snapshots": {
            **KEY,
            "snapshot_time": T0,
            "price_decimal": 1.91,
            "price_american": -110,
            "price_format": "decimal",
        },
        "player_stats": {
            "game_id": GAME,
            "player_id": player_id,
            "team_id": 14,
            "minutes": 30.5,
            **dict.fromkeys(
                [
                    "pts",
                    "reb",
                    "ast",
                    "stl",
                    "blk",
                    "turnover",
                    "pf",
                    "fgm",
                    "fga",
                    "fg3m",
                    "fg3a",
                    "ftm",
                    "fta",
                    "oreb",
                    "dreb",
                ],
                1,
            ),
            "observed_at": T0,
        },
        "team_stats": {
            "team_id": 14,
            "as_of_date": date(2023, 10, 24),
            "games_played": 0,
            "wins": 0,
            "losses": 0,
            "inputs_as_of": T0,
        },
        "schedule_context": {
            "game_id": GAME,
            "team_id": 14,
            "is_home": True,
            "back_to_back": False,
            "back_to_back_second": False,
            "games_last_4_nights": 0,
            "games_last_6_nights": 0,
            "travel_km": 0.0,
            "tz_shift_hours": 0.0,
            "home_streak": 1,
            "road_streak": 0,
        },
        "injuries": {
            "player_id": player_id,
            "status": "out",
            "status_raw": "Out",
            "play_probability": 0.0,
            "probability_rule": "default-v1",
            "reported_at": T0,
        },
        "game_results": {
            "game_id": GAME,
            "home_score": 107,
            "away_score": 119,
            "final": True,
            "completed_at": T0,
        },
        "model_predictions": {
            "game_id": GAME,
            "model": "model_edge",
            "model_version": "1",
            "predicted_at": T0,
            "inputs_known_at": T0,
            "pred_margin": 2.5,
            "margin_sigma": 12.0,
            "p_home_win": 0.58,
        },
        "value_scores": {
            **VALUE_KEY,
            "snapshot_time": T0,
            "price_decimal": 1.91,
            "fair_prob": 0.5,
            "ev": -0.045,
            "kelly_fraction": 0.0,
            "value_score": 10.0,
        },
        "grades": {
            **VALUE_KEY,
            "result": "loss",
            "profit_units": -1.0,
            "price_decimal": 1.91,
            "fair_prob": 0.5,
            "graded_at": T0,
        },
        "calibration_metrics": {
            "algorithm": "market_consensus",
            "algorithm_version": "1",
            "market": "h2h",
            "window_name": "7d",
            "window_end": date(2023, 10, 24),
            "n": 1,
            "computed_at": T0,
        },
        "quality_scores": {
            "slate_date": date(2023, 10, 24),
            "table_name": "odds_snapshots",
            "completeness": 100.0,
            "score": 100.0,
            "details": "{}",
            "computed_at": T0,
        },
        "quarantine": {"target_table": "odds_snapshots", "reason": "test", "raw_text": "{"},
        "feed_requests": {
            "endpoint": "/v4/sports/basketball_nba/odds",
            "outcome": "ok",
            "attempt": 1,
            "latency_ms": 12.5,
            "requested_at": T0,
        },
    }
    return {table: pd.DataFrame([row]) for table, row in rows.items()}
