"""The Odds API v4 client for NBA odds, events, scores and historical snapshots.

Costs shape the defaults: ``/odds`` costs one credit per market per region, historical odds
ten times that, so markets and regions are explicit and the client never pages or retries on
answers that spend credits without hope (spent credit, wrong key, plan limits).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import httpx

from nba_assets.core.slates import require_aware
from nba_assets.feeds.http import (
    Clock,
    FeedHttpClient,
    FeedResponse,
    Recorder,
    RetryPolicy,
    Sleeper,
)
from nba_assets.feeds.odds_api.models import FEATURED_MARKETS
from nba_assets.feeds.prices import PriceFormat

SOURCE = "odds_api"
DEFAULT_BASE_URL = "https://api.the-odds-api.com"
NBA = "basketball_nba"


def _iso_z(value: datetime, what: str) -> str:
    """The provider's timestamp format: whole seconds, ``Z`` suffix (fractions are rejected)."""
    return require_aware(value, what).strftime("%Y-%m-%dT%H:%M:%SZ")


class OddsApiClient:
    """Sync client for ``api.the-odds-api.com/v4``; the key travels as ``apiKey`` and is hidden."""

    def __init__(
        self,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        transport: httpx.BaseTransport | None = None,
        regions: str = "us",
        odds_format: PriceFormat = "decimal",
        recorder: Recorder | None = None,
        sleep: Sleeper | None = None,
        *,
        sport: str = NBA,
        bookmakers: str | None = None,
        policy: RetryPolicy | None = None,
        now: Clock | None = None,
        timeout: float = 15.0,
    ) -> None:
        if not api_key or not api_key.strip():
            raise ValueError("The Odds API key is empty; set ODDS_API_KEY")
        if odds_format not in ("decimal", "american"):
            raise ValueError(f"odds_format must be 'decimal' or 'american', not {odds_format!r}")
        self.sport = sport
        self.regions = regions
        self.odds_format: PriceFormat = odds_format
        self.bookmakers = bookmakers
        self._http = FeedHttpClient(
            source=SOURCE,
            base_url=base_url,
            transport=transport,
            secret_params={"apiKey": api_key},
            policy=policy,
            recorder=recorder,
            sleep=sleep,
            now=now,
            timeout=timeout,
        )

    def __repr__(self) -> str:
        return f"OddsApiClient(sport={self.sport!r}, regions={self.regions!r})"

    def __enter__(self) -> OddsApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def odds(
        self,
        markets: Iterable[str] = FEATURED_MARKETS,
        *,
        commence_time_from: datetime | None = None,
        commence_time_to: datetime | None = None,
        event_ids: Iterable[str] | None = None,
    ) -> FeedResponse:
        """``GET /v4/sports/{sport}/odds``: a list of events with bookmakers' current prices."""
        params = self._odds_params(markets)
        params.update(_window(commence_time_from, commence_time_to))
        if event_ids is not None:
            params["eventIds"] = ",".join(event_ids)
        return self._http.get_json(f"/v4/sports/{self.sport}/odds", params, expect=list)

    def events(
        self,
        *,
        commence_time_from: datetime | None = None,
        commence_time_to: datetime | None = None,
    ) -> FeedResponse:
        """``GET /v4/sports/{sport}/events``: upcoming and live events without odds (free)."""
        params: dict[str, Any] = {"dateFormat": "iso"}
        params.update(_window(commence_time_from, commence_time_to))
        return self._http.get_json(f"/v4/sports/{self.sport}/events", params, expect=list)

    def scores(self, days_from: int | None = None) -> FeedResponse:
        """``GET /v4/sports/{sport}/scores``: live, upcoming and recently completed games.

        ``days_from`` (1-3) adds games completed in that many past days and doubles the cost.
        """
        params: dict[str, Any] = {"dateFormat": "iso"}
        if days_from is not None:
            if not 1 <= days_from <= 3:
                raise ValueError("days_from must be between 1 and 3")
            params["daysFrom"] = days_from
        return self._http.get_json(f"/v4/sports/{self.sport}/scores", params, expect=list)

    def historical_odds(
        self,
        date: datetime,
        markets: Iterable[str] = FEATURED_MARKETS,
        *,
        commence_time_from: datetime | None = None,
        commence_time_to: datetime | None = None,
    ) -> FeedResponse:
        """``GET /v4/historical/sports/{sport}/odds``: the snapshot at or before ``date``.

        The body is the envelope ``{timestamp, previous_timestamp, next_timestamp, data}``;
        walk a slate by following ``next_timestamp``. Costs ten credits per market and region
        whatever the window; the window only keeps other days' games out of the body.
        """
        params = self._odds_params(markets)
        params["date"] = _iso_z(date, "date")
        params.update(_window(commence_time_from, commence_time_to))
        path = f"/v4/historical/sports/{self.sport}/odds"
        return self._http.get_json(path, params, expect=dict)

    def _odds_params(self, markets: Iterable[str]) -> dict[str, Any]:
        chosen = list(markets)
        if not chosen:
            raise ValueError("ask for at least one market")
        params: dict[str, Any] = {
            "regions": self.regions,
            "markets": ",".join(chosen),
            "oddsFormat": self.odds_format,
            "dateFormat": "iso",
        }
        if self.bookmakers:
            params["bookmakers"] = self.bookmakers
            del params["regions"]
        return params


def _window(start: datetime | None, end: datetime | None) -> dict[str, str]:
    params = {}
    if start is not None:
        params["commenceTimeFrom"] = _iso_z(start, "commence_time_from")
    if end is not None:
        params["commenceTimeTo"] = _iso_z(end, "commence_time_to")
    return params
