"""What every asset body shares: the slates it covers, stage timings, metadata, checks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime

import dagster as dg
import pandas as pd

from nba_assets.core.slates import slate_date, slate_window, utc_now
from nba_assets.warehouse.append import AppendResult

PREVIEW_ROWS = 10


def slates(context: dg.AssetExecutionContext) -> list[date]:
    """The slate dates of this run, single partition or a single-run range alike."""
    return [date.fromisoformat(k) for k in context.partition_keys]


def is_live(slate: date, now: datetime | None = None) -> bool:
    """Today's (and any future) slate loads live; earlier slates load from history."""
    return slate >= slate_date(now or utc_now())


def slate_end(slate: date) -> datetime:
    return slate_window(slate)[1]


@dataclass
class RunReport:
    """Counts, timings and previews an asset body reports as materialization metadata."""

    appended: dict[str, list[AppendResult]] = field(default_factory=dict)
    quarantined: int = 0
    stage_seconds: dict[str, float] = field(default_factory=dict)
    extra: dict[str, object] = field(default_factory=dict)
    preview: pd.DataFrame | None = None

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.stage_seconds[name] = self.stage_seconds.get(name, 0.0) + (
                time.perf_counter() - started
            )

    def add(self, result: AppendResult) -> None:
        self.appended.setdefault(result.table, []).append(result)

    def totals(self, table: str) -> tuple[int, int]:
        results = self.appended.get(table, [])
        return sum(r.offered for r in results), sum(r.inserted for r in results)

    def metadata(self) -> dict[str, object]:
        meta: dict[str, object] = {}
        for table in self.appended:
            offered, inserted = self.totals(table)
            prefix = "" if len(self.appended) == 1 else f"{table}/"
            meta[f"{prefix}rows_offered"] = offered
            meta[f"{prefix}rows_inserted"] = inserted
            meta[f"{prefix}rows_duplicate"] = offered - inserted
        meta["rows_quarantined"] = self.quarantined
        for stage, seconds in self.stage_seconds.items():
            meta[f"seconds_{stage}"] = round(seconds, 3)
        meta.update(self.extra)
        if self.preview is not None and not self.preview.empty:
            meta["preview"] = dg.MetadataValue.md(
                self.preview.head(PREVIEW_ROWS).to_markdown(index=False)
            )
        return meta


def materialize_result(
    context: dg.AssetExecutionContext, report: RunReport
) -> dg.MaterializeResult:
    """The run's metadata, also logged as one line whose fields are its numbers.

    With the JSON log handler of ``dagster.yaml`` that line carries the run id, partition,
    asset and feed beside rows, duplicates, quarantined rows and seconds per stage, so a log
    search answers what the UI's metadata does.
    """
    metadata = report.metadata()
    numbers = {k: v for k, v in metadata.items() if isinstance(v, int | float)}
    context.log.info(
        "%s: %s rows inserted, %s quarantined, stages %s",
        context.asset_key.to_user_string(),
        sum(report.totals(t)[1] for t in report.appended),
        report.quarantined,
        ", ".join(f"{k} {v:.2f}s" for k, v in report.stage_seconds.items()) or "none",
        extra={k.replace("/", "."): v for k, v in numbers.items()},
    )
    return dg.MaterializeResult(metadata=metadata)


def check_outputs(context: dg.AssetExecutionContext) -> Iterator[dg.Output]:
    """Close the selected check outputs after per-partition evaluations were yielded.

    ``AssetCheckResult`` records no partition in a range run, so bodies yield
    ``AssetCheckEvaluation``s with an explicit partition instead, then these outputs.
    """
    for name, spec in context.assets_def.check_specs_by_output_name.items():
        if spec.key in context.selected_asset_check_keys:
            yield dg.Output(None, output_name=name)
