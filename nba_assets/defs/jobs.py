"""Jobs under the names the team uses; each selects assets, partitioning comes from them."""

from __future__ import annotations

import dagster as dg

ODDS_TAGS = {"nba/feed": "odds_api"}
STATS_TAGS = {"nba/feed": "balldontlie"}

run_snapshot = dg.define_asset_job(
    "run_snapshot",
    selection=dg.AssetSelection.assets("odds_snapshots"),
    description="Poll every book's prices for the slate (every 15 minutes).",
    tags=ODDS_TAGS,
)
run_ingest = dg.define_asset_job(
    "run_ingest",
    selection=dg.AssetSelection.assets("games", "injuries"),
    description="Schedule and injury reports for the slate (every 30 minutes).",
    tags=STATS_TAGS,
)
run_team_stats = dg.define_asset_job(
    "run_team_stats",
    selection=dg.AssetSelection.assets("team_stats", "schedule_context"),
    description="Team ratings and schedule context as of the slate (daily).",
)
run_results_sync = dg.define_asset_job(
    "run_results_sync",
    selection=dg.AssetSelection.assets("player_stats", "game_results"),
    description="Box scores and final scores (every 30 minutes while games are on).",
    tags=STATS_TAGS,
)
run_scoring = dg.define_asset_job(
    "run_scoring",
    selection=dg.AssetSelection.assets("model_predictions", "value_scores"),
    description="Model predictions and value scores (after fresh odds or injuries).",
)
run_grading = dg.define_asset_job(
    "run_grading",
    selection=dg.AssetSelection.assets("grades", "calibration_metrics"),
    description="Settle value scores and recompute calibration (after results are final).",
)

JOBS = [run_snapshot, run_ingest, run_team_stats, run_results_sync, run_scoring, run_grading]
