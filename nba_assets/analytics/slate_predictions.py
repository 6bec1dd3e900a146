"""model_edge for one slate, reading its inputs from the warehouse at two instants.

``at`` bounds event time (results completed, box scores observed and reports issued by
then) and ``known_at`` bounds knowledge time (rows ingested by then). Holding both fixed
makes a prediction reproducible: rows the warehouse learns later cannot change it.
"""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
from sqlalchemy import Engine

from nba_assets.analytics.injuries import player_values
from nba_assets.analytics.model_edge import estimate_total_sigma, predict_games
from nba_assets.core.slates import require_aware, season_of
from nba_assets.warehouse import reads


def predict_slate(engine: Engine, slate: date, at: datetime, known_at: datetime) -> pd.DataFrame:
    """``nba.model_predictions`` rows for the slate's games not started at ``at``."""
    at, known_at = require_aware(at, "at"), require_aware(known_at, "known_at")
    games = reads.games(engine, reads.slate_game_ids(slate), known_at)
    games = games[games["status"] != "canceled"]
    if games.empty:
        return pd.DataFrame()
    season = reads.season_game_ids(season_of(slate))
    lines = reads.player_stats(engine, season, at, known_at)
    history = reads.past_totals(engine, season, at, known_at)
    injuries = reads.injuries(engine, at, known_at)
    rows = predict_games(
        games,
        reads.team_stats(engine, slate, known_at),
        reads.schedule_context(engine, slate, known_at),
        at,
        injuries=injuries if not injuries.empty else None,
        player_values=player_values(lines, slate) if not lines.empty else None,
        total_sigma=estimate_total_sigma(history["pred_total"], history["actual_total"]),
    )
    return rows.assign(inputs_known_at=pd.Timestamp(known_at))
