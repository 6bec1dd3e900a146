"""Per-game price paths for every book, and their rendering as Odds API events.

A game's market opens at 10:00 ET the day before tip-off. The consensus line is the honest
expectation given the injury news so far plus an opinion error that shrinks to zero at
tip-off (a Brownian bridge). Each book posts the consensus as it saw it ``lag`` minutes
earlier, plus its own slowly wandering error, rounds spreads and totals to half points and
adds its margin. Everything for one game is computed in one vectorised pass and cached, so a
snapshot is a handful of bisections and dict literals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

import numpy as np

from nba_assets.core.slates import SLATE_TZ
from nba_assets.feeds.sandbox._stable import epoch_iso_z, iso_z, norm_cdf, round_half
from nba_assets.feeds.sandbox.books import Book
from nba_assets.feeds.sandbox.model import MARGIN_SD, TOTAL_SD, win_probability
from nba_assets.feeds.sandbox.rosters import odds_api_name
from nba_assets.feeds.sandbox.schedule import SandboxGame

MARKETS: tuple[str, ...] = ("h2h", "spreads", "totals")
COLUMNS: tuple[str, ...] = (
    "h2h_home",
    "h2h_away",
    "spread_point",
    "spread_home",
    "spread_away",
    "total_point",
    "over",
    "under",
)
GRID_SECONDS = 300
_OPEN_SD_MARGIN = 1.5
_OPEN_SD_TOTAL = 2.5
_KNOT_SECONDS = 90 * 60

InfoFn = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


def market_open(game: SandboxGame) -> int:
    """Epoch second the first book may post: 10:00 ET on the day before the slate."""
    day = game.slate - timedelta(days=1)
    return int(datetime.combine(day, time(10), tzinfo=SLATE_TZ).timestamp())


@dataclass(slots=True)
class BookPath:
    """One book's posted prices at each of its update instants (epoch seconds).

    ``values`` has one row per name in ``COLUMNS``; ``changed`` one row per market in
    ``MARKETS`` holding when that market's posted values last changed. Arrays, not lists,
    because a season of paths held as Python floats would need most of a gigabyte.
    """

    book: Book
    times: np.ndarray
    values: np.ndarray
    changed: np.ndarray

    def column(self, name: str) -> np.ndarray:
        return self.values[COLUMNS.index(name)]


# Book ``k``'s update instants are keyed ``k * _BOOK_STRIDE + t`` in ``_Board.keys``, so the
# keys of all books form one sorted array and one search finds every book's current row.
_BOOK_STRIDE = 1 << 40


@dataclass(frozen=True, slots=True)
class _Board:
    """Every book's rows of a path side by side, for one lookup per snapshot."""

    keys: np.ndarray
    firsts: np.ndarray
    probes: np.ndarray
    times: np.ndarray
    values: np.ndarray
    changed: np.ndarray

    def rows(self, at: int) -> tuple[list[bool], list[list], list[list], list[int]]:
        """Per book: whether it has posted by ``at``, its values, last changes and update."""
        j = np.searchsorted(self.keys, self.probes + at, side="right") - 1
        posted = j >= self.firsts
        j = np.where(posted, j, 0)
        return (
            posted.tolist(),
            self.values[:, j].T.tolist(),
            self.changed[:, j].T.tolist(),
            self.times[j].tolist(),
        )


@dataclass(slots=True)
class PricePath:
    """All books' prices for one game plus the consensus opinion error on a 5-minute grid."""

    game: SandboxGame
    open_at: int
    opinion_margin: np.ndarray
    opinion_total: np.ndarray
    books: list[BookPath] = field(default_factory=list)
    header: dict[str, Any] = field(default_factory=dict)
    _board: _Board | None = field(default=None, repr=False, compare=False)

    def board(self) -> _Board | None:
        """The books' rows side by side (built once); None when the keys would not fit."""
        if self._board is None and self.books:
            times = np.concatenate([bp.times for bp in self.books]).astype(np.int64)
            if times.size and (times.min() < 0 or times.max() >= _BOOK_STRIDE):
                return None
            sizes = [len(bp.times) for bp in self.books]
            firsts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)
            probes = np.arange(len(self.books), dtype=np.int64) * _BOOK_STRIDE
            self._board = _Board(
                keys=times + np.repeat(probes, sizes),
                firsts=firsts,
                probes=probes,
                times=times,
                values=np.concatenate([bp.values for bp in self.books], axis=1),
                changed=np.concatenate([bp.changed for bp in self.books], axis=1),
            )
        return self._board

    def opinion_at(self, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        k = np.clip((at - self.open_at) // GRID_SECONDS, 0, len(self.opinion_margin) - 1)
        before_tip = at < self.game.tip_epoch
        return (
            np.where(before_tip, self.opinion_margin[k], 0.0),
            np.where(before_tip, self.opinion_total[k], 0.0),
        )


def _bridge(rng: np.random.Generator, n: int, start_sd: float, wander_sd: float) -> np.ndarray:
    """An error that starts ~N(0, start_sd), wanders, and is exactly 0 at the last point."""
    steps = rng.normal(0.0, 1.0 / np.sqrt(n), n)
    walk = np.cumsum(steps)
    frac = np.arange(1, n + 1) / n
    bridge = walk - frac * walk[-1]
    return rng.normal(0.0, start_sd) * (1.0 - frac) + wander_sd * bridge


def american(decimal: float) -> int:
    """The American price of a (2-decimal) decimal price, as US books quote it."""
    if decimal >= 2.0:
        return round((decimal - 1.0) * 100.0)
    return round(-100.0 / (decimal - 1.0))


def _two_way(p: np.ndarray, margin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # Clip so that even with the margin added no price falls below 1.01.
    p = np.clip(p, 0.01, 0.99 / (1.0 + margin))
    q = np.clip(1.0 - p, 0.01, 0.99 / (1.0 + margin))
    return np.round(1.0 / (p * (1.0 + margin)), 2), np.round(1.0 / (q * (1.0 + margin)), 2)


def _last_change(starts: np.ndarray, times: np.ndarray, *columns: np.ndarray) -> np.ndarray:
    """For each update, when the market's posted values last changed (per book)."""
    stacked = np.vstack(columns)
    moved = np.ones(stacked.shape[1], dtype=bool)
    moved[1:] = np.any(stacked[:, 1:] != stacked[:, :-1], axis=0)
    moved[starts] = True
    idx = np.maximum.accumulate(np.where(moved, np.arange(stacked.shape[1]), 0))
    return times[idx]


def build_price_path(
    game: SandboxGame,
    rng: np.random.Generator,
    info: InfoFn,
    news: Sequence[int],
    books: Sequence[Book],
) -> PricePath:
    """Every book's prices for one game, computed in one vectorised pass over all updates."""
    open_at = market_open(game)
    tip = game.tip_epoch
    n = max(2, (tip - open_at) // GRID_SECONDS + 1)
    path = PricePath(
        game=game,
        open_at=open_at,
        opinion_margin=_bridge(rng, n, _OPEN_SD_MARGIN, 1.2),
        opinion_total=_bridge(rng, n, _OPEN_SD_TOTAL, 2.0),
        header={
            "id": game.odds_event_id,
            "sport_key": "basketball_nba",
            "sport_title": "NBA",
            "commence_time": iso_z(game.tip_off),
            "home_team": odds_api_name(game.home_id),
            "away_team": odds_api_name(game.away_id),
        },
    )
    posted = [b for b in books if rng.random() <= b.coverage]
    parts = [_book_updates(rng, game, news, book, open_at) for book in posted]
    if not parts:
        return path
    times = np.concatenate([p[0] for p in parts])
    seen = np.concatenate([p[1] for p in parts])
    own_margin = np.concatenate([p[2] for p in parts])
    own_total = np.concatenate([p[3] for p in parts])
    margin = np.concatenate(
        [np.full(len(p[0]), b.margin) for p, b in zip(parts, posted, strict=True)]
    )
    sizes = [len(p[0]) for p in parts]
    starts = np.concatenate(([0], np.cumsum(sizes)[:-1])).astype(np.int64)

    base_margin, base_total = info(seen)
    opinion_margin, opinion_total = path.opinion_at(seen)
    line_margin = base_margin + opinion_margin + own_margin
    line_total = base_total + opinion_total + own_total
    h2h_home, h2h_away = _two_way(win_probability(line_margin), margin)
    spread_point = -round_half(line_margin) + 0.0
    spread_home, spread_away = _two_way(norm_cdf((line_margin + spread_point) / MARGIN_SD), margin)
    total_point = round_half(line_total)
    over, under = _two_way(norm_cdf((line_total - total_point) / TOTAL_SD), margin)
    changed = np.vstack(
        (
            _last_change(starts, times, h2h_home, h2h_away),
            _last_change(starts, times, spread_point, spread_home, spread_away),
            _last_change(starts, times, total_point, over, under),
        )
    )
    values = np.vstack(
        (h2h_home, h2h_away, spread_point, spread_home, spread_away, total_point, over, under)
    )
    for book, lo, size in zip(posted, starts.tolist(), sizes, strict=True):
        hi = lo + size
        path.books.append(
            BookPath(
                book=book,
                times=times[lo:hi],
                values=values[:, lo:hi],
                changed=changed[:, lo:hi],
            )
        )
    return path


def _book_updates(
    rng: np.random.Generator, game: SandboxGame, news: Sequence[int], book: Book, open_at: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A book's update instants, the instants whose news it is pricing, and its own error."""
    tip = game.tip_epoch
    first = min(open_at + int(rng.uniform(*book.open_delay_hours) * 3600), tip - 1800)
    count = 2 + int((tip - first) / 60 / book.update_minutes * 1.5)
    gaps = rng.exponential(book.update_minutes * 60.0, count) + 20.0
    routine = first + np.cumsum(np.concatenate(([0.0], gaps))).astype(np.int64)
    lag = int(rng.uniform(*book.lag_minutes) * 60)
    reactions = np.asarray(news, dtype=np.int64) + lag + rng.integers(0, 90, len(news))
    times = np.unique(np.concatenate((routine, reactions)))
    times = times[(times >= first) & (times < tip)]
    knots = np.arange(first - _KNOT_SECONDS, tip + _KNOT_SECONDS, _KNOT_SECONDS)
    remaining = np.clip((tip - times) / max(1, tip - open_at), 0.0, 1.0)
    error_sd = book.close_noise * (1.0 + 0.6 * remaining)
    own_margin = np.interp(times, knots, rng.normal(0.0, 1.0, len(knots))) * error_sd
    own_total = np.interp(times, knots, rng.normal(0.0, 1.0, len(knots))) * error_sd * 1.6
    return times, times - lag, own_margin, own_total


_MARKET_INDEX = {market: i for i, market in enumerate(MARKETS)}


def render_event(
    path: PricePath,
    at: int,
    markets: Sequence[str],
    book_keys: frozenset[str] | None,
    *,
    american_odds: bool = False,
    unix: bool = False,
) -> dict[str, Any] | None:
    """The event as The Odds API lists it at epoch ``at``; None when no wanted book posts."""
    header = path.header
    home, away = header["home_team"], header["away_team"]
    home_first = home < away
    to_price: Callable[[float], Any] | None = american if american_odds else None
    bookmakers = []
    board = path.board() if 0 <= at < _BOOK_STRIDE else None
    if board is not None:
        posted, book_values, book_changed, book_times = board.rows(at)
    for k, bp in enumerate(path.books):
        if book_keys is not None and bp.book.key not in book_keys:
            continue
        if board is not None:
            if not posted[k]:
                continue
            row, last_changes, updated = book_values[k], book_changed[k], book_times[k]
        else:
            j = int(np.searchsorted(bp.times, at, side="right")) - 1
            if j < 0:
                continue
            row, last_changes = bp.values[:, j].tolist(), bp.changed[:, j].tolist()
            updated = int(bp.times[j])
        h2h_home, h2h_away, spread, spread_home, spread_away, total, over, under = row
        if not unix:
            last_changes = [epoch_iso_z(t) for t in last_changes]
            updated = epoch_iso_z(updated)
        out_markets = []
        for market in markets:
            last_update = last_changes[_MARKET_INDEX[market]]
            if market == "h2h":
                if to_price is None:
                    first = {"name": home, "price": h2h_home}
                    second = {"name": away, "price": h2h_away}
                else:
                    first = {"name": home, "price": to_price(h2h_home)}
                    second = {"name": away, "price": to_price(h2h_away)}
                outcomes = [first, second] if home_first else [second, first]
            elif market == "spreads":
                home_point = int(spread) if spread.is_integer() else spread
                away_point = -spread
                away_point = int(away_point) if away_point.is_integer() else away_point
                if to_price is None:
                    first = {"name": home, "price": spread_home, "point": home_point}
                    second = {"name": away, "price": spread_away, "point": away_point}
                else:
                    first = {"name": home, "price": to_price(spread_home), "point": home_point}
                    second = {"name": away, "price": to_price(spread_away), "point": away_point}
                outcomes = [first, second] if home_first else [second, first]
            else:
                point = int(total) if total.is_integer() else total
                if to_price is None:
                    outcomes = [
                        {"name": "Over", "price": over, "point": point},
                        {"name": "Under", "price": under, "point": point},
                    ]
                else:
                    outcomes = [
                        {"name": "Over", "price": to_price(over), "point": point},
                        {"name": "Under", "price": to_price(under), "point": point},
                    ]
            out_markets.append({"key": market, "last_update": last_update, "outcomes": outcomes})
        bookmakers.append(
            {
                "key": bp.book.key,
                "title": bp.book.title,
                "last_update": updated,
                "markets": out_markets,
            }
        )
    if not bookmakers:
        return None
    event = dict(header)
    if unix:
        event["commence_time"] = path.game.tip_epoch
    event["bookmakers"] = bookmakers
    return event
