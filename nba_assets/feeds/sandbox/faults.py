"""Deliberate damage for tests: corrupted odds on chosen slates and failing HTTP calls.

Kept apart from the simulation so the league itself stays a faithful, clean provider; the
transport applies these on the way out. Corruptions mimic what real feeds have served:
impossible prices, one-sided markets, off-grid points and absurd overrounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class Corruption(StrEnum):
    IMPOSSIBLE_PRICE = "impossible_price"
    """h2h first outcome priced 1.0 and spreads first outcome 0.5 (American: 0 and 50)."""
    ONE_SIDED = "one_sided"
    """Every market keeps only its first outcome."""
    OFF_GRID_POINT = "off_grid_point"
    """Spread points of -3.3/+3.3 and a total 0.3 off the half-point grid."""
    HUGE_OVERROUND = "huge_overround"
    """Prices shortened until each two-way market's implied probabilities sum to 1.40."""


@dataclass(frozen=True, slots=True)
class OddsCorruption:
    """Corrupt the odds of every game on ``slate`` at ``bookmaker`` (None: at every book)."""

    slate: date
    kind: Corruption
    bookmaker: str | None = None


@dataclass(frozen=True, slots=True)
class HttpFault:
    """Fail the first ``first_calls`` requests whose path starts with ``path_prefix``.

    ``status`` is the HTTP status to answer (429, 500, 502, 503...); ``retry_after`` adds a
    ``Retry-After`` header; ``malformed`` answers 200 with a truncated JSON body instead.
    """

    path_prefix: str
    status: int = 429
    first_calls: int = 1
    retry_after: str | None = None
    malformed: bool = False


@dataclass(frozen=True, slots=True)
class SandboxFaults:
    odds: tuple[OddsCorruption, ...] = ()
    http: tuple[HttpFault, ...] = ()

    def corruptions_for(self, slate: date, bookmaker: str) -> list[Corruption]:
        return [
            c.kind
            for c in self.odds
            if c.slate == slate and (c.bookmaker is None or c.bookmaker == bookmaker)
        ]


def _to_decimal(price: float, american: bool) -> float:
    if not american:
        return price
    return 1.0 + (price / 100.0 if price > 0 else 100.0 / -price)


def _from_decimal(price: float, american: bool) -> float | int:
    if not american:
        return round(price, 2)
    return round((price - 1) * 100) if price >= 2 else round(-100 / (price - 1))


def corrupt_bookmaker(book: dict[str, Any], kinds: list[Corruption], *, american: bool) -> None:
    """Apply ``kinds`` in place to one rendered bookmaker entry of an Odds API event."""
    for kind in kinds:
        for market in book["markets"]:
            outcomes = market["outcomes"]
            if kind is Corruption.IMPOSSIBLE_PRICE:
                bad = 0.5 if market["key"] == "spreads" else 1.0
                outcomes[0]["price"] = (50 if bad == 0.5 else 0) if american else bad
            elif kind is Corruption.ONE_SIDED:
                del outcomes[1:]
            elif kind is Corruption.OFF_GRID_POINT and "point" in outcomes[0]:
                if market["key"] == "spreads":
                    favourite = min(range(len(outcomes)), key=lambda i: outcomes[i]["point"])
                    for i, o in enumerate(outcomes):
                        o["point"] = -3.3 if i == favourite else 3.3
                else:
                    for o in outcomes:
                        o["point"] = round(o["point"] + 0.3, 1)
            elif kind is Corruption.HUGE_OVERROUND and len(outcomes) > 1:
                prices = [_to_decimal(o["price"], american) for o in outcomes]
                implied = sum(1.0 / p for p in prices)
                for o, p in zip(outcomes, prices, strict=True):
                    o["price"] = _from_decimal(max(1.01, p * implied / 1.40), american)
