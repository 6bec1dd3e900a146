"""Quality checks: one per scored table, evaluated per slate from its quality score.

``registry.TableCheck`` gives a check one fixed severity; a quality check's severity
follows the score instead (passes from 85, warns below 85, fails with ERROR severity below
70), so these evaluations are built from the scores the asset has just computed and set
their severity one by one. None blocks: the quality asset runs after everything it
scores, so there is nothing downstream in its run to stop.

This module also gathers a slate's ``SlateData``: the reads the ingest checks share
(odds, results, quarantine), the quality reads, and the counts of the Great Expectations
suites the ingest checks run (the validity dimension reuses them; it runs no suite of its
own).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from typing import Any

import dagster as dg
import pandas as pd
from sqlalchemy import Engine

from nba_assets.analytics.quality import (
    DIMENSIONS,
    FAIL_BELOW,
    SCORED_TABLES,
    WARN_BELOW,
    SlateData,
    SuiteCounts,
    verdict,
)
from nba_assets.defs.checks import ingest_checks, queries
from nba_assets.defs.checks.registry import CheckOutcome
from nba_assets.defs.partitions import daily_partitions
from nba_assets.warehouse import quality_reads

ASSET = "quality_scores"
# The ingest checks whose suites measure validity; games and player_stats have none yet.
SUITE_CHECKS: dict[str, Callable[[Engine, date, datetime], CheckOutcome]] = {
    "odds_snapshots": ingest_checks.odds_valid,
    "game_results": ingest_checks.results_valid,
    "injuries": ingest_checks.injuries_valid,
}
_SEVERITY = {"warn": dg.AssetCheckSeverity.WARN, "fail": dg.AssetCheckSeverity.ERROR}


def check_name(table: str) -> str:
    return f"{table}_quality"


def quality_specs() -> list[dg.AssetCheckSpec]:
    """One check per scored table, recorded per slate partition."""
    return [
        dg.AssetCheckSpec(
            check_name(table),
            asset=ASSET,
            description=f"{table}'s data-quality score for the slate: warns below "
            f"{WARN_BELOW:g}, fails (ERROR) below {FAIL_BELOW:g}",
            partitions_def=daily_partitions,
        )
        for table in SCORED_TABLES
    ]


def suite_counts(engine: Engine, slate: date, now: datetime) -> dict[str, SuiteCounts]:
    """Expectations evaluated and met per table, with its rows and quarantined records;
    a table with no rows for the slate ran no suite and is left out."""
    counts = {}
    for table, check in SUITE_CHECKS.items():
        meta = check(engine, slate, now).metadata
        if "evaluated_expectations" not in meta:
            continue
        quarantined = meta.get("quarantined")
        if quarantined is None:
            quarantined = queries.quarantined(engine, slate, table)
        counts[table] = SuiteCounts(
            int(meta["evaluated_expectations"]),
            int(meta["successful_expectations"]),
            int(meta["rows"]),
            int(quarantined),
        )
    return counts


def slate_data(engine: Engine, slate: date, now: datetime, live: bool) -> SlateData:
    """Everything the warehouse knew about the slate at ``now``, as the scores need it."""
    with queries.one_read_per_slate():  # odds_valid and the odds below share one read
        suites = suite_counts(engine, slate, now)
        odds = queries.slate_odds(engine, slate)
    results = queries.slate_results(engine, slate)
    return SlateData(
        slate=slate,
        now=now,
        live=live,
        games=quality_reads.games(engine, slate, now),
        odds=odds[odds["ingested_at"] <= pd.Timestamp(now)].reset_index(drop=True),
        books=quality_reads.books(engine, slate, now),
        results=results,
        box=quality_reads.box_scores(engine, slate, now),
        injuries=quality_reads.injury_reports(engine, slate, now),
        polls=quality_reads.polls(engine, slate, now),
        suites=suites,
    )


def evaluations(
    context: dg.AssetExecutionContext, scores: pd.DataFrame, slates: Iterable[date]
) -> Iterator[dg.AssetCheckEvaluation]:
    """One evaluation per selected check and slate; a table the slate gave nothing to
    score (no games, nothing due yet) passes and says so."""
    selected = context.selected_asset_check_keys
    by_key = {(r.slate_date, r.table_name): r for r in scores.itertuples(index=False)}
    for slate in slates:
        for table in SCORED_TABLES:
            key = dg.AssetCheckKey(dg.AssetKey(ASSET), check_name(table))
            if key not in selected:
                continue
            row = by_key.get((slate, table))
            if row is None:
                passed, severity, metadata = True, dg.AssetCheckSeverity.WARN, {}
                description = f"nothing to score for {table} on {slate}"
            else:
                outcome = verdict(row.score)
                passed = outcome == "pass"
                severity = _SEVERITY.get(outcome, dg.AssetCheckSeverity.WARN)
                metadata = score_metadata(row)
                description = f"{table} scored {row.score:.1f} on {slate}: {outcome}"
            yield dg.AssetCheckEvaluation(
                asset_key=key.asset_key,
                check_name=key.name,
                passed=passed,
                severity=severity,
                metadata=metadata,
                description=description,
                partition=slate.isoformat(),
            )


def score_metadata(row: Any) -> dict[str, object]:
    """The score, its verdict, the thresholds and each measured dimension."""
    score = float(row.score)
    metadata: dict[str, object] = {
        "score": score,
        "verdict": verdict(score),
        "warn_below": WARN_BELOW,
        "fail_below": FAIL_BELOW,
    }
    for dimension in DIMENSIONS:
        value = getattr(row, dimension)
        if value is not None and not pd.isna(value):
            metadata[dimension] = float(value)
    return metadata
