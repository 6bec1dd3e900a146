"""Great Expectations suites, one per table, run directly with GX 1.x on a partition's rows.

GX is imported inside the functions: it takes seconds to import and only check
evaluation needs it (DAGSTER-NOTES B.6). dagster-ge is not used: it pins GX < 1 and
pandas < 3.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pandas as pd

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class SuiteResult:
    success: bool
    evaluated: int
    successful: int
    failures: list[dict[str, Any]]

    @property
    def success_percent(self) -> float:
        return 100.0 * self.successful / self.evaluated if self.evaluated else 100.0

    def metadata(self) -> dict[str, Any]:
        import dagster as dg

        table = "\n".join(
            f"| {f['expectation']} | {f['column']} | {f['unexpected_count']} | {f['sample']} |"
            for f in self.failures
        )
        return {
            "evaluated_expectations": self.evaluated,
            "successful_expectations": self.successful,
            "success_percent": round(self.success_percent, 2),
            "failed_expectations": dg.MetadataValue.md(
                "| expectation | column | unexpected | sample |\n|---|---|---|---|\n" + table
            )
            if self.failures
            else "none",
        }


def _suite(name: str, build: Callable[[Any], list[Any]]) -> Any:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    return gx.ExpectationSuite(name=name, expectations=build(gxe))


def odds_suite() -> Any:
    return _suite(
        "odds_snapshots",
        lambda gxe: (
            [
                gxe.ExpectColumnValuesToNotBeNull(column=c)
                for c in ("snapshot_time", "game_id", "book_id", "price_decimal", "price_american")
            ]
            + [
                # Books cap long shots near +10000; real lopsided games reach +6500 or more.
                gxe.ExpectColumnValuesToBeBetween(
                    column="price_decimal", min_value=1.001, max_value=101
                ),
                gxe.ExpectColumnValuesToBeInSet(
                    column="market", value_set=["h2h", "spreads", "totals"]
                ),
                gxe.ExpectColumnValuesToBeInSet(
                    column="outcome", value_set=["home", "away", "over", "under"]
                ),
                gxe.ExpectColumnValuesToBeInSet(column="point_half_step", value_set=[True]),
                gxe.ExpectColumnValuesToBeBetween(column="abs_point", min_value=0, max_value=300),
                gxe.ExpectCompoundColumnsToBeUnique(
                    column_list=[
                        "game_id",
                        "book_id",
                        "market",
                        "outcome",
                        "point",
                        "snapshot_time",
                    ]
                ),
            ]
        ),
    )


def results_suite() -> Any:
    return _suite(
        "game_results",
        lambda gxe: [
            gxe.ExpectColumnValuesToNotBeNull(column="game_id"),
            gxe.ExpectColumnValuesToBeBetween(column="home_score", min_value=50, max_value=200),
            gxe.ExpectColumnValuesToBeBetween(column="away_score", min_value=50, max_value=200),
            gxe.ExpectColumnValuesToBeBetween(column="periods", min_value=4, max_value=10),
            gxe.ExpectColumnValuesToBeInSet(column="final", value_set=[True]),
            gxe.ExpectColumnValuesToBeInSet(column="not_tied", value_set=[True]),
        ],
    )


def injuries_suite() -> Any:
    return _suite(
        "injuries",
        lambda gxe: [
            gxe.ExpectColumnValuesToNotBeNull(column="player_id"),
            gxe.ExpectColumnValuesToBeInSet(
                column="status",
                value_set=[
                    "out",
                    "doubtful",
                    "questionable",
                    "probable",
                    "available",
                    "day_to_day",
                ],
            ),
            gxe.ExpectColumnValuesToBeBetween(column="play_probability", min_value=0, max_value=1),
        ],
    )


def team_stats_suite() -> Any:
    return _suite(
        "team_stats",
        lambda gxe: [
            gxe.ExpectTableRowCountToEqual(value=30),
            gxe.ExpectColumnValuesToBeUnique(column="team_id"),
            gxe.ExpectColumnValuesToBeBetween(column="net_rating", min_value=-30, max_value=30),
            gxe.ExpectColumnValuesToBeBetween(column="pace", min_value=85, max_value=115),
        ],
    )


def value_scores_suite() -> Any:
    return _suite(
        "value_scores",
        lambda gxe: [
            gxe.ExpectColumnValuesToBeBetween(
                column="fair_prob", min_value=0, max_value=1, strict_min=True, strict_max=True
            ),
            gxe.ExpectColumnValuesToBeBetween(column="value_score", min_value=0, max_value=100),
            gxe.ExpectColumnValuesToBeBetween(column="kelly_fraction", min_value=0, max_value=0.05),
            gxe.ExpectColumnValuesToBeInSet(
                column="algorithm", value_set=["market_consensus", "model_edge"]
            ),
        ],
    )


@cache
def _whole_frame() -> Any:
    """One ephemeral GX context per process: building it costs more than most validations
    (a season backfill validates thousands of slates), and each batch brings its own frame."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    # No "Calculating Metrics" bars on stderr: run logs are for what happened.
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return (
        context.data_sources.add_pandas("warehouse")
        .add_dataframe_asset("partition")
        .add_batch_definition_whole_dataframe("all")
    )


def validate(frame: pd.DataFrame, suite: Any) -> SuiteResult:
    """Run ``suite`` on ``frame`` in an ephemeral GX context; failures carry sample rows."""
    batch = _whole_frame().get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format="SUMMARY")
    failures = []
    for r in result.results:
        if r.success:
            continue
        config = r.expectation_config
        failures.append(
            {
                "expectation": config.type,
                "column": config.kwargs.get(
                    "column", ",".join(config.kwargs.get("column_list", []))
                ),
                "unexpected_count": r.result.get(
                    "unexpected_count", r.result.get("observed_value")
                ),
                "sample": r.result.get("partial_unexpected_list", [])[:SAMPLE_ROWS],
            }
        )
    stats = result.statistics
    return SuiteResult(
        success=bool(result.success),
        evaluated=int(stats["evaluated_expectations"]),
        successful=int(stats["successful_expectations"]),
        failures=failures,
    )
