"""What every feed-calling asset body shares: its retry, partitions and freshness,
the record of every call, whole-body quarantine, and the closing checks and metadata.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from typing import TypeVar

import dagster as dg
import pandas as pd

from nba_assets.core.slates import slate_window, utc_now
from nba_assets.defs.assets.common import (
    RunReport,
    check_outputs,
    is_live,
    materialize_result,
    slates,
)
from nba_assets.defs.checks.ingest_checks import checks_for
from nba_assets.defs.checks.registry import evaluate_checks
from nba_assets.defs.partitions import daily_partitions
from nba_assets.defs.resources import (
    FeedSession,
    feed_usage,
)
from nba_assets.feeds.errors import FeedError, PayloadError
from nba_assets.feeds.http import FeedRequest, FeedResponse
from nba_assets.feeds.records import NormalizedBatch
from nba_assets.warehouse import ingest

_T = TypeVar("_T")

INGEST_RETRY = dg.RetryPolicy(
    max_retries=3, delay=2, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS
)
INGEST_COMMON = dict(
    partitions_def=daily_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="ingest",
    owners=["team:data-engineering"],
    retry_policy=INGEST_RETRY,
)


def fresh_within(minutes: int) -> dg.FreshnessPolicy:
    """Daemon-evaluated freshness the UI shows: warn at two thirds of the window."""
    return dg.FreshnessPolicy.time_window(
        fail_window=timedelta(minutes=minutes), warn_window=timedelta(minutes=minutes * 2 // 3)
    )


def slate_ids(slate: date) -> tuple[int, int]:
    base = (slate.year * 10_000 + slate.month * 100 + slate.day) * 100
    return base, base + 99


def on_slate(frame: pd.DataFrame, slate: date) -> pd.DataFrame:
    lo, hi = slate_ids(slate)
    return frame[frame["game_id"].between(lo, hi)]


@contextmanager
def feed_calls(
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


def read_feed(
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


def finish(
    context: dg.AssetExecutionContext,
    engine,
    calls: list[FeedRequest],
    report: RunReport,
) -> Iterator[object]:
    """Checks and metadata once the body's feed calls are written (by ``feed_calls``).

    The feed usage covers every slate of a single-run range, not only the last one.
    """
    report.extra.update(feed_usage(calls))
    now = utc_now()
    with report.stage("check"):
        yield from evaluate_checks(
            context, engine, checks_for(context.asset_key.path[-1]), slates(context), now
        )
    yield materialize_result(context, report)
    yield from check_outputs(context)


def quarantine_batch(engine, batch: NormalizedBatch, run_id: str, source: str, slate: date) -> int:
    return ingest.write_quarantine(
        engine, batch.quarantine, run_id=run_id, source=source, partition_key=slate.isoformat()
    )


def stats_feed_slate(
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
    _, batch = read_feed(
        engine,
        run_id,
        report,
        source=session.bdl_source,
        table=table,
        slate=slate,
        fetch=lambda: fetch(session.bdl),
        normalize=lambda r: normalize(r.data, observed_at=r.received_at, endpoint=r.endpoint),
    )
    report.quarantined += quarantine_batch(engine, batch, run_id, session.bdl_source, slate)
    return batch


def tip_offs(engine, slate: date) -> list[datetime]:
    """Tip-off instants of the slate's games as the warehouse knows them."""
    from nba_assets.defs.checks.queries import slate_games

    games = slate_games(engine, slate)
    return [t.to_pydatetime() for t in pd.to_datetime(games["commence_time"], utc=True)]
