"""Blocking checks across runs: money never moves on a slate whose inputs failed them.

Dagster's ``blocking=True`` stops downstream steps of the *same* run. Scoring and grading
usually run later, in runs of their own (sensors start them), so they ask here whether
the latest evaluation of each upstream blocking check for their slate failed.
"""

from __future__ import annotations

from collections.abc import Iterable

import dagster as dg
from dagster._core.event_api import PartitionKeyFilter
from dagster._core.storage.asset_check_execution_record import AssetCheckExecutionRecordStatus

from nba_assets.defs.checks.ingest_checks import INGEST_CHECKS
from nba_assets.defs.checks.model_checks import MODEL_CHECKS
from nba_assets.defs.checks.registry import TableCheck

# What each money-moving asset reads, and so whose blocking checks gate it.
GATED_BY: dict[str, tuple[str, ...]] = {
    "value_scores": ("odds_snapshots", "team_stats"),
    "grades": ("game_results", "value_scores"),
}
_COMPLETED = {AssetCheckExecutionRecordStatus.SUCCEEDED, AssetCheckExecutionRecordStatus.FAILED}


def blocking_checks(assets: Iterable[str]) -> list[TableCheck]:
    wanted = set(assets)
    return [c for c in (*INGEST_CHECKS, *MODEL_CHECKS) if c.blocking and c.asset in wanted]


def failed_gates(instance: dg.DagsterInstance, asset: str, partition: str) -> list[str]:
    """Upstream blocking checks whose latest evaluation for ``partition`` failed."""
    storage = instance.event_log_storage
    failed = []
    for check in blocking_checks(GATED_BY.get(asset, ())):
        latest = storage.get_asset_check_execution_history(
            check.key,
            limit=1,
            status=_COMPLETED,
            partition_filter=PartitionKeyFilter(key=partition),
        )
        if latest and latest[0].status == AssetCheckExecutionRecordStatus.FAILED:
            failed.append(check.key.to_user_string())
    return failed


def refuse_gated_slates(context: dg.AssetExecutionContext) -> None:
    """Fail the step, naming slates and checks, when any slate of the run is gated."""
    asset = context.asset_key.to_user_string()
    blocked = {}
    for partition in context.partition_keys:
        failed = failed_gates(context.instance, asset, partition)
        if failed:
            blocked[partition] = failed
    if blocked:
        listed = "; ".join(f"{p}: {', '.join(f)}" for p, f in sorted(blocked.items()))
        raise dg.Failure(
            description=f"{asset} refuses slates whose inputs failed a blocking check ({listed}); "
            "fix the data and re-materialize the upstream partition first",
            metadata={"blocked_slates": sorted(blocked)},
        )
