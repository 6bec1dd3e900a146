"""Deliberate damage for tests: corrupted odds on chosen slates and failing HTTP calls.

Kept apart from the simulation so the league itself stays a faithful, clean provider; the
transport applies these on the way out. Corruptions mimic what real feeds have served:
impossible prices, one-sided markets, off-grid points and absurd overrounds. Random faults
(``RandomFaults``) fail a seeded fraction of all calls in the ways providers and networks
do, so a soak run can show that nothing is lost or duplicated when they happen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from nba_assets.feeds.sandbox._stable import stable_seed


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


class FaultKind(StrEnum):
    """What a seeded random fault does to one request (``RandomFaults``).

    The first five fail the call before any answer is computed, as a provider or the network
    does; the last three answer 200 with a body a client cannot take at face value.
    """

    RATE_LIMITED = "rate_limited"
    """429 with ``Retry-After: 1`` (the Odds API's ``EXCEEDED_FREQ_LIMIT`` body)."""
    SERVER_ERROR = "server_error"
    """500 or 503 with the provider's JSON error body."""
    BAD_GATEWAY = "bad_gateway"
    """502 with a proxy's HTML page, not JSON."""
    TIMEOUT = "timeout"
    """``httpx.ReadTimeout``: no answer came back in time."""
    CONNECTION_RESET = "connection_reset"
    """``httpx.ReadError`` (connection reset by peer) or ``httpx.RemoteProtocolError``."""
    MALFORMED_BODY = "malformed_body"
    """200 whose body is not JSON at all (a truncated error page)."""
    TRUNCATED_BODY = "truncated_body"
    """200 whose real body is cut short at a seeded byte."""
    CORRUPTED_RECORD = "corrupted_record"
    """200, valid JSON, one record damaged so it fails the record's validation."""


PRE_RESPONSE_FAULTS = frozenset(
    {
        FaultKind.RATE_LIMITED,
        FaultKind.SERVER_ERROR,
        FaultKind.BAD_GATEWAY,
        FaultKind.TIMEOUT,
        FaultKind.CONNECTION_RESET,
    }
)

# A draw is uniform on [0, 1) from 53 bits of the request's hash.
_MASK_53 = (1 << 53) - 1
_SCALE_53 = float(1 << 53)


@dataclass(frozen=True, slots=True)
class RandomFaults:
    """Fail a seeded fraction ``rate`` of the requests whose path starts with ``path_prefix``.

    Each request's fate is a stable hash of ``seed`` and the request itself (path, query
    without the key, the sandbox clock's instant, and how many identical requests the
    transport saw before), not of a shared generator's position: the same seed and the same
    requests give the same faults in any process and with a new transport per session, and
    a retry of a failed request draws afresh. ``kinds`` are equally likely.
    """

    rate: float
    seed: int = 0
    kinds: tuple[FaultKind, ...] = tuple(FaultKind)
    path_prefix: str = "/"

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be within [0, 1], not {self.rate}")
        if not self.kinds:
            raise ValueError("RandomFaults needs at least one fault kind")

    def draw(self, *request: object) -> tuple[FaultKind, int] | None:
        """The fault for one request (and a seeded number to vary it by), or None."""
        value = stable_seed("sandbox-fault", self.seed, *request)
        if (value & _MASK_53) / _SCALE_53 >= self.rate:
            return None
        kind = self.kinds[(value >> 64) % len(self.kinds)]
        return kind, value >> 80


@dataclass(frozen=True, slots=True)
class SandboxFaults:
    """Every fault a transport injects; the default injects none.

    ``odds`` and ``http`` are scripted (chosen slates, the first calls of a path); ``random``
    fails a seeded fraction of all calls, for soak runs.
    """

    odds: tuple[OddsCorruption, ...] = ()
    http: tuple[HttpFault, ...] = ()
    random: RandomFaults | None = None

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


UNKNOWN_TEAM = "Springfield Isotopes"
JsonPath = tuple[str | int, ...]


def damage_record(body: Any, path: str, variant: int) -> JsonPath | None:
    """Damage one record of a decoded ``body`` in place so its own validation rejects it.

    Returns the JSON path of the damaged value, or None when the body holds no record (an
    empty list): then nothing was changed. The Odds API loses one outcome's price (a string
    or 0) or its name (a team no league has), which the normaliser quarantines with the
    whole market; an event without prices gets an unknown home team. A BallDontLie record's
    first nested object (the game's team, the injury's player) becomes a string.
    """
    if path.startswith("/v4/"):
        return _damage_odds(body, variant)
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return _damage_bdl(body["data"], variant)
    return None


def _damage_odds(body: Any, variant: int) -> JsonPath | None:
    if isinstance(body, dict) and "data" in body:  # a historical envelope
        found = _damage_odds(body["data"], variant)
        return None if found is None else ("data", *found)
    if isinstance(body, dict):  # one event: the event-odds endpoint
        events, single = [body], True
    elif isinstance(body, list):
        events, single = body, False
    else:
        return None
    outcomes: list[JsonPath] = []
    headers: list[JsonPath] = []
    for e, event in enumerate(events):
        if not isinstance(event, dict):
            continue
        at: JsonPath = () if single else (e,)
        if "home_team" in event:
            headers.append(at)
        outcomes += _outcome_paths(event, at)
    if outcomes:
        return _damage_outcome(body, outcomes, variant)
    if headers:
        where = headers[variant % len(headers)]
        _at(body, where)["home_team"] = UNKNOWN_TEAM
        return (*where, "home_team")
    return None


def _outcome_paths(event: dict[str, Any], at: JsonPath) -> list[JsonPath]:
    paths: list[JsonPath] = []
    for b, book in enumerate(event.get("bookmakers") or []):
        for m, market in enumerate(book.get("markets") or [] if isinstance(book, dict) else []):
            for o, _ in enumerate(market.get("outcomes") or [] if isinstance(market, dict) else []):
                paths.append((*at, "bookmakers", b, "markets", m, "outcomes", o))
    return paths


def _damage_outcome(root: Any, outcomes: list[JsonPath], variant: int) -> JsonPath:
    where = outcomes[variant % len(outcomes)]
    outcome = _at(root, where)
    style = (variant // len(outcomes)) % 3
    if style == 0:
        outcome["price"] = "n/a"
        return (*where, "price")
    if style == 1:
        outcome["price"] = 0
        return (*where, "price")
    outcome["name"] = UNKNOWN_TEAM
    return (*where, "name")


def _damage_bdl(records: list[Any], variant: int) -> JsonPath | None:
    dicts = [i for i, r in enumerate(records) if isinstance(r, dict)]
    if not dicts:
        return None
    i = dicts[variant % len(dicts)]
    record = records[i]
    field = next((k for k, v in record.items() if isinstance(v, dict)), "id")
    record[field] = "n/a"
    return ("data", i, field)


def _at(root: Any, path: JsonPath) -> Any:
    for part in path:
        root = root[part]
    return root
