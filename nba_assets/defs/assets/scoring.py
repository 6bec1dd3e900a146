"""Scoring assets: value scores from both algorithms, grades with CLV, calibration.

Value scores price every book's line against a fair probability from the market
consensus and from model_edge at one scoring instant per slate; grades settle them
against final results and the devigged closing consensus; calibration tracks both
algorithms over rolling windows and renders the reliability diagram into the UI.
"""

import base64
from collections.abc import Iterator
from datetime import date, datetime, timedelta

import dagster as dg
import pandas as pd

from nba_assets.core.slates import season_of, utc_now
from nba_assets.defs.assets.common import RunReport, slates
from nba_assets.defs.assets.ingest import game_results, odds_snapshots
from nba_assets.defs.assets.model import (
    MODEL_SOURCE,
    _describe,
    model_predictions,
    prediction_instant,
)
from nba_assets.defs.checks.gates import refuse_gated_slates
from nba_assets.defs.checks.model_checks import checks_for
from nba_assets.defs.checks.queries import read
from nba_assets.defs.checks.registry import specs
from nba_assets.defs.partitions import daily_partitions
from nba_assets.defs.resources import WarehouseResource
from nba_assets.warehouse import reads
from nba_assets.warehouse.append import append_idempotent

_COMMON = dict(
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="scoring",
    owners=["team:quant"],
    kinds={"postgres", "python"},
)


def scoring_instant(engine, slate: date, now: datetime) -> tuple[datetime, pd.DataFrame]:
    """The slate's scoring instant (as for predictions) and its not-yet-started games."""
    games = reads.games(engine, reads.slate_game_ids(slate), now)
    games = games[games["status"] != "canceled"]
    tips = pd.to_datetime(games["commence_time"], utc=True)
    first = tips.min().to_pydatetime() if len(games) else None
    at = prediction_instant(first, slate, now)
    return at, games[tips > at]


def _png_markdown(png: bytes, alt: str) -> dg.MetadataValue:
    return dg.MetadataValue.md(f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})")


@dg.asset(
    deps=[odds_snapshots, model_predictions],
    check_specs=specs(checks_for("value_scores")),
    # Scores follow every 15-minute odds tick; hourly deadlines from late morning, when
    # books post the slate, to the last tip-off.
    freshness_policy=dg.FreshnessPolicy.cron(
        deadline_cron="0 11-23 * * *",
        lower_bound_delta=timedelta(minutes=60),
        timezone="America/New_York",
    ),
    **_COMMON,
)
def value_scores(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[object]:
    """Every book's price scored: fair probability, EV, capped Kelly stake, 0-100 score.

    Grain: game x book x market x outcome x point x algorithm x version x scored_at.
    Source: the board (each book's current lines) and model_predictions, both read at the
    scoring instant (an hour before a past slate's first tip-off; now for today's).
    Algorithms: market_consensus (devigged, sharp-weighted consensus) and model_edge.
    Idempotency: the natural key.
    """
    from nba_assets.analytics.market_consensus import market_consensus
    from nba_assets.analytics.value import score_market_consensus, score_model_edge

    refuse_gated_slates(context)
    engine, run_id, report, now = warehouse.engine(), context.run.run_id, RunReport(), utc_now()
    for slate in slates(context):
        with report.stage("fetch"):
            at, upcoming = scoring_instant(engine, slate, now)
            board = reads.board(engine, slate, at, now)
            board = board[board["game_id"].isin(upcoming["game_id"])].reset_index(drop=True)
            lo, hi = reads.slate_game_ids(slate)
            predictions = read(
                engine,
                """SELECT * FROM nba.model_predictions WHERE game_id BETWEEN :lo AND :hi
                   AND predicted_at <= :at AND ingested_at <= :now""",
                lo=lo,
                hi=hi,
                at=at,
                now=now,
            )
        if board.empty:
            continue
        with report.stage("compute"):
            consensus = score_market_consensus(board, market_consensus(board), at)
            model = score_model_edge(board, predictions, at) if not predictions.empty else None
        with report.stage("append"):
            for rows in (consensus, model):
                if rows is not None and not rows.empty:
                    report.add(
                        append_idempotent(
                            engine, "value_scores", rows, run_id=run_id, source=MODEL_SOURCE
                        )
                    )
        report.preview = consensus.sort_values("value_score", ascending=False)
    yield from _describe(context, engine, report, slates(context))


@dg.asset(deps=[value_scores, game_results], **_COMMON)
def grades(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> Iterator[object]:
    """Each value score settled: win, loss, push or void, profit, and closing line value.

    Grain: the value score's key x version (a corrected result regrades as a new version).
    Source: value_scores, final game_results, and the devigged consensus of each book's
    last price before tip-off. Only games with a final score, or canceled ones (void), are
    graded. Idempotency: a new version only when a grade changes.
    """
    from nba_assets.analytics.grading import grade_value_scores
    from nba_assets.analytics.market_consensus import market_consensus

    refuse_gated_slates(context)
    engine, run_id, report, now = warehouse.engine(), context.run.run_id, RunReport(), utc_now()
    for slate in slates(context):
        lo, hi = reads.slate_game_ids(slate)
        with report.stage("fetch"):
            scores = read(
                engine,
                "SELECT * FROM nba.value_scores WHERE game_id BETWEEN :lo AND :hi",
                lo=lo,
                hi=hi,
            )
            results = reads.results(engine, (lo, hi), now, now)
            games = reads.games(engine, (lo, hi), now)
            closing = reads.closing_board(engine, slate, now)
        settled = set(results["game_id"]) | set(games.loc[games["status"] == "canceled", "game_id"])
        scores = scores[scores["game_id"].isin(settled)]
        if scores.empty:
            continue
        with report.stage("compute"):
            close = market_consensus(closing).consensus if not closing.empty else None
            if close is None:
                close = pd.DataFrame(columns=["game_id", "market", "outcome", "point", "fair_prob"])
            scores = scores.assign(
                point=scores["point"].astype(float),
                price_decimal=scores["price_decimal"].astype(float),
            )
            rows = grade_value_scores(scores, results, close, now)
        with report.stage("append"):
            report.add(
                append_idempotent(engine, "grades", rows, run_id=run_id, source=MODEL_SOURCE)
            )
        report.preview = rows
    yield from _describe(context, engine, report, slates(context))


@dg.asset(deps=[grades], **_COMMON)
def calibration_metrics(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[object]:
    """Brier, log loss, ECE, reliability bins, ROI and mean CLV per algorithm and market.

    Grain: algorithm x version x market x window (7 days, 30 days, season) x window end x
    version. Source: the season's latest grades up to the slate. Idempotency: a new version
    only when a metric changes. The reliability diagram and the cumulative CLV chart show
    in the materialization's metadata.
    """
    from nba_assets.analytics.calibration import calibration_metrics as compute
    from nba_assets.analytics.charts import cumulative_clv_png, reliability_diagram_png

    engine, run_id, report, now = warehouse.engine(), context.run.run_id, RunReport(), utc_now()
    rows = pd.DataFrame()
    graded = pd.DataFrame()
    for slate in slates(context):
        lo, _ = reads.season_game_ids(season_of(slate))
        _, hi = reads.slate_game_ids(slate)
        with report.stage("fetch"):
            graded = read(
                engine,
                """SELECT DISTINCT ON (game_id, book_id, market, outcome, point, algorithm,
                                      algorithm_version, scored_at) *
                   FROM nba.grades WHERE game_id BETWEEN :lo AND :hi
                   ORDER BY game_id, book_id, market, outcome, point, algorithm,
                            algorithm_version, scored_at, version DESC""",
                lo=lo,
                hi=hi,
            )
        if graded.empty:
            continue
        with report.stage("compute"):
            graded = graded.assign(
                point=graded["point"].astype(float),
                price_decimal=graded["price_decimal"].astype(float),
            )
            rows = compute(graded, slate, now)
        with report.stage("append"):
            report.add(
                append_idempotent(
                    engine, "calibration_metrics", rows, run_id=run_id, source=MODEL_SOURCE
                )
            )
    if not rows.empty:
        season = rows[(rows["window_name"] == "season") & (rows["n"] > 0)]
        bins = {f"{r.algorithm} {r.market}": r.bins for r in season.itertuples()}
        if bins:
            report.extra["reliability_diagram"] = _png_markdown(
                reliability_diagram_png(bins), "reliability diagram"
            )
        report.extra["cumulative_clv"] = _png_markdown(cumulative_clv_png(graded), "CLV")
        report.preview = rows.drop(columns=["bins"])
    yield from _describe(context, engine, report, slates(context))
