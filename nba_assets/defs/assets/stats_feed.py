"""The stats feed's assets: the schedule, box scores and final scores of each slate."""

from collections.abc import Iterator
from datetime import timedelta

import dagster as dg

from nba_assets.core.slates import season_of, slate_window, utc_now
from nba_assets.defs.assets.common import RunReport, slates
from nba_assets.defs.assets.feed_steps import (
    INGEST_COMMON,
    feed_calls,
    finish,
    fresh_within,
    on_slate,
    quarantine_batch,
    read_feed,
    stats_feed_slate,
)
from nba_assets.defs.checks.ingest_checks import checks_for
from nba_assets.defs.checks.registry import specs
from nba_assets.defs.resources import (
    FeedsResource,
    WarehouseResource,
)
from nba_assets.feeds.balldontlie.normalize import normalize_games, normalize_stats
from nba_assets.warehouse import ingest
from nba_assets.warehouse.append import append_idempotent


@dg.asset(
    kinds={"postgres", "python"},
    check_specs=specs(checks_for("games")),
    tags={"nba/feed": "balldontlie"},
    pool="balldontlie",
    freshness_policy=fresh_within(60),
    **INGEST_COMMON,
)
def games(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, feeds: FeedsResource
) -> Iterator[object]:
    """One version of each scheduled game per feed (BallDontLie's schedule for the slate).

    Grain: game x source x version. Source: BallDontLie `/v1/games?dates[]=`; the odds feed
    adds its own view through `odds_snapshots`. Idempotency: a new version only when a
    game's content changes (status, tip-off, teams).
    """
    engine, run_id, report = warehouse.engine(), context.run.run_id, RunReport()
    with feed_calls(context, engine, run_id) as calls:
        for slate in slates(context):
            with feeds.session(season_of(slate), log=calls.append) as session:
                batch = stats_feed_slate(
                    engine,
                    session,
                    slate,
                    report,
                    run_id,
                    "games",
                    lambda bdl, day=slate: bdl.games(dates=[day]),
                    normalize_games,
                )
                with report.stage("append"):
                    frame = batch["games"]
                    ingest.games_source_ids(engine, frame, session.bdl_source)
                    report.add(
                        append_idempotent(
                            engine, "games", frame, run_id=run_id, source=session.bdl_source
                        )
                    )
                report.preview = frame
    yield from finish(context, engine, calls, report)


@dg.asset(
    kinds={"postgres", "python"},
    deps=[games],
    check_specs=specs(checks_for("player_stats")),
    tags={"nba/feed": "balldontlie"},
    pool="balldontlie",
    **INGEST_COMMON,
)
def player_stats(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, feeds: FeedsResource
) -> Iterator[object]:
    """A player's box-score line in one finished game.

    Grain: game x player x source x version. Source: BallDontLie `/v1/stats?dates[]=`.
    Idempotency: a new version only when a line changes (stat corrections).
    """
    engine, run_id, report = warehouse.engine(), context.run.run_id, RunReport()
    with feed_calls(context, engine, run_id) as calls:
        for slate in slates(context):
            with feeds.session(season_of(slate), log=calls.append) as session:
                batch = stats_feed_slate(
                    engine,
                    session,
                    slate,
                    report,
                    run_id,
                    "player_stats",
                    lambda bdl, day=slate: bdl.stats(dates=[day]),
                    normalize_stats,
                )
                with report.stage("append"):
                    rows = ingest.player_rows(engine, batch["player_stats"], session.bdl_source)
                    report.add(
                        append_idempotent(
                            engine, "player_stats", rows, run_id=run_id, source=session.bdl_source
                        )
                    )
                report.preview = rows
    yield from finish(context, engine, calls, report)


# One pool per asset is all Dagster allows, and this asset calls both feeds. It takes the
# Odds API's: /scores spends credits from a monthly quota shared with odds_snapshots (money
# once spent), while BallDontLie's per-minute limit only slows a call down and the client's
# backoff absorbs its 429s.
@dg.asset(
    kinds={"postgres", "python"},
    deps=[games, player_stats],
    check_specs=specs(checks_for("game_results")),
    tags={"nba/feed": "balldontlie"},
    pool="odds_api",
    # Hourly deadlines only while games are on (the results sync runs noon to 3 am New
    # York): the quiet morning is not staleness.
    freshness_policy=dg.FreshnessPolicy.cron(
        deadline_cron="0 13-23,0-3 * * *",
        lower_bound_delta=timedelta(minutes=60),
        timezone="America/New_York",
    ),
    **INGEST_COMMON,
)
def game_results(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, feeds: FeedsResource
) -> Iterator[object]:
    """A final score; a correction is a new version, never an edit.

    Grain: game x source x version. Source: BallDontLie `/v1/games` (finished games) and,
    while a slate is within three days, The Odds API `/scores` as a second opinion.
    Idempotency: a new version only when a score changes.
    """
    from nba_assets.feeds.odds_api.normalize import normalize_scores

    engine, run_id, report = warehouse.engine(), context.run.run_id, RunReport()
    with feed_calls(context, engine, run_id) as calls:
        for slate in slates(context):
            with feeds.session(season_of(slate), log=calls.append) as session:
                batch = stats_feed_slate(
                    engine,
                    session,
                    slate,
                    report,
                    run_id,
                    "game_results",
                    lambda bdl, day=slate: bdl.games(dates=[day]),
                    normalize_games,
                )
                with report.stage("append"):
                    results = on_slate(batch["game_results"], slate)
                    report.add(
                        append_idempotent(
                            engine,
                            "game_results",
                            results,
                            run_id=run_id,
                            source=session.bdl_source,
                        )
                    )
                if utc_now() - slate_window(slate)[1] < timedelta(days=3):
                    _, second = read_feed(
                        engine,
                        run_id,
                        report,
                        source=session.odds_source,
                        table="game_results",
                        slate=slate,
                        fetch=lambda session=session: session.odds.scores(days_from=3),
                        normalize=lambda r: normalize_scores(
                            r.data, observed_at=r.received_at, endpoint=r.endpoint
                        ),
                    )
                    report.quarantined += quarantine_batch(
                        engine, second, run_id, session.odds_source, slate
                    )
                    with report.stage("append"):
                        report.add(
                            append_idempotent(
                                engine,
                                "game_results",
                                on_slate(second["game_results"], slate),
                                run_id=run_id,
                                source=session.odds_source,
                            )
                        )
                report.preview = results
    yield from finish(context, engine, calls, report)
