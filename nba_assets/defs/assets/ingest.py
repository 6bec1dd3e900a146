"""Ingest assets: what the two feeds said about each slate, appended as it arrived.

A past slate is loaded from history (historical odds snapshots on a grid from the day
before through tip-off; finished games, box scores and results); today's slate is polled
live and grows with every tick. Every body reads: fetch -> normalise -> append -> describe.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import TypeVar

import dagster as dg
import pandas as pd

from nba_assets.core.slates import SLATE_TZ, season_of, slate_window, utc_now
from nba_assets.defs.assets.common import RunReport, check_outputs, is_live, slates
from nba_assets.defs.checks.ingest_checks import checks_for
from nba_assets.defs.checks.registry import evaluate_checks, specs
from nba_assets.defs.partitions import daily_partitions
from nba_assets.defs.resources import (
    FeedSession,
    FeedsResource,
    WarehouseResource,
    feed_usage,
)
from nba_assets.feeds.balldontlie.normalize import normalize_games, normalize_stats
from nba_assets.feeds.errors import FeedError, PayloadError
from nba_assets.feeds.http import FeedRequest, FeedResponse
from nba_assets.feeds.odds_api.normalize import normalize_odds
from nba_assets.feeds.records import NormalizedBatch
from nba_assets.warehouse import ingest
from nba_assets.warehouse.append import append_idempotent

_T = TypeVar("_T")

INGEST_RETRY = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
_COMMON = dict(
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="ingest",
    owners=["team:data-engineering"],
    retry_policy=INGEST_RETRY,
)


def _fresh_within(minutes: int) -> dg.FreshnessPolicy:
    """Daemon-evaluated freshness the UI shows: warn at two thirds of the window."""
    return dg.FreshnessPolicy.time_window(
        fail_window=timedelta(minutes=minutes), warn_window=timedelta(minutes=minutes * 2 // 3)
    )


class HistoryConfig(dg.Config):
    """How a past slate is replayed from history."""

    odds_interval_minutes: int = 15
    odds_open_hour_et: int = 10


def _slate_ids(slate: date) -> tuple[int, int]:
    base = (slate.year * 10_000 + slate.month * 100 + slate.day) * 100
    return base, base + 99


def _on_slate(frame: pd.DataFrame, slate: date) -> pd.DataFrame:
    lo, hi = _slate_ids(slate)
    return frame[frame["game_id"].between(lo, hi)]


@contextmanager
def _feed_calls(
    context: dg.AssetExecutionContext, engine, run_id: str
) -> Iterator[list[FeedRequest]]:
    """Collect every HTTP attempt of the body and write them to ``nba.feed_requests``
    however the body ends: the calls of a failed run are what the operator reads first.

    A feed error fails the step without Dagster's step retries: the HTTP layer already
    retried what was transient within its budget, and repeating the step would only spend
    more calls (and credits) on an answer that was a refusal, a bad body or an outage.
    """
    calls: list[FeedRequest] = []
    try:
        yield calls
    except BaseException as exc:
        try:
            ingest.write_feed_requests(engine, calls, run_id=run_id)
        except Exception:
            # Do not let a failed write hide the error that ended the body.
            context.log.exception("could not record %d feed call(s) of this run", len(calls))
        if isinstance(exc, FeedError):
            raise _feed_failure(exc) from exc
        raise
    ingest.write_feed_requests(engine, calls, run_id=run_id)


def _feed_failure(exc: FeedError) -> dg.Failure:
    described = {
        "provider": exc.source,
        "endpoint": exc.endpoint,
        "status_code": exc.status_code,
        "error_code": exc.error_code,
        "attempts": exc.attempts,
    }
    description = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, PayloadError):
        description += (
            ". The whole body is kept in nba.quarantine under this run's run_id; the run"
            " stops rather than load a body it cannot read."
        )
    return dg.Failure(
        description=description,
        metadata={k: v for k, v in described.items() if v is not None},
        allow_retries=False,
    )


def _read(
    engine,
    run_id: str,
    report: RunReport,
    *,
    source: str,
    table: str,
    slate: date,
    fetch: Callable[[], FeedResponse],
    normalize: Callable[[FeedResponse], _T],
) -> tuple[FeedResponse, _T]:
    """One feed body: fetch, then normalise (rejected records are the caller's to keep).

    A body that cannot be read at all (not JSON, not the promised top-level shape) is
    quarantined whole under ``source`` and ``table`` before the error fails the run.
    """
    try:
        with report.stage("fetch"):
            response = fetch()
        with report.stage("validate"):
            return response, normalize(response)
    except PayloadError as exc:
        exc.source = exc.source or source
        report.quarantined += ingest.quarantine_whole_body(
            engine,
            exc,
            table,
            run_id=run_id,
            source=source,
            partition_key=slate.isoformat(),
        )
        raise


def _finish(
    context: dg.AssetExecutionContext,
    engine,
    calls: list[FeedRequest],
    report: RunReport,
) -> Iterator[object]:
    """Checks and metadata once the body's feed calls are written (by ``_feed_calls``).

    The feed usage covers every slate of a single-run range, not only the last one.
    """
    report.extra.update(feed_usage(calls))
    now = utc_now()
    with report.stage("check"):
        yield from evaluate_checks(
            context, engine, checks_for(context.asset_key.path[-1]), slates(context), now
        )
    yield dg.MaterializeResult(metadata=report.metadata())
    yield from check_outputs(context)


def _quarantine(engine, batch: NormalizedBatch, run_id: str, source: str, slate: date) -> int:
    return ingest.write_quarantine(
        engine, batch.quarantine, run_id=run_id, source=source, partition_key=slate.isoformat()
    )


def _stats_feed_slate(
    engine,
    session: FeedSession,
    slate: date,
    report: RunReport,
    run_id: str,
    table: str,
    fetch: Callable[..., FeedResponse],
    normalize: Callable[..., NormalizedBatch],
) -> NormalizedBatch:
    """One slate from the stats feed: fetch, normalise, quarantine what failed its model.

    A past slate is read as of six hours after it ends, when every game is final and
    nothing from a later slate exists yet.
    """
    session.clock.at = None if is_live(slate) else slate_window(slate)[1] + timedelta(hours=6)
    _, batch = _read(
        engine,
        run_id,
        report,
        source=session.bdl_source,
        table=table,
        slate=slate,
        fetch=lambda: fetch(session.bdl),
        normalize=lambda r: normalize(r.data, observed_at=r.received_at, endpoint=r.endpoint),
    )
    report.quarantined += _quarantine(engine, batch, run_id, session.bdl_source, slate)
    return batch


@dg.asset(
    kinds={"postgres", "python"},
    check_specs=specs(checks_for("games")),
    tags={"nba/feed": "balldontlie"},
    pool="balldontlie",
    freshness_policy=_fresh_within(60),
    **_COMMON,
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
    with _feed_calls(context, engine, run_id) as calls:
        for slate in slates(context):
            with feeds.session(season_of(slate), log=calls.append) as session:
                batch = _stats_feed_slate(
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
    yield from _finish(context, engine, calls, report)


def _odds_grid(slate: date, tip_offs: list[datetime], config: HistoryConfig) -> list[datetime]:
    opens = datetime.combine(slate - timedelta(days=1), time(config.odds_open_hour_et), SLATE_TZ)
    last = max(tip_offs) if tip_offs else slate_window(slate)[1]
    step = timedelta(minutes=config.odds_interval_minutes)
    grid, at = [], opens
    while at <= last:
        grid.append(at)
        at += step
    return grid


def _tip_offs(engine, slate: date) -> list[datetime]:
    from nba_assets.defs.checks.queries import slate_games

    games = slate_games(engine, slate)
    return [t.to_pydatetime() for t in pd.to_datetime(games["commence_time"], utc=True)]


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
        _, batch = _read(
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
    freshness_policy=_fresh_within(30),
    **_COMMON,
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
    with _feed_calls(context, engine, run_id) as calls:
        for slate in slates(context):
            live = is_live(slate)
            with feeds.session(season_of(slate), log=calls.append) as session:
                grid = None if live else _odds_grid(slate, _tip_offs(engine, slate), config)
                batches = _odds_for_slate(engine, run_id, session, slate, grid, report)
                with report.stage("append"):
                    odds = pd.concat([b["odds_snapshots"] for b in batches], ignore_index=True)
                    seen = pd.concat([b["games"] for b in batches], ignore_index=True)
                    if not live:
                        odds, seen = _on_slate(odds, slate), _on_slate(seen, slate)
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
                        report.quarantined += _quarantine(
                            engine, batch, run_id, session.odds_source, slate
                        )
                report.preview = rows
    yield from _finish(context, engine, calls, report)


@dg.asset(
    kinds={"postgres", "python"},
    deps=[games],
    check_specs=specs(checks_for("player_stats")),
    tags={"nba/feed": "balldontlie"},
    pool="balldontlie",
    **_COMMON,
)
def player_stats(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource, feeds: FeedsResource
) -> Iterator[object]:
    """A player's box-score line in one finished game.

    Grain: game x player x source x version. Source: BallDontLie `/v1/stats?dates[]=`.
    Idempotency: a new version only when a line changes (stat corrections).
    """
    engine, run_id, report = warehouse.engine(), context.run.run_id, RunReport()
    with _feed_calls(context, engine, run_id) as calls:
        for slate in slates(context):
            with feeds.session(season_of(slate), log=calls.append) as session:
                batch = _stats_feed_slate(
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
    yield from _finish(context, engine, calls, report)


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
    **_COMMON,
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
    with _feed_calls(context, engine, run_id) as calls:
        for slate in slates(context):
            with feeds.session(season_of(slate), log=calls.append) as session:
                batch = _stats_feed_slate(
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
                    results = _on_slate(batch["game_results"], slate)
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
                    _, second = _read(
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
                    report.quarantined += _quarantine(
                        engine, second, run_id, session.odds_source, slate
                    )
                    with report.stage("append"):
                        report.add(
                            append_idempotent(
                                engine,
                                "game_results",
                                _on_slate(second["game_results"], slate),
                                run_id=run_id,
                                source=session.odds_source,
                            )
                        )
                report.preview = results
    yield from _finish(context, engine, calls, report)


class InjuryHistoryConfig(dg.Config):
    """How often a past slate's injury report is replayed (sandbox feed only)."""

    interval_hours: int = 3
    open_hour_et: int = 10


def _injury_instants(slate: date, tip_offs: list[datetime], config: InjuryHistoryConfig):
    opens = datetime.combine(slate - timedelta(days=1), time(config.open_hour_et), SLATE_TZ)
    last = max(tip_offs) if tip_offs else slate_window(slate)[1]
    instants, at = [], opens
    while at < last:
        instants.append(at)
        at += timedelta(hours=config.interval_hours)
    return [*instants, last - timedelta(minutes=30)]


def _cleared(previous: pd.DataFrame, current: pd.DataFrame, at: datetime) -> pd.DataFrame:
    """Players reported before but absent from a full report now count as available."""
    gone = previous[~previous["source_player_id"].isin(current["source_player_id"])]
    gone = gone[gone["status"] != "available"]
    return gone.assign(
        status="available",
        status_raw="(absent from report)",
        description=None,
        return_date=None,
        return_date_raw=None,
        reported_at=pd.Timestamp(at),
    )


@dg.asset(
    kinds={"postgres", "python"},
    deps=[games],
    check_specs=specs(checks_for("injuries")),
    tags={"nba/feed": "balldontlie"},
    pool="balldontlie",
    freshness_policy=_fresh_within(60),
    **_COMMON,
)
def injuries(
    context: dg.AssetExecutionContext,
    config: InjuryHistoryConfig,
    warehouse: WarehouseResource,
    feeds: FeedsResource,
) -> Iterator[object]:
    """One report of one player's status, scored by how likely the player is to play.

    Grain: player x source x version (a new row only when a report changes; `reported_at`
    is when the change was first seen). Source: BallDontLie `/v1/player_injuries`, which
    has no history: past slates replay only on the sandbox feed. `play_probability` comes
    from the status through a versioned rule kept with the row.
    """
    from nba_assets.analytics.injuries import DEFAULT_RULE
    from nba_assets.feeds.balldontlie.normalize import normalize_injuries, team_id_map

    engine, run_id, report = warehouse.engine(), context.run.run_id, RunReport()
    # The report is league-wide: consecutive slates share polls, so the run polls one
    # merged timeline per season instead of one grid per slate.
    timelines: dict[int, set[datetime | None]] = {}
    for slate in slates(context):
        if is_live(slate):
            timelines.setdefault(season_of(slate), set()).add(None)
        elif feeds.live:
            report.extra["note"] = "the live injury feed has no history; past slates skipped"
        else:
            instants = _injury_instants(slate, _tip_offs(engine, slate), config)
            timelines.setdefault(season_of(slate), set()).update(instants)
    first_slate = slates(context)[0]
    with _feed_calls(context, engine, run_id) as calls:
        for season, instants in timelines.items():
            with feeds.session(season, log=calls.append) as session:
                _, team_ids = _read(
                    engine,
                    run_id,
                    report,
                    source=session.bdl_source,
                    table="injuries",
                    slate=first_slate,
                    fetch=session.bdl.teams,
                    normalize=lambda r: team_id_map(r.data),
                )
                previous = pd.DataFrame(columns=["source_player_id", "status"])
                frames = []
                for at in sorted(instants, key=lambda t: t or utc_now()):
                    session.clock.at = at
                    response, batch = _read(
                        engine,
                        run_id,
                        report,
                        source=session.bdl_source,
                        table="injuries",
                        slate=first_slate,
                        fetch=session.bdl.player_injuries,
                        normalize=lambda r, team_ids=team_ids: normalize_injuries(
                            r.data,
                            observed_at=r.received_at,
                            team_ids=team_ids,
                            endpoint=r.endpoint,
                        ),
                    )
                    current = batch["injuries"]
                    frames += [current, _cleared(previous, current, response.received_at)]
                    previous = current
                    report.quarantined += _quarantine(
                        engine, batch, run_id, session.bdl_source, first_slate
                    )
                with report.stage("append"):
                    reports = pd.concat([f for f in frames if not f.empty], ignore_index=True)
                    if not reports.empty:
                        reports = reports.assign(
                            play_probability=DEFAULT_RULE.probabilities(reports["status"]),
                            probability_rule=DEFAULT_RULE.label,
                        )
                    rows = ingest.player_rows(engine, reports, session.bdl_source)
                    report.add(
                        append_idempotent(
                            engine, "injuries", rows, run_id=run_id, source=session.bdl_source
                        )
                    )
                report.preview = rows
    yield from _finish(context, engine, calls, report)
