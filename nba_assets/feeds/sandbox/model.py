"""The latent truth behind every game: team strengths, rest, travel and the fair line.

The same functions produce the simulated outcome and the fair line the books are built
around, so the closing fair line is, by construction, the unbiased expectation of the result
given what was knowable at tip-off (strengths, schedule and the final injury report).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from nba_assets.feeds.sandbox._stable import norm_cdf, stable_rng
from nba_assets.feeds.sandbox.schedule import SandboxGame, distance_km

HOME_COURT = 2.2
MARGIN_SD = 12.0
TOTAL_SD = 17.5
BASE_TOTAL = 226.0
BACK_TO_BACK = -1.4
WELL_RESTED = 0.4
TRAVEL_PER_1000_KM = -0.25
TOTAL_PER_MISSING_POINT = -0.4
OT_SHARE = math.sqrt(5.0 / 48.0)
OT_POINTS_PER_TEAM = 10.0
OT_EXTRA_PROBABILITY = 0.1
# Expected OT points once a game is tied after regulation: about 20 per period (the deciding
# period's loser scores its margin less) times the expected number of periods.
EXPECTED_OT_POINTS = 2 * OT_POINTS_PER_TEAM / (1 - OT_EXTRA_PROBABILITY)


@dataclass(frozen=True, slots=True)
class FairLine:
    """A fair (margin-free) market: the probabilities and lines the books shade around.

    ``home_spread`` is the home team's point in bookmaker convention, the negative of the
    expected home margin (a 5-point home favourite is -5.0). ``total`` includes the expected
    overtime points.
    """

    home_win_probability: float
    home_spread: float
    total: float
    expected_margin: float
    regulation_total: float

    @property
    def away_win_probability(self) -> float:
        return 1.0 - self.home_win_probability


def win_probability(expected_margin: np.ndarray | float) -> np.ndarray:
    """P(home wins) for a rounded normal margin, regulation ties settled by an OT draw."""
    mu = np.asarray(expected_margin, dtype=float)
    above = norm_cdf((mu - 0.5) / MARGIN_SD)
    tie = norm_cdf((mu + 0.5) / MARGIN_SD) - above
    return above + tie * norm_cdf(mu * OT_SHARE / MARGIN_SD)


def tie_probability(expected_margin: float) -> float:
    return float(
        norm_cdf((expected_margin + 0.5) / MARGIN_SD)
        - norm_cdf((expected_margin - 0.5) / MARGIN_SD)
    )


def fair_line(expected_margin: float, regulation_total: float) -> FairLine:
    total = regulation_total + tie_probability(expected_margin) * EXPECTED_OT_POINTS
    return FairLine(
        home_win_probability=float(win_probability(expected_margin)),
        home_spread=-expected_margin,
        total=total,
        expected_margin=expected_margin,
        regulation_total=regulation_total,
    )


class Strengths:
    """Net ratings (points per game vs an average team) that random-walk through the season.

    Spread across teams (sd ~4.5) and drift (~2 points over a season) match the real league;
    the per-team pace term moves totals.
    """

    def __init__(self, season: int, seed: int, n_days: int) -> None:
        rng = stable_rng("strengths", season, seed)
        start = rng.normal(0.0, 4.5, 31)
        start[1:] -= start[1:].mean()
        steps = rng.normal(0.0, 0.15, (31, n_days))
        steps[:, 0] = 0.0
        self.net = start[:, None] + np.cumsum(steps, axis=1)
        self.net[0] = 0.0
        self.pace = rng.normal(0.0, 2.8, 31)
        self.pace[0] = 0.0
        self.league_total = BASE_TOTAL + np.cumsum(rng.normal(0.0, 0.12, n_days))

    def rating(self, team_id: int, day: int) -> float:
        return float(self.net[team_id, day])


def situational_edge(game: SandboxGame, team_id: int, previous: SandboxGame | None) -> float:
    """Rest and travel for one side: back-to-backs cost, long rests and short trips help."""
    if previous is None:
        return WELL_RESTED
    gap = (game.slate - previous.slate).days
    edge = BACK_TO_BACK if gap == 1 else (WELL_RESTED if gap >= 3 else 0.0)
    km = distance_km(previous.home_id, game.home_id)
    return edge + max(-1.0, TRAVEL_PER_1000_KM * km / 1000.0)


@dataclass(frozen=True, slots=True)
class GameBase:
    """What is known about a game before any injury news: the healthy expectation."""

    margin: float
    total: float


def game_base(
    strengths: Strengths,
    game: SandboxGame,
    day: int,
    home_previous: SandboxGame | None,
    away_previous: SandboxGame | None,
) -> GameBase:
    margin = (
        strengths.rating(game.home_id, day)
        - strengths.rating(game.away_id, day)
        + HOME_COURT
        + situational_edge(game, game.home_id, home_previous)
        - situational_edge(game, game.away_id, away_previous)
    )
    total = (
        float(strengths.league_total[day])
        + strengths.pace[game.home_id]
        + strengths.pace[game.away_id]
    )
    return GameBase(margin=float(margin), total=float(total))
