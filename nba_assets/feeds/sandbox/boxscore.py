"""Player box-score lines that add up to the final score.

Team totals come first (points from the result; threes, free throws, rebounds and the rest at
league-typical rates) and are then shared out among the players who dressed, in proportion to
minutes and each player's tendencies. So player points always sum to the team score and
minutes to 240 (+25 per overtime); players ruled out by injury get no line at all, healthy
scratches at the end of the bench get a "00" line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from nba_assets.feeds.sandbox.rosters import SandboxPlayer


@dataclass(frozen=True, slots=True)
class StatLine:
    """One player's game. ``seconds`` is 0 for a player who dressed but did not play."""

    player: SandboxPlayer
    seconds: int
    fgm: int
    fga: int
    fg3m: int
    fg3a: int
    ftm: int
    fta: int
    oreb: int
    dreb: int
    ast: int
    stl: int
    blk: int
    turnover: int
    pf: int
    plus_minus: int

    @property
    def pts(self) -> int:
        return 2 * (self.fgm - self.fg3m) + 3 * self.fg3m + self.ftm

    @property
    def minutes(self) -> str:
        """BallDontLie's ``min``: "36:47", or "00" for a player who did not get in."""
        if self.seconds == 0:
            return "00"
        return f"{self.seconds // 60:02d}:{self.seconds % 60:02d}"

    def bdl_fields(self) -> dict[str, Any]:
        def pct(made: int, attempts: int) -> float:
            return round(made / attempts, 3) if attempts else 0.0

        return {
            "min": self.minutes,
            "fgm": self.fgm,
            "fga": self.fga,
            "fg_pct": pct(self.fgm, self.fga),
            "fg3m": self.fg3m,
            "fg3a": self.fg3a,
            "fg3_pct": pct(self.fg3m, self.fg3a),
            "ftm": self.ftm,
            "fta": self.fta,
            "ft_pct": pct(self.ftm, self.fta),
            "oreb": self.oreb,
            "dreb": self.dreb,
            "reb": self.oreb + self.dreb,
            "ast": self.ast,
            "stl": self.stl,
            "blk": self.blk,
            "turnover": self.turnover,
            "pf": self.pf,
            "pts": self.pts,
            "plus_minus": self.plus_minus,
        }


def _apportion(total: int, weights: np.ndarray, cap: int) -> np.ndarray:
    """Integer shares of ``total`` proportional to ``weights`` (largest remainder), each <= cap."""
    weights = weights.astype(float)
    out = np.zeros(len(weights), dtype=np.int64)
    free = np.ones(len(weights), dtype=bool)
    left = total
    while left > 0 and free.any():
        share = left * weights * free / (weights * free).sum()
        floor = np.floor(share).astype(np.int64)
        rest = left - int(floor.sum())
        order = np.argsort(-(share - floor), kind="stable")
        floor[order[:rest]] += 1
        floor = np.minimum(floor, cap - out)
        out += floor
        left = total - int(out.sum())
        free &= out < cap
    return out


def _round_to_sum(values: np.ndarray, total: int) -> np.ndarray:
    """Integers near ``values`` summing exactly to ``total`` (five players share each point)."""
    floor = np.floor(values).astype(np.int64)
    rest = int(total - floor.sum())
    order = np.argsort(-(values - floor), kind="stable")
    floor[order[: max(0, rest)]] += 1
    return floor


def _spread(rng: np.random.Generator, n: int, weights: np.ndarray) -> np.ndarray:
    p = np.asarray(weights, dtype=float) + 1e-9
    return rng.multinomial(max(0, int(n)), p / p.sum())


def team_lines(
    rng: np.random.Generator,
    dressed: list[SandboxPlayer],
    points: int,
    margin: int,
    overtimes: int,
) -> list[StatLine]:
    """Lines for one team: ``dressed`` excludes injured players, ``margin`` is this team's."""
    game_seconds = (48 + 5 * overtimes) * 60
    plays = [p.slot < 10 or rng.random() < 0.5 for p in dressed]
    if sum(plays) < 8:
        plays = [True] * len(dressed)
    playing = [p for p, ok in zip(dressed, plays, strict=True) if ok]
    weights = np.maximum(
        np.array([p.minutes for p in playing]) * rng.lognormal(0.0, 0.18, len(playing)), 0.3
    )
    seconds = _apportion(5 * game_seconds, weights, game_seconds)
    share = seconds / seconds.sum()
    usage = np.array([p.usage for p in playing]) * share
    three = np.array([p.three_rate for p in playing])
    boards = np.array([p.rebound_rate for p in playing]) * share

    fg3m_team = int(np.clip(np.rint(rng.normal(0.11 * points, 2.5)), 0, points // 3))
    ftm_team = int(np.clip(np.rint(rng.normal(0.155 * points, 3.5)), 0, points - 3 * fg3m_team))
    if (points - 3 * fg3m_team - ftm_team) % 2:
        ftm_team += -1 if ftm_team > 0 else 1
    fg2m_team = (points - 3 * fg3m_team - ftm_team) // 2

    fg3m = _spread(rng, fg3m_team, usage * three)
    fg2m = _spread(rng, fg2m_team, usage * (1.0 - three))
    ftm = _spread(rng, ftm_team, usage)
    fg3a = fg3m + _spread(rng, round(fg3m_team * rng.uniform(1.5, 2.0)), share * three)
    fg2a = fg2m + _spread(rng, round(fg2m_team * rng.uniform(0.7, 1.0)), usage * (1.0 - three))
    fta = ftm + _spread(rng, round(ftm_team * rng.uniform(0.2, 0.35)), usage)
    fgm_team = fg3m_team + fg2m_team
    ast = _spread(
        rng,
        round(fgm_team * rng.uniform(0.55, 0.68)),
        share * np.array([p.assist_rate for p in playing]),
    )
    oreb = _spread(rng, rng.poisson(10.5), boards)
    dreb = _spread(rng, rng.poisson(33.0), boards)
    stl = _spread(rng, rng.poisson(7.5), share)
    blk = _spread(rng, rng.poisson(5.0), boards)
    tov = _spread(rng, rng.poisson(13.5), usage)
    pf = np.minimum(_spread(rng, rng.poisson(19.5), share), 6)
    on_court = seconds / game_seconds
    noise = rng.normal(0.0, 4.0, len(playing)) * np.sqrt(on_court)
    noise -= on_court * noise.sum() / on_court.sum()
    plus_minus = _round_to_sum(margin * on_court + noise, 5 * margin)

    lines: dict[int, StatLine] = {}
    for i, p in enumerate(playing):
        lines[p.player_id] = StatLine(
            player=p,
            seconds=int(seconds[i]),
            fgm=int(fg2m[i] + fg3m[i]),
            fga=int(fg2a[i] + fg3a[i]),
            fg3m=int(fg3m[i]),
            fg3a=int(fg3a[i]),
            ftm=int(ftm[i]),
            fta=int(fta[i]),
            oreb=int(oreb[i]),
            dreb=int(dreb[i]),
            ast=int(ast[i]),
            stl=int(stl[i]),
            blk=int(blk[i]),
            turnover=int(tov[i]),
            pf=int(pf[i]),
            plus_minus=int(plus_minus[i]),
        )
    return [lines.get(p.player_id) or _did_not_play(p) for p in dressed]


def _did_not_play(player: SandboxPlayer) -> StatLine:
    return StatLine(player, 0, *([0] * 14))
