"""Shared sandbox fixtures: one league per session, season-wide tables computed once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import numpy as np
import pytest

from nba_assets.feeds.sandbox import SandboxFaults, SandboxLeague, SandboxTransport

SEASON, SEED = 2023, 7
ODDS_BASE = "https://api.the-odds-api.com"
BDL_BASE = "https://api.balldontlie.io"


def fixed(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture(scope="session")
def league() -> SandboxLeague:
    return SandboxLeague(SEASON, SEED)


def make_clients(
    league: SandboxLeague, now: datetime, faults: SandboxFaults | None = None, **options: object
) -> tuple[SandboxTransport, httpx.Client, httpx.Client]:
    transport = SandboxTransport(league, clock=fixed(now), faults=faults, **options)  # type: ignore[arg-type]
    odds = httpx.Client(transport=transport, base_url=ODDS_BASE)
    bdl = httpx.Client(transport=transport, base_url=BDL_BASE, headers={"Authorization": "k"})
    return transport, odds, bdl


@pytest.fixture
def clients(league: SandboxLeague) -> Iterator[tuple[SandboxTransport, httpx.Client, httpx.Client]]:
    """A transport frozen at 2024-01-15 22:00 UTC (5 pm ET, before that evening's slate)."""
    transport, odds, bdl = make_clients(league, utc(2024, 1, 15, 22))
    yield transport, odds, bdl
    odds.close()
    bdl.close()


@dataclass(frozen=True)
class SeasonTable:
    """Per game: closing fair line, result and every book's closing prices (de-vigged)."""

    fair_p: np.ndarray
    fair_margin: np.ndarray
    fair_total: np.ndarray
    home_won: np.ndarray
    margin: np.ndarray
    total: np.ndarray
    book_p: dict[str, dict[int, float]]
    book_overround: dict[str, list[float]]
    book_spread: dict[str, dict[int, float]]
    spread_prices: dict[str, list[float]]


@pytest.fixture(scope="session")
def season_table(league: SandboxLeague) -> SeasonTable:
    fair_p, fair_margin, fair_total, won, margin, total = [], [], [], [], [], []
    book_p: dict[str, dict[int, float]] = {}
    overround: dict[str, list[float]] = {}
    spread: dict[str, dict[int, float]] = {}
    spread_prices: dict[str, list[float]] = {}
    for game in league.games():
        fair = league.closing_fair_probability(game)
        result = league.result(game)
        fair_p.append(fair.home_win_probability)
        fair_margin.append(fair.expected_margin)
        fair_total.append(fair.total)
        won.append(result.home_won)
        margin.append(result.margin)
        total.append(result.total)
        event = league.odds_at(game, game.tip_epoch - 1)
        assert event is not None
        home = event["home_team"]
        for book in event["bookmakers"]:
            markets = {m["key"]: m["outcomes"] for m in book["markets"]}
            implied = {o["name"]: 1.0 / o["price"] for o in markets["h2h"]}
            total_implied = sum(implied.values())
            book_p.setdefault(book["key"], {})[game.index] = implied[home] / total_implied
            overround.setdefault(book["key"], []).append(total_implied - 1.0)
            points = {o["name"]: o["point"] for o in markets["spreads"]}
            spread.setdefault(book["key"], {})[game.index] = float(points[home])
            spread_prices.setdefault(book["key"], []).extend(o["price"] for o in markets["spreads"])
    return SeasonTable(
        fair_p=np.array(fair_p),
        fair_margin=np.array(fair_margin),
        fair_total=np.array(fair_total),
        home_won=np.array(won, dtype=float),
        margin=np.array(margin, dtype=float),
        total=np.array(total, dtype=float),
        book_p=book_p,
        book_overround=overround,
        book_spread=spread,
        spread_prices=spread_prices,
    )
