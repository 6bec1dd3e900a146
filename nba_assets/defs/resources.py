"""Dagster resources: the warehouse and the two feeds, configured from the environment."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import cast

import dagster as dg
import httpx
from sqlalchemy import Engine

from nba_assets.core.slates import utc_now
from nba_assets.feeds.balldontlie.client import BallDontLieClient
from nba_assets.feeds.http import FeedRequest, Recorder, Sleeper
from nba_assets.feeds.odds_api.client import OddsApiClient
from nba_assets.feeds.prices import PriceFormat
from nba_assets.feeds.sandbox.faults import (
    Corruption,
    FaultKind,
    OddsCorruption,
    RandomFaults,
    SandboxFaults,
)
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.feeds.sandbox.transport import Observer, SandboxTransport
from nba_assets.warehouse.engine import engine_for, libpq_url, warehouse_url
from nba_assets.warehouse.migrate import ensure_migrated
from nba_assets.warehouse.roles import writer_engine


class WarehouseResource(dg.ConfigurableResource):
    """The PostgreSQL warehouse; an empty ``database_url`` means the embedded server."""

    database_url: str = ""

    def url(self) -> str:
        return libpq_url(self.database_url) if self.database_url else warehouse_url()

    def engine(self) -> Engine:
        """An engine whose sessions are ``nba_writer``: assets append and read, and cannot
        alter the schema or rewrite a row. Migrating needs the owner, so that happens
        first, on the owner's engine."""
        url = self.url()
        ensure_migrated(engine_for(url))
        return writer_engine(url)


@dataclass
class SettableClock:
    """The sandbox's notion of now; backfills move it to replay what was knowable then.

    Unset, it is the project's now (``utc_now``), so a bench that simulates the clock moves
    the sandbox with it; in production that is the wall clock.
    """

    at: datetime | None = None

    def __call__(self) -> datetime:
        return self.at or utc_now()


@dataclass
class FeedSession:
    """The clients one asset body uses, and every HTTP attempt they made.

    ``clock`` is the sandbox's now (moved to replay a past slate); live clients ignore it.
    """

    odds: OddsApiClient
    bdl: BallDontLieClient
    source: str
    clock: SettableClock
    live: bool
    requests: list[FeedRequest] = field(default_factory=list)

    @property
    def odds_source(self) -> str:
        return "odds_api" if self.live else "sandbox_odds_api"

    @property
    def bdl_source(self) -> str:
        return "balldontlie" if self.live else "sandbox_balldontlie"


def feed_usage(requests: Iterable[FeedRequest]) -> dict[str, int]:
    """What a run's feed calls cost, as materialization metadata.

    ``feed_calls`` counts every HTTP attempt (retries and failures included), also per
    provider; Odds API credits used sum ``x-requests-last`` over the answered calls, and
    credits remaining is the last ``x-requests-remaining`` the provider sent (left out when
    no call reported one). Sum the requests of every slate of a run before calling this.
    """
    calls = list(requests)
    odds = [r for r in calls if r.source == "odds_api"]
    usage = {
        "feed_calls": len(calls),
        "feed_calls_failed": sum(r.outcome != "ok" for r in calls),
        "feed_calls_odds_api": len(odds),
        "feed_calls_balldontlie": sum(r.source == "balldontlie" for r in calls),
        "odds_api_credits_used": sum(r.requests_last or 0 for r in odds if r.outcome == "ok"),
    }
    last = next((r for r in reversed(odds) if r.requests_remaining is not None), None)
    if last is not None:
        usage["odds_api_credits_remaining"] = last.requests_remaining
    return usage


@cache
def _league(season: int, seed: int) -> SandboxLeague:
    return SandboxLeague(season=season, seed=seed)


class FeedsResource(dg.ConfigurableResource):
    """The Odds API and BallDontLie, live or from the offline sandbox league.

    Keys come from the environment (``ODDS_API_KEY``, ``BALLDONTLIE_API_KEY``) through
    ``EnvVar`` and never reach logs or metadata. ``odds_format`` is the ``oddsFormat`` asked
    of The Odds API (``decimal`` or ``american``; the sandbox honours it too), and the odds
    assets read the prices in the format the client asked for. ``sandbox_corrupt_odds``
    lists slate dates (YYYY-MM-DD) whose sandbox odds are served corrupted, to rehearse the
    checks. ``sandbox_fault_rate`` fails that seeded fraction of all sandbox requests the way
    providers and networks do (``RandomFaults``: ``sandbox_fault_kinds``, equally likely;
    the same ``sandbox_fault_seed`` replays the same faults), so a soak exercises the real
    retries and quarantine; 0, the default, injects none. Live mode ignores every
    ``sandbox_*`` field.
    """

    mode: str = "sandbox"
    odds_api_key: str = ""
    balldontlie_api_key: str = ""
    odds_api_base_url: str = "https://api.the-odds-api.com"
    balldontlie_base_url: str = "https://api.balldontlie.io"
    # "eu" brings the sharp European books (Pinnacle) into the consensus.
    regions: str = "us,eu"
    odds_format: str = "decimal"
    sandbox_seed: int = 7
    sandbox_corrupt_odds: list[str] = []  # noqa: RUF012 (pydantic copies defaults)
    sandbox_corruption: str = Corruption.HUGE_OVERROUND.value
    sandbox_fault_rate: float = 0.0
    sandbox_fault_seed: int = 0
    sandbox_fault_kinds: list[str] = [k.value for k in FaultKind]  # noqa: RUF012 (pydantic copies)

    @property
    def live(self) -> bool:
        return self.mode == "live"

    def http_transport(self) -> httpx.BaseTransport | None:
        """The httpx transport live clients send through; None is the network.

        The one seam for a recorded-response server or a test double: a subclass returns
        its transport here, and everything above it (clients, retries, redaction, the
        record of each attempt) stays the real code. Sandbox mode ignores it.
        """
        return None

    def retry_sleep(self) -> Sleeper | None:
        """How the clients (live and sandbox) wait between retries; None is ``time.sleep``.

        The seam for tests that record waits instead of sleeping, and for a bench whose
        retry waits move its simulated clock rather than the wall clock.
        """
        return None

    def sandbox_observer(self) -> Observer | None:
        """Called with every answer the sandbox transport delivers; None observes nothing.

        The seam for a soak's ledger: what was served, faults included, to audit the
        warehouse against. Live mode ignores it.
        """
        return None

    @contextmanager
    def session(self, season: int, log: Recorder | None = None) -> Iterator[FeedSession]:
        """Both clients for one season; every HTTP attempt also goes to ``log`` as it
        happens, so a caller keeps the calls of a session that raised."""
        requests: list[FeedRequest] = []

        def record(request: FeedRequest) -> None:
            requests.append(request)
            if log is not None:
                log(request)

        clock = SettableClock()
        transport = self.http_transport() if self.live else None
        # Both modes: a sandbox run retries its injected faults with the same waits.
        sleep = self.retry_sleep()
        # The settable clock replays the sandbox's past; a live call happens now, and its
        # record (requested_at, observed_at, Retry-After dates) must say so.
        now = None if self.live else clock
        if not self.live:
            faults = SandboxFaults(
                odds=tuple(
                    OddsCorruption(date.fromisoformat(d), Corruption(self.sandbox_corruption))
                    for d in self.sandbox_corrupt_odds
                ),
                random=RandomFaults(
                    self.sandbox_fault_rate,
                    self.sandbox_fault_seed,
                    tuple(FaultKind(k) for k in self.sandbox_fault_kinds),
                )
                if self.sandbox_fault_rate
                else None,
            )
            transport = SandboxTransport(
                _league(season, self.sandbox_seed),
                clock,
                faults,
                observer=self.sandbox_observer(),
            )
        odds = OddsApiClient(
            self.odds_api_key if self.live else "sandbox",
            self.odds_api_base_url,
            transport=transport,
            regions=self.regions,
            # The client refuses anything but 'decimal' or 'american'.
            odds_format=cast(PriceFormat, self.odds_format),
            recorder=record,
            sleep=sleep,
            now=now,
        )
        bdl = BallDontLieClient(
            self.balldontlie_api_key if self.live else "sandbox",
            self.balldontlie_base_url,
            transport=transport,
            recorder=record,
            sleep=sleep,
            now=now,
        )
        try:
            yield FeedSession(odds, bdl, self.mode, clock, self.live, requests)
        finally:
            odds.close()
            bdl.close()
