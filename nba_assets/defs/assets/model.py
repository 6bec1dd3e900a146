"""Model assets: team form, schedule context and model_edge predictions per slate.

Each body reads its inputs from the warehouse at a stated instant (point in time), so a
backfilled slate sees exactly what was knowable before its games, computes with pure
functions from ``nba_assets.analytics``, and appends the result.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta

import dagster as dg
import pandas as pd

from nba_assets.core.slates import season_of, slate_window, utc_now
from nba_assets.core.teams import FRANCHISES
from nba_assets.defs.assets.common import RunReport, check_outputs, materialize_result, slates
from nba_assets.defs.assets.ingest import game_results, games, injuries, player_stats
from nba_assets.defs.checks.model_checks import checks_for
from nba_assets.defs.checks.registry import evaluate_checks, specs
from nba_assets.defs.partitions import daily_partitions
from nba_assets.defs.resources import WarehouseResource
from nba_assets.warehouse import reads
from nba_assets.warehouse.append import append_idempotent

MODEL_SOURCE = "nba_assets"
LEAGUE_TEAM_IDS = tuple(f.team_id for f in FRANCHISES)
# Past slates are predicted this long before their first tip-off.
PREDICTION_LEAD = timedelta(minutes=60)

_COMMON = dict(
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="model",
    owners=["team:quant"],
    kinds={"postgres", "python"},
)


def _describe(
    context: dg.AssetExecutionContext, engine, report: RunReport, slates_: list[date]
) -> Iterator[object]:
    with report.stage("check"):
        yield from evaluate_checks(
            context, engine, checks_for(context.asset_key.path[-1]), slates_, utc_now()
        )
    yield materialize_result(context, report)
    yield from check_outputs(context)


def prediction_instant(first_tip_off: datetime | None, slate: date, now: datetime) -> datetime:
    """When a slate is predicted: an hour before its first game, or now if that has passed
    for a slate still being played."""
    if first_tip_off is None:
        first_tip_off = slate_window(slate)[1]
    planned = first_tip_off - PREDICTION_LEAD
    return min(planned, now) if now < first_tip_off else planned


@dg.asset(
    deps=[games, game_results, player_stats], check_specs=specs(checks_for("team_stats")), **_COMMON
)
def team_stats(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[object]:
    """Each team's opponent-adjusted form as of a slate, from games finished before it.

    Grain: team x slate date x version. Source: game_results and player_stats of earlier
    slates, read as of the slate's start. Idempotency: a new version only when a rating
    changes.
    """
    from nba_assets.analytics.ratings import team_ratings

    engine, run_id, report, now = warehouse.engine(), context.run.run_id, RunReport(), utc_now()
    for slate in slates(context):
        season_ids = reads.season_game_ids(season_of(slate))
        starts = slate_window(slate)[0]
        with report.stage("fetch"):
            schedule = reads.games(engine, season_ids, now)
            finished = reads.results(engine, season_ids, starts, now)
            lines = reads.player_stats(engine, season_ids, starts, now)
        if schedule.empty:
            continue
        with report.stage("compute"):
            rows = team_ratings(
                slate, schedule, finished, lines, inputs_as_of=starts, teams=LEAGUE_TEAM_IDS
            )
        with report.stage("append"):
            report.add(
                append_idempotent(engine, "team_stats", rows, run_id=run_id, source=MODEL_SOURCE)
            )
        report.preview = rows
    yield from _describe(context, engine, report, slates(context))


@dg.asset(deps=[games], **_COMMON)
def schedule_context(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[object]:
    """Rest days, back-to-backs, recent load, travel and time-zone shift per team-game.

    Grain: game x team x version. Source: the season's schedule in `games`.
    Idempotency: a new version only when the schedule around a game changes.
    """
    from nba_assets.analytics.schedule_context import schedule_context as compute

    engine, run_id, report, now = warehouse.engine(), context.run.run_id, RunReport(), utc_now()
    for slate in slates(context):
        with report.stage("fetch"):
            schedule = reads.games(engine, reads.season_game_ids(season_of(slate)), now)
        schedule = schedule[schedule["status"] != "canceled"]
        if schedule.empty:
            continue
        with report.stage("compute"):
            lo, hi = reads.slate_game_ids(slate)
            # The whole season, not just up to the slate: the first night of a
            # back-to-back is known from tomorrow's game, published long in advance.
            season_rows = compute(schedule)
            rows = season_rows[season_rows["game_id"].between(lo, hi)]
        with report.stage("append"):
            report.add(
                append_idempotent(
                    engine, "schedule_context", rows, run_id=run_id, source=MODEL_SOURCE
                )
            )
        report.preview = rows
    yield from _describe(context, engine, report, slates(context))


@dg.asset(deps=[team_stats, schedule_context, injuries], **_COMMON)
def model_predictions(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[object]:
    """model_edge's margin and total forecast for each game, made before tip-off.

    Grain: game x model x version x predicted_at. Source: team_stats, schedule_context,
    injuries and box scores read at `predicted_at` (an hour before a past slate's first
    tip-off; now for today's). Idempotency: the natural key (a re-run predicts the same
    instant again and adds nothing).
    """
    from nba_assets.analytics.slate_predictions import predict_slate

    engine, run_id, report, now = warehouse.engine(), context.run.run_id, RunReport(), utc_now()
    for slate in slates(context):
        with report.stage("fetch"):
            slate_games = reads.games(engine, reads.slate_game_ids(slate), now)
            slate_games = slate_games[slate_games["status"] != "canceled"]
        if slate_games.empty:
            continue
        first_tip = pd.to_datetime(slate_games["commence_time"], utc=True).min()
        at = prediction_instant(first_tip.to_pydatetime(), slate, now)
        with report.stage("compute"):
            # Knowledge is read afresh per slate, so a range run sees the predictions it
            # made for earlier slates (the total's sigma learns from them) exactly as one
            # run per partition would.
            rows = predict_slate(engine, slate, at, utc_now())
        with report.stage("append"):
            report.add(
                append_idempotent(
                    engine, "model_predictions", rows, run_id=run_id, source=MODEL_SOURCE
                )
            )
        report.preview = rows.drop(columns=["features"], errors="ignore")
    yield from _describe(context, engine, report, slates(context))
