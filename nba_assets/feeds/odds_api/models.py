"""The Odds API v4 payloads as the provider really sends them (see SOURCES.md).

Every field a real capture has been seen without is optional: market-level ``last_update``
(absent before 2023), ``sport_title`` (absent in the 2021 docs), ``bookmakers`` (empty on
live games), scores and their ``last_update`` (null before tip-off). Prices are plain
numbers because the format (decimal or American) is a request parameter, not in the body.

The ``*Header`` models stop at one level so the normaliser can validate event, bookmaker and
market separately and quarantine the one bad piece instead of the whole event.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field

from nba_assets.feeds.schema import FeedModel, FiniteFloat, UtcDatetime

FEATURED_MARKETS: tuple[str, ...] = ("h2h", "spreads", "totals")


class OddsOutcome(FeedModel):
    name: str
    price: FiniteFloat
    point: FiniteFloat | None = None
    description: str | None = None


class OddsMarket(FeedModel):
    key: str
    last_update: UtcDatetime | None = None
    outcomes: list[OddsOutcome]


class OddsBookmakerHeader(FeedModel):
    key: str
    title: str
    last_update: UtcDatetime | None = None


class OddsBookmaker(OddsBookmakerHeader):
    markets: list[OddsMarket] = Field(default_factory=list)

    def market_update(self, market: OddsMarket) -> datetime | None:
        """The market's own ``last_update``, or the bookmaker's on older responses."""
        return market.last_update or self.last_update


class OddsEventHeader(FeedModel):
    id: str
    sport_key: str | None = None
    sport_title: str | None = None
    commence_time: UtcDatetime
    home_team: str
    away_team: str


class OddsEvent(OddsEventHeader):
    bookmakers: list[OddsBookmaker] = Field(default_factory=list)


class ScoreLine(FeedModel):
    name: str
    score: int | None = None


class ScoresEvent(OddsEventHeader):
    """A ``/scores`` event. ``completed`` is required: defaulting it would let a renamed
    field turn every final game into a live one."""

    completed: bool
    scores: list[ScoreLine] | None = None
    last_update: UtcDatetime | None = None


class HistoricalEnvelope(FeedModel):
    """``/v4/historical/...``: the snapshot's own time and its neighbours around ``data``.

    ``data`` is a list of events for sport-level odds and events, and a single event object
    for event-level odds.
    """

    timestamp: UtcDatetime
    previous_timestamp: UtcDatetime | None = None
    next_timestamp: UtcDatetime | None = None
    data: list[Any] | dict[str, Any]
