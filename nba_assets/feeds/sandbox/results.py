"""Final scores, quarter lines and the in-game state at any instant.

The regulation margin and total are drawn around the closing fair expectation (sd 12 and
17.5); a regulation tie goes to overtime, settled by the same draw the fair win probability
integrates over. The game clock is mapped onto wall time (about 2h17m for regulation plus 15
minutes per overtime) so feeds can show a game as scheduled, in progress or final.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from nba_assets.feeds.sandbox.model import (
    MARGIN_SD,
    OT_EXTRA_PROBABILITY,
    OT_POINTS_PER_TEAM,
    OT_SHARE,
    TOTAL_SD,
)

REGULATION_SECONDS = 137 * 60
OT_SECONDS = 15 * 60
# Wall-clock fractions of regulation at which Q1, Q2, halftime, Q3 and Q4 end.
_PHASE_ENDS = (0.235, 0.47, 0.58, 0.79, 1.0)
_ORDINALS = ("1st", "2nd", "3rd", "4th")


@dataclass(frozen=True, slots=True)
class GameResult:
    """A final score with its period lines (four quarters, then any overtimes)."""

    home_score: int
    away_score: int
    home_periods: tuple[int, ...]
    away_periods: tuple[int, ...]
    overtime_periods: int
    final_epoch: int

    @property
    def margin(self) -> int:
        return self.home_score - self.away_score

    @property
    def total(self) -> int:
        return self.home_score + self.away_score

    @property
    def home_won(self) -> bool:
        return self.home_score > self.away_score


@dataclass(frozen=True, slots=True)
class LiveState:
    """What a scoreboard shows at one instant."""

    phase: str
    period: int
    clock: str | None
    home_score: int
    away_score: int

    @property
    def started(self) -> bool:
        return self.phase != "scheduled"

    @property
    def final(self) -> bool:
        return self.phase == "final"


def simulate_result(
    rng: np.random.Generator, expected_margin: float, expected_total: float, tip_epoch: int
) -> GameResult:
    margin = int(np.rint(rng.normal(expected_margin, MARGIN_SD)))
    total = max(150, int(np.rint(rng.normal(expected_total, TOTAL_SD))))
    if (total + margin) % 2:
        total += 1 if rng.random() < 0.5 else -1
    home_reg, away_reg = (total + margin) // 2, (total - margin) // 2
    home_q = rng.multinomial(home_reg, rng.dirichlet([60.0] * 4)).tolist()
    away_q = rng.multinomial(away_reg, rng.dirichlet([60.0] * 4)).tolist()
    overtimes = 0
    if margin == 0:
        overtimes = int(rng.geometric(1.0 - OT_EXTRA_PROBABILITY))
        for _ in range(overtimes - 1):
            tied = max(2, int(np.rint(rng.normal(OT_POINTS_PER_TEAM, 3.0))))
            home_q.append(tied)
            away_q.append(tied)
        decider = rng.normal(expected_margin * OT_SHARE**2, MARGIN_SD * OT_SHARE)
        edge = max(1, int(np.rint(abs(decider))))
        loser = max(2, int(np.rint(rng.normal(OT_POINTS_PER_TEAM - edge / 2.0, 3.0))))
        home_q.append(loser + edge if decider > 0 else loser)
        away_q.append(loser if decider > 0 else loser + edge)
    duration = REGULATION_SECONDS + overtimes * OT_SECONDS + int(rng.integers(0, 480))
    return GameResult(
        home_score=sum(home_q),
        away_score=sum(away_q),
        home_periods=tuple(int(x) for x in home_q),
        away_periods=tuple(int(x) for x in away_q),
        overtime_periods=overtimes,
        final_epoch=tip_epoch + duration,
    )


def _partial(periods: tuple[int, ...], done: int, fraction: float) -> int:
    current = periods[done] if done < len(periods) else 0
    return sum(periods[:done]) + int(current * fraction)


def _clock(minutes: float, fraction: float) -> str:
    left = max(0, round(minutes * 60 * (1.0 - fraction)))
    return f"{left // 60}:{left % 60:02d}"


def live_state(result: GameResult, tip_epoch: int, at: int) -> LiveState:
    """The scoreboard at epoch ``at``: scheduled, a quarter with its clock, halftime or final."""
    if at < tip_epoch:
        return LiveState("scheduled", 0, None, 0, 0)
    if at >= result.final_epoch:
        return LiveState(
            "final", 4 + result.overtime_periods, "Final", result.home_score, result.away_score
        )
    regulation = result.final_epoch - tip_epoch - result.overtime_periods * OT_SECONDS
    elapsed = at - tip_epoch
    hp, ap = result.home_periods, result.away_periods
    if elapsed >= regulation:
        k = min((elapsed - regulation) // OT_SECONDS, result.overtime_periods - 1)
        frac = min(1.0, (elapsed - regulation - k * OT_SECONDS) / OT_SECONDS)
        label = "OT" if k == 0 else f"{k + 1}OT"
        period = 5 + int(k)
        return LiveState(
            label,
            period,
            _clock(5, frac),
            _partial(hp, period - 1, frac),
            _partial(ap, period - 1, frac),
        )
    share = elapsed / regulation
    starts = (0.0, *_PHASE_ENDS[:-1])
    phase = next(i for i, end in enumerate(_PHASE_ENDS) if share < end)
    if phase == 2:
        return LiveState("Halftime", 2, "Halftime", sum(hp[:2]), sum(ap[:2]))
    quarter = phase if phase < 2 else phase - 1
    frac = (share - starts[phase]) / (_PHASE_ENDS[phase] - starts[phase])
    return LiveState(
        f"{_ORDINALS[quarter]} Qtr",
        quarter + 1,
        _clock(12, frac),
        _partial(hp, quarter, frac),
        _partial(ap, quarter, frac),
    )
