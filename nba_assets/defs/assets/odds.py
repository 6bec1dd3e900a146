"""Odds snapshots: every book's prices for a slate, on a historical grid or live."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta

import dagster as dg
import pandas as pd

from nba_assets.core.slates import SLATE_TZ, season_of, slate_window
from nba_assets.defs.assets.common import RunReport, is_live, slates
from nba_assets.defs.assets.feed_steps import (
    INGEST_COMMON,
    feed_calls,
    finish,
    fresh_within,
    on_slate,
    quarantine_batch,
    read_feed,
    tip_offs,
)
from nba_assets.defs.assets.stats_feed import games
from nba_assets.defs.checks.ingest_checks import checks_for
from nba_assets.defs.checks.registry import specs
from nba_assets.defs.resources import (
    FeedSession,
    FeedsResource,
    WarehouseResource,
)
from nba_assets.feeds.odds_api.normalize import normalize_odds
from nba_assets.feeds.records import NormalizedBatch
from nba_assets.warehouse import ingest
from nba_assets.warehouse.append import append_idempotent


class HistoryConfig(dg.Config):
    """How a past slate is replayed from history."""

    odds_interval_minutes: int = 15
    odds_open_hour_et: int = 10


def _odds_grid(slate: date, tip_offs: list[datetime], config: HistoryConfig) -> list[datetime]:
    opens = datetime.combine(slate - timedelta(days=1), time(config.odds_open_hour_et), SLATE_TZ)
    last = max(tip_offs) if tip_offs else slate_window(slate)[1]
    step = timedelta(minutes=config.odds_interval_minutes)
    grid, at = [], opens
    while at <= last:
        grid.append(at)
        at += step
    return grid


def _odds_for_slate(
    engine,
    run_id: str,
    session: FeedSession,
    slate: date,
    grid: list[datetime] | None,
    report: RunReport,
) -> list[NormalizedBatch]:
    """Normalised odds for one slate: the historical grid, or one live poll.

    Prices are read in the ``oddsFormat`` the client asked for (the body does not say);
    a body in the other format is quarantined market by market, never misread.
    """
    # Only the slate's games: a snapshot otherwise carries every open game of the next
    # days too, fetched and normalised only to be dropped (the credits are the same).
    first, end = slate_window(slate)
    window = {"commence_time_from": first, "commence_time_to": end - timedelta(seconds=1)}
    batches = []
    for at in grid if grid is not None else [None]:
        _, batch = read_feed(
            engine,
            run_id,
            report,
            source=session.odds_source,
            table="odds_snapshots",
            slate=slate,
            fetch=(
                (lambda: session.odds.odds(**window))
                if at is None
                else lambda at=at: session.odds.historical_odds(at, **window)
            ),
            normalize=lambda r: normalize_odds(
                r.data,
                observed_at=r.received_at,
                price_format=session.odds.odds_format,
                endpoint=r.endpoint,
            ),
        )
        batches.append(batch)
    return batches


@dg.asset(
    kinds={"postgres", "python"},
    deps=[games],
    check_specs=specs(checks_for("odds_snapshots")),
    tags={"nba/feed": "odds_api"},
    pool="odds_api",
    freshness_policy=fresh_within(30),
    **INGEST_COMMON,
)
def odds_snapshots(
    context: dg.AssetExecutionContext,
    config: HistoryConfig,
    warehouse: WarehouseResource,
    feeds: FeedsResource,
) -> Iterator[object]:
    """One price of one outcome at one book at one instant, kept forever.

    Grain: game x book x market x outcome x point x snapshot time. Source: The Odds API
    `/odds` (live slate, one poll per tick) or `/historical/.../odds` on a grid from the day
    before through the last tip-off (past slates). Idempotency: the natural key; a re-run
    adds nothing. Also appends the odds feed's view of `games` and the `markets` offered.
    """
    engine, run_id, report = warehouse.engine(), context.run.run_id, RunReport()
    with feed_calls(context, engine, run_id) as calls:
        for slate in slates(context):
            live = is_live(slate)
            with feeds.session(season_of(slate), log=calls.append) as session:
                grid = None if live else _odds_grid(slate, tip_offs(engine, slate), config)
                batches = _odds_for_slate(engine, run_id, session, slate, grid, report)
                with report.stage("append"):
                    odds = pd.concat([b["odds_snapshots"] for b in batches], ignore_index=True)
                    seen = pd.concat([b["games"] for b in batches], ignore_index=True)
                    if not live:
                        odds, seen = on_slate(odds, slate), on_slate(seen, slate)
                    rows = ingest.odds_rows(engine, odds, session.odds_source)
                    report.add(
                        append_idempotent(
                            engine,
                            "odds_snapshots",
                            rows,
                            run_id=run_id,
                            source=session.odds_source,
                        )
                    )
                    report.add(
                        append_idempotent(
                            engine,
                            "markets",
                            ingest.markets_rows(rows),
                            run_id=run_id,
                            source=session.odds_source,
                        )
                    )
                    report.add(
                        append_idempotent(
                            engine, "games", seen, run_id=run_id, source=session.odds_source
                        )
                    )
                    for batch in batches:
                        report.quarantined += quarantine_batch(
                            engine, batch, run_id, session.odds_source, slate
                        )
                report.preview = rows
    yield from finish(context, engine, calls, report)
