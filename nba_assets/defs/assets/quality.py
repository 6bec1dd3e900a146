"""Data-quality scores per slate and table: how far the ingested data can be trusted.

The score (0-100) weighs five dimensions (``nba_assets.analytics.quality``); this asset
reads what the warehouse holds about each slate, scores the five ingest tables, appends
the scores as versions (an unchanged score adds no row) and evaluates one check per table
whose severity follows the score.

It depends on the ingest assets so a run that loads a slate scores it afterwards. A
blocking ingest check that fails stops the rest of its run, this asset included; the
``quality_after_failed_ingest`` sensor then scores that slate in a ``run_quality`` run.
"""

from collections.abc import Iterator

import dagster as dg
import pandas as pd

from nba_assets.analytics.quality import DIMENSIONS, verdict
from nba_assets.core.slates import utc_now
from nba_assets.defs.assets.common import (
    RunReport,
    check_outputs,
    is_live,
    materialize_result,
    slates,
)
from nba_assets.defs.assets.ingest import (
    game_results,
    games,
    injuries,
    odds_snapshots,
    player_stats,
)
from nba_assets.defs.checks.quality_checks import evaluations, quality_specs, slate_data
from nba_assets.defs.partitions import daily_partitions
from nba_assets.defs.resources import WarehouseResource
from nba_assets.warehouse.append import append_idempotent

SOURCE = "nba_assets"
# Rows of the scores table in the materialization's metadata: the weakest first.
SHOWN = 25


@dg.asset(
    deps=[games, odds_snapshots, game_results, player_stats, injuries],
    check_specs=quality_specs(),
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="quality",
    owners=["team:data-engineering"],
    kinds={"postgres", "python"},
)
def quality_scores(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[object]:
    """Completeness, accuracy, consistency, timeliness and validity of each ingest table
    for the slate, weighted 30/30/20/10/10 into a 0-100 score (warn below 85, fail below 70).

    Grain: slate date x table x version. Source: games, odds_snapshots, game_results,
    player_stats, injuries, feed_requests and quarantine as known when the run starts, plus
    the Great Expectations suites of the ingest checks. Idempotency: a new version only
    when a score, a dimension or its details change.
    """
    from nba_assets.analytics.quality_measures import score_slate

    engine, run_id, report, now = warehouse.engine(), context.run.run_id, RunReport(), utc_now()
    scored = []
    for slate in slates(context):
        with report.stage("fetch"):
            data = slate_data(engine, slate, now, is_live(slate, now))
        with report.stage("compute"):
            rows = score_slate(data)
        with report.stage("append"):
            report.add(
                append_idempotent(engine, "quality_scores", rows, run_id=run_id, source=SOURCE)
            )
        scored.append(rows)
    scores = pd.concat(scored, ignore_index=True) if scored else pd.DataFrame()
    report.extra.update(_describe(scores))
    yield from evaluations(context, scores, slates(context))
    yield materialize_result(context, report)
    yield from check_outputs(context)


def _describe(scores: pd.DataFrame) -> dict[str, object]:
    """A markdown table of the scores (weakest first) and, per table, its score and
    dimensions as numbers: the lowest over the run's slates, which for the usual one-slate
    run is simply the slate's."""
    meta: dict[str, object] = {
        "slates_scored": int(scores["slate_date"].nunique()) if len(scores) else 0
    }
    if scores.empty:
        return meta
    shown = scores.sort_values(["score", "slate_date", "table_name"]).head(SHOWN)
    table = shown[["slate_date", "table_name", "score", *DIMENSIONS]].assign(
        verdict=shown["score"].map(verdict), slate_date=shown["slate_date"].astype(str)
    )
    # Unmeasured dimensions read "n/a", not "nan".
    table = table.astype(object).where(table.notna(), None)
    meta["scores"] = dg.MetadataValue.md(
        table.to_markdown(index=False, floatfmt=".1f", missingval="n/a")
    )
    verdicts = scores["score"].map(verdict)
    meta["tables_warned"] = int((verdicts == "warn").sum())
    meta["tables_failed"] = int((verdicts == "fail").sum())
    lowest = scores.groupby("table_name")[["score", *DIMENSIONS]].min()
    for name, row in lowest.iterrows():
        for column, value in row.items():
            if not pd.isna(value):
                meta[f"{name}/{column}"] = float(value)
    return meta
