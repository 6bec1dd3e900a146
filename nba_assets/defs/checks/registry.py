"""Asset checks as data: each one a name, a severity, whether it blocks, and a function.

Asset bodies evaluate their checks per slate right after writing, so every result is
recorded against its own partition even in a single-run backfill over many slates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime

import dagster as dg
import numpy as np
from sqlalchemy import Engine

from nba_assets.defs.checks.queries import one_read_per_slate
from nba_assets.defs.partitions import daily_partitions


@dataclass(frozen=True)
class CheckOutcome:
    passed: bool
    metadata: dict[str, object]
    description: str | None = None


Evaluate = Callable[[Engine, date, datetime], CheckOutcome]


@dataclass(frozen=True)
class TableCheck:
    asset: str
    name: str
    description: str
    evaluate: Evaluate
    blocking: bool = False
    severity: dg.AssetCheckSeverity = dg.AssetCheckSeverity.WARN

    @property
    def key(self) -> dg.AssetCheckKey:
        return dg.AssetCheckKey(dg.AssetKey(self.asset), self.name)

    def spec(self) -> dg.AssetCheckSpec:
        return dg.AssetCheckSpec(
            self.name,
            asset=self.asset,
            description=self.description,
            blocking=self.blocking,
            partitions_def=daily_partitions,
        )


def specs(checks: Iterable[TableCheck]) -> list[dg.AssetCheckSpec]:
    return [c.spec() for c in checks]


def evaluate_checks(
    context: dg.AssetExecutionContext,
    engine: Engine,
    checks: Iterable[TableCheck],
    slates: Iterable[date],
    now: datetime,
) -> Iterator[dg.AssetCheckEvaluation]:
    """One evaluation per selected check and slate, keyed by the slate's partition."""
    selected = context.selected_asset_check_keys
    for slate in slates:
        chosen = [c for c in checks if c.key in selected]
        # Evaluated before anything is yielded, so the slate's shared reads end here.
        with one_read_per_slate():
            outcomes = [_outcome(check, engine, slate, now) for check in chosen]
        for check, (outcome, metadata) in zip(chosen, outcomes, strict=True):
            yield dg.AssetCheckEvaluation(
                asset_key=check.key.asset_key,
                check_name=check.name,
                passed=outcome.passed,
                metadata=metadata,
                severity=check.severity,
                description=outcome.description,
                blocking=check.blocking,
                partition=slate.isoformat(),
            )


def _outcome(
    check: TableCheck, engine: Engine, slate: date, now: datetime
) -> tuple[CheckOutcome, dict[str, object]]:
    try:
        outcome = check.evaluate(engine, slate, now)
        return outcome, {k: _plain(v) for k, v in outcome.metadata.items()}
    except Exception as exc:  # a check that cannot run has failed, visibly
        return CheckOutcome(False, {}), {"error": f"{type(exc).__name__}: {exc}"}


def _plain(value: object) -> object:
    """Numpy scalars (game ids from pandas, say) as Python values Dagster can store."""
    if isinstance(value, dg.MetadataValue):  # records are tuples too: leave them whole
        return value
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
