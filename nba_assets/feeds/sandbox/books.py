"""The sportsbooks the sandbox prices games at.

Keys and titles are the ones The Odds API uses. Two sharp books (low margin, small error,
fast reactions) and a retail crowd (4-5% margin, noisier and slower) so that a consumer can
test what any real pipeline assumes: the sharp close is the best public estimate.
Regions follow The Odds API: Pinnacle is only in ``eu``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Book:
    """A bookmaker and the behaviour its prices are drawn with.

    ``margin`` is the overround of a two-way market (sum of implied probabilities minus 1);
    ``close_noise`` is the sd, in points of margin, of the book's own error at tip-off (it
    grows toward the opening); ``lag_minutes`` bounds how long it takes to react to news.
    """

    key: str
    title: str
    region: str
    margin: float
    sharp: bool
    close_noise: float
    update_minutes: float
    open_delay_hours: tuple[float, float]
    lag_minutes: tuple[float, float]
    coverage: float


BOOKS: tuple[Book, ...] = (
    Book("pinnacle", "Pinnacle", "eu", 0.025, True, 0.25, 6.0, (0.0, 0.5), (1.0, 4.0), 1.0),
    Book("circasports", "Circa Sports", "us", 0.027, True, 0.4, 9.0, (0.3, 2.0), (2.0, 6.0), 0.97),
    Book("draftkings", "DraftKings", "us", 0.046, False, 1.5, 15.0, (1.0, 5.0), (8.0, 25.0), 1.0),
    Book("fanduel", "FanDuel", "us", 0.044, False, 1.5, 15.0, (1.0, 5.0), (8.0, 25.0), 1.0),
    Book("betmgm", "BetMGM", "us", 0.048, False, 1.7, 25.0, (2.0, 9.0), (10.0, 35.0), 0.99),
    Book(
        "williamhill_us", "Caesars", "us", 0.047, False, 1.7, 25.0, (2.0, 9.0), (10.0, 35.0), 0.99
    ),
    Book(
        "pointsbetus",
        "PointsBet (US)",
        "us",
        0.045,
        False,
        1.9,
        30.0,
        (3.0, 12.0),
        (10.0, 40.0),
        0.96,
    ),
    Book("betrivers", "BetRivers", "us", 0.047, False, 1.9, 30.0, (3.0, 12.0), (10.0, 40.0), 0.98),
    Book("unibet_us", "Unibet", "us", 0.046, False, 1.9, 30.0, (3.0, 14.0), (10.0, 40.0), 0.95),
    Book("bovada", "Bovada", "us", 0.045, False, 1.7, 20.0, (1.0, 8.0), (8.0, 30.0), 0.99),
    Book(
        "mybookieag", "MyBookie.ag", "us", 0.049, False, 2.0, 40.0, (4.0, 16.0), (15.0, 45.0), 0.93
    ),
    Book("lowvig", "LowVig.ag", "us", 0.040, False, 1.7, 30.0, (2.0, 10.0), (10.0, 40.0), 0.97),
)
BOOKS_BY_KEY: dict[str, Book] = {b.key: b for b in BOOKS}
REGIONS: frozenset[str] = frozenset({"us", "us2", "uk", "eu", "au"})


def books_in(regions: list[str]) -> list[Book]:
    wanted = set(regions)
    return [b for b in BOOKS if b.region in wanted]
