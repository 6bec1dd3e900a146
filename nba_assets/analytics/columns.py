"""Column lists of the warehouse tables the analytics layer produces.

Kept next to the code that fills them (rather than read from the DDL at run time) so a pure
function never needs a database; ``nba_assets_tests/analytics`` checks them against the
migration so the two cannot drift apart silently.
"""

from __future__ import annotations

import pandas as pd

SCHEDULE_CONTEXT: tuple[str, ...] = (
    "game_id",
    "team_id",
    "is_home",
    "rest_days",
    "back_to_back",
    "back_to_back_second",
    "games_last_4_nights",
    "games_last_6_nights",
    "travel_km",
    "tz_shift_hours",
    "home_streak",
    "road_streak",
)

TEAM_STATS: tuple[str, ...] = (
    "team_id",
    "as_of_date",
    "games_played",
    "wins",
    "losses",
    "off_rating",
    "def_rating",
    "net_rating",
    "pace",
    "margin_avg",
    "last10_net",
    "inputs_as_of",
)

MODEL_PREDICTIONS: tuple[str, ...] = (
    "game_id",
    "model",
    "model_version",
    "predicted_at",
    "inputs_known_at",
    "pred_margin",
    "pred_total",
    "margin_sigma",
    "total_sigma",
    "p_home_win",
    "features",
)

VALUE_KEY: tuple[str, ...] = (
    "game_id",
    "book_id",
    "market",
    "outcome",
    "point",
    "algorithm",
    "algorithm_version",
    "scored_at",
)

VALUE_SCORES: tuple[str, ...] = (
    *VALUE_KEY,
    "snapshot_time",
    "price_decimal",
    "fair_prob",
    "ev",
    "kelly_fraction",
    "value_score",
)

GRADES: tuple[str, ...] = (
    *VALUE_KEY,
    "result",
    "profit_units",
    "price_decimal",
    "fair_prob",
    "close_fair_prob",
    "close_point",
    "clv",
    "graded_at",
)

CALIBRATION_METRICS: tuple[str, ...] = (
    "algorithm",
    "algorithm_version",
    "market",
    "window_name",
    "window_end",
    "n",
    "brier",
    "log_loss",
    "ece",
    "roi",
    "mean_clv",
    "bins",
    "computed_at",
)

MARKETS: tuple[str, ...] = ("h2h", "spreads", "totals")
OUTCOMES: tuple[str, ...] = ("home", "away", "over", "under")


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...] | list[str], what: str) -> None:
    """Fail with the missing names up front rather than with a KeyError deep in a merge."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} is missing column(s) {missing}; it has {list(frame.columns)}")
