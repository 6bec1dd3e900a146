"""The cadence: today's slate is polled on a clock in New York time.

Custom schedules rather than ``build_schedule_from_partitioned_job``, which refuses
sub-daily crons for time-partitioned jobs (DAGSTER-NOTES B.4). Each tick asks for the
slate partition of its own instant and carries the tick time as its run key, so a tick is
never requested twice.
"""

from __future__ import annotations

import os
from datetime import datetime, time, timedelta

import dagster as dg

from nba_assets.core.slates import SLATE_TZ, slate_date
from nba_assets.defs.jobs import run_ingest, run_results_sync, run_snapshot, run_team_stats

NY = "America/New_York"
# Games tip off from about noon to 10:30 pm New York time and run ~2.5 hours.
GAME_HOURS = (time(12, 0), time(23, 59))


def snapshot_cron() -> str:
    minutes = int(os.environ.get("NBA_SNAPSHOT_MINUTES", "15"))
    if not 15 <= minutes <= 30:
        raise ValueError(f"NBA_SNAPSHOT_MINUTES must be between 15 and 30, not {minutes}")
    return f"*/{minutes} * * * *"


def _request(context: dg.ScheduleEvaluationContext, prefix: str) -> dg.RunRequest:
    tick: datetime = context.scheduled_execution_time
    return dg.RunRequest(
        run_key=f"{prefix}-{tick.isoformat()}", partition_key=slate_date(tick).isoformat()
    )


@dg.schedule(
    job=run_snapshot,
    cron_schedule=snapshot_cron(),
    execution_timezone=NY,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Odds for today's slate every 15 minutes (NBA_SNAPSHOT_MINUTES, 15-30).",
)
def snapshot_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return _request(context, "snapshot")


@dg.schedule(
    job=run_ingest,
    cron_schedule="*/30 * * * *",
    execution_timezone=NY,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Games and injury reports for today's slate every 30 minutes.",
)
def ingest_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return _request(context, "ingest")


@dg.schedule(
    job=run_team_stats,
    cron_schedule="0 8 * * *",
    execution_timezone=NY,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Team ratings and schedule context for the day's slate at 8 am New York.",
)
def team_stats_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return _request(context, "team-stats")


@dg.schedule(
    job=run_results_sync,
    cron_schedule="*/30 * * * *",
    execution_timezone=NY,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Results every 30 minutes while games are on (noon to 3 am New York).",
)
def results_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    tick = context.scheduled_execution_time.astimezone(SLATE_TZ)
    if time(3, 0) <= tick.time() < GAME_HOURS[0]:
        return dg.SkipReason(f"no games are on at {tick:%H:%M} New York time")
    # After midnight the games still running belong to yesterday's slate.
    slate = slate_date(tick)
    if tick.time() < GAME_HOURS[0]:
        slate -= timedelta(days=1)
    return dg.RunRequest(run_key=f"results-{tick.isoformat()}", partition_key=slate.isoformat())


SCHEDULES = [snapshot_schedule, ingest_schedule, team_stats_schedule, results_schedule]
