"""Sensors: scoring after fresh odds or injuries, grading after final results, alerts.

Scoring and grading run in runs of their own, so Dagster's same-run blocking cannot stop
them: these sensors consult the latest upstream blocking checks per slate first
(:mod:`nba_assets.defs.checks.gates`), and the assets refuse such a slate as well.
"""

from __future__ import annotations

import json
import time

import dagster as dg
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from nba_assets.defs.alerts import send_alert
from nba_assets.defs.checks.gates import failed_gates
from nba_assets.defs.jobs import (
    run_grading,
    run_ingest,
    run_quality,
    run_results_sync,
    run_scoring,
    run_snapshot,
)

SCORING_TRIGGERS = ("odds_snapshots", "injuries")
# A planned check still running after this long belongs to a run that died.
STALE_PLANNED_SECONDS = 6 * 3600


def _inserted_anything(record: dg.EventLogRecord) -> bool:
    """Whether a materialization added rows; one without row counts is taken as new."""
    materialization = record.asset_materialization
    metadata = materialization.metadata if materialization else {}
    counts = [v.value for k, v in metadata.items() if k.endswith("rows_inserted")]
    return not counts or any(int(n or 0) > 0 for n in counts)


def _new_partitions(instance: dg.DagsterInstance, asset: str, after: int) -> tuple[set[str], int]:
    """Partitions of ``asset`` that gained rows after storage id ``after``, and the newest id."""
    records = instance.fetch_materializations(dg.AssetKey(asset), limit=500).records
    fresh = [r for r in records if r.storage_id > after]
    partitions = {r.partition_key for r in fresh if r.partition_key and _inserted_anything(r)}
    return partitions, max((r.storage_id for r in fresh), default=after)


def _ungated(context: dg.SensorEvaluationContext, asset: str, partitions: set[str]) -> list[str]:
    """The partitions whose upstream blocking checks did not fail; the others are logged."""
    allowed = []
    for partition in sorted(partitions):
        failed = failed_gates(context.instance, asset, partition)
        if failed:
            context.log.warning(f"not running {asset} for {partition}: {', '.join(failed)} failed")
        else:
            allowed.append(partition)
    return allowed


@dg.sensor(
    job=run_scoring,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Re-score a slate when its odds or injury report gained rows, unless a "
    "blocking check on its odds or ratings failed.",
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
            for p in _ungated(context, "value_scores", partitions)
        ],
        cursor=json.dumps(cursor),
    )


@dg.sensor(
    job=run_grading,
    minimum_interval_seconds=120,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Grade a slate when its results gained rows (a final score or a correction), "
    "unless a blocking check on its results or value scores failed.",
)
def results_final_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    after = int(context.cursor or 0)
    partitions, newest = _new_partitions(context.instance, "game_results", after)
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=f"grading-{p}-{newest}", partition_key=p)
            for p in _ungated(context, "grades", partitions)
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
            if record.status == AssetCheckExecutionRecordStatus.PLANNED:
                if time.time() - record.create_timestamp < STALE_PLANNED_SECONDS:
                    break  # still running: come back to it, and to what follows, next tick
                seen = record.id
                continue
            seen = record.id
            evaluation = record.evaluation
            if record.status == AssetCheckExecutionRecordStatus.FAILED and evaluation:
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
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Alert when any run of this code location fails (scheduled, sensor-started, "
    "or a backfill launched from the UI or CLI).",
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


@dg.run_failure_sensor(
    monitored_jobs=[run_snapshot, run_ingest, run_results_sync],
    request_job=run_quality,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Score a slate's data quality after the ingest run that should have scored "
    "it failed: a failed blocking check skips quality_scores in that run, and a slate that "
    "failed its checks is the one whose score matters most.",
)
def quality_after_failed_ingest(context: dg.RunFailureSensorContext):
    partition = context.dagster_run.tags.get("dagster/partition")
    if not partition:
        return dg.SkipReason("the failed run names no single partition")
    return dg.RunRequest(run_key=f"quality-{context.dagster_run.run_id}", partition_key=partition)


SENSORS = [
    fresh_inputs_sensor,
    results_final_sensor,
    check_failure_sensor,
    run_failure_alert,
    quality_after_failed_ingest,
]
