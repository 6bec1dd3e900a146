"""Jobs under the names the team uses; each selects assets, partitioning comes from them.

The jobs that load a feed also score the quality of what the slate now holds
(``quality_scores`` runs after the ingest steps of its run).
"""

from __future__ import annotations

import dagster as dg

ODDS_TAGS = {"nba/feed": "odds_api"}
QUALITY = "quality_scores"
STATS_TAGS = {"nba/feed": "balldontlie"}

run_snapshot = dg.define_asset_job(
    "run_snapshot",
    selection=dg.AssetSelection.assets("odds_snapshots", QUALITY),
    description="Poll every book's prices for the slate (every 15 minutes), then score "
    "its data quality.",
    tags=ODDS_TAGS,
)
run_ingest = dg.define_asset_job(
    "run_ingest",
    selection=dg.AssetSelection.assets("games", "injuries", QUALITY),
    description="Schedule and injury reports for the slate (every 30 minutes), then score "
    "its data quality.",
    tags=STATS_TAGS,
)
run_team_stats = dg.define_asset_job(
    "run_team_stats",
    selection=dg.AssetSelection.assets("team_stats", "schedule_context"),
    description="Team ratings and schedule context as of the slate (daily).",
)
run_results_sync = dg.define_asset_job(
    "run_results_sync",
    selection=dg.AssetSelection.assets("player_stats", "game_results", QUALITY),
    description="Box scores and final scores (every 30 minutes while games are on), then "
    "score the slate's data quality.",
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

# Quality alone: for a slate whose ingest run stopped at a failed blocking check (the
# failure skips quality_scores in that run) or to rescore history.
run_quality = dg.define_asset_job(
    "run_quality",
    selection=dg.AssetSelection.assets(QUALITY),
    description="Score the slate's data quality from what the warehouse holds.",
)

JOBS = [
    run_snapshot,
    run_ingest,
    run_team_stats,
    run_results_sync,
    run_scoring,
    run_grading,
    run_quality,
]
