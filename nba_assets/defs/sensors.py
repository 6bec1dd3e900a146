"""Sensors: scoring after fresh odds or injuries, grading after final results, alerts."""

from __future__ import annotations

import json

import dagster as dg

from nba_assets.defs.alerts import send_alert
from nba_assets.defs.jobs import JOBS, run_grading, run_scoring

SCORING_TRIGGERS = ("odds_snapshots", "injuries")


def _new_partitions(instance: dg.DagsterInstance, asset: str, after: int) -> tuple[set[str], int]:
    """Partitions of ``asset`` materialized after storage id ``after``, and the newest id."""
    records = instance.fetch_materializations(dg.AssetKey(asset), limit=500).records
    fresh = [r for r in records if r.storage_id > after]
    partitions = {r.partition_key for r in fresh if r.partition_key}
    return partitions, max((r.storage_id for r in fresh), default=after)


@dg.sensor(
    job=run_scoring,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Re-score a slate when its odds or injury report were refreshed.",
)
def fresh_inputs_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    cursor = json.loads(context.cursor) if context.cursor else {}
    partitions: set[str] = set()
    for asset in SCORING_TRIGGERS:
        found, cursor[asset] = _new_partitions(context.instance, asset, cursor.get(asset, 0))
        partitions |= found
    marker = "-".join(str(cursor[a]) for a in SCORING_TRIGGERS)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=f"scoring-{p}-{marker}", partition_key=p)
            for p in sorted(partitions)
        ],
        cursor=json.dumps(cursor),
    )


@dg.sensor(
    job=run_grading,
    minimum_interval_seconds=120,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Grade a slate when new final results arrived for it.",
)
def results_final_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    after = int(context.cursor or 0)
    partitions, newest = _new_partitions(context.instance, "game_results", after)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=f"grading-{p}-{newest}", partition_key=p)
            for p in sorted(partitions)
        ],
        cursor=str(newest),
    )


@dg.sensor(
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alert on every failed asset check, blocking or not.",
)
def check_failure_sensor(context: dg.SensorEvaluationContext) -> dg.SkipReason | None:
    cursor = json.loads(context.cursor) if context.cursor else {}
    storage = context.instance.event_log_storage
    alerted = 0
    for key in sorted(context.repository_def.asset_graph.asset_check_keys, key=str):
        seen = cursor.get(key.to_user_string(), 0)
        history = storage.get_asset_check_execution_history(key, limit=100)
        for record in sorted(history, key=lambda r: r.id):
            if record.id <= seen:
                continue
            seen = record.id
            event = record.event.dagster_event if record.event else None
            evaluation = event.event_specific_data if event else None
            if evaluation is not None and not evaluation.passed:
                send_alert(
                    f"check failed: {key.to_user_string()}",
                    {
                        "partition": record.partition,
                        "run_id": record.run_id,
                        "severity": evaluation.severity.value,
                    },
                )
                alerted += 1
        cursor[key.to_user_string()] = seen
    context.update_cursor(json.dumps(cursor))
    return None if alerted else dg.SkipReason("no new failed checks")


@dg.run_failure_sensor(
    monitored_jobs=JOBS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alert when a run fails.",
)
def run_failure_alert(context: dg.RunFailureSensorContext) -> None:
    send_alert(
        f"run failed: {context.dagster_run.job_name}",
        {
            "run_id": context.dagster_run.run_id,
            "partition": context.dagster_run.tags.get("dagster/partition"),
            "error": context.failure_event.message,
        },
    )


SENSORS = [fresh_inputs_sensor, results_final_sensor, check_failure_sensor, run_failure_alert]
