"""Injury episodes, the reports teams issue about them, and who actually plays.

Each player gets a sequence of episodes (mostly day-to-day knocks, some multi-week absences).
Reports follow the NBA rhythm: one when the injury happens, one the afternoon before each game
and a final call an hour before tip-off. A game-time decision resolves with the probability
its status implies (a "Questionable" player plays half the time), so statuses are honest and
a model that reads the report as of a moment gets exactly what the market knew then.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import numpy as np

from nba_assets.core.slates import SLATE_TZ
from nba_assets.feeds.sandbox._stable import stable_rng
from nba_assets.feeds.sandbox.rosters import SandboxPlayer
from nba_assets.feeds.sandbox.schedule import SandboxGame

PLAY_PROBABILITY: dict[str, float] = {
    "Out": 0.0,
    "Doubtful": 0.2,
    "Questionable": 0.5,
    "Day-To-Day": 0.6,
    "Probable": 0.9,
    "Available": 1.0,
}
_FINAL_CALL = 3600
_AVAILABLE_SHOWN_FOR = 3 * 3600
_NEVER = 2**62
_PARTS = (
    ("ankle", "Left ankle sprain"),
    ("ankle", "Right ankle sprain"),
    ("knee", "Left knee soreness"),
    ("knee", "Right knee contusion"),
    ("hamstring", "Left hamstring strain"),
    ("back", "Lower back tightness"),
    ("calf", "Right calf strain"),
    ("illness", "Illness"),
    ("hip", "Left hip flexor strain"),
    ("wrist", "Right wrist sprain"),
    ("head", "Concussion protocol"),
    ("foot", "Left foot soreness"),
    ("shoulder", "Right shoulder soreness"),
    ("groin", "Left groin strain"),
)


@dataclass(frozen=True, slots=True)
class InjuryReport:
    """One line of a team's injury report, as issued at ``issued_at``."""

    player_id: int
    team_id: int
    issued_at: int
    status: str
    return_date: date
    description: str
    expires_at: int = _NEVER

    @property
    def issued(self) -> datetime:
        return datetime.fromtimestamp(self.issued_at, UTC)

    @property
    def play_probability(self) -> float:
        return PLAY_PROBABILITY[self.status]


# Spelled out rather than strftime'd so that a process locale can never change the bytes.
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def bdl_return_date(day: date) -> str:
    """BallDontLie's ``return_date`` style: month and day, no year ("Nov 18")."""
    return f"{_MONTHS[day.month - 1]} {day.day}"


def _et(day: date, hour: int, minute: int = 0) -> int:
    return int(datetime.combine(day, time(hour, minute), tzinfo=SLATE_TZ).timestamp())


class InjuryLedger:
    """Every report of the season plus the resulting absences, queryable as of any instant."""

    def __init__(
        self,
        season: int,
        seed: int,
        rosters: dict[int, tuple[SandboxPlayer, ...]],
        team_games: dict[int, list[SandboxGame]],
        first: date,
        last: date,
    ) -> None:
        self.reports: dict[int, list[InjuryReport]] = {}
        self._absent: dict[int, set[int]] = {}
        for team_id, players in rosters.items():
            games = team_games[team_id]
            for player in players:
                rng = stable_rng("injuries", season, seed, player.player_id)
                self.reports[player.player_id] = self._player_reports(
                    rng, player, games, first, last
                )
        self._issued = {pid: [r.issued_at for r in rs] for pid, rs in self.reports.items()}
        self._arrays = {
            pid: (
                np.array([r.issued_at for r in rs], dtype=np.int64),
                np.array([r.play_probability for r in rs]),
                np.array([r.expires_at for r in rs], dtype=np.int64),
            )
            for pid, rs in self.reports.items()
            if rs
        }

    def absent(self, game: SandboxGame) -> frozenset[int]:
        """Players ruled out of ``game`` (they record no box-score line)."""
        return frozenset(self._absent.get(game.index, ()))

    def latest(self, player_id: int, at: int) -> InjuryReport | None:
        """The player's report in force at epoch second ``at``, if any."""
        k = bisect.bisect_right(self._issued.get(player_id, []), at) - 1
        if k < 0:
            return None
        report = self.reports[player_id][k]
        return report if at < report.expires_at else None

    def current(self, at: int) -> list[InjuryReport]:
        """The league-wide injury list at ``at``: one report per listed player."""
        out = []
        for pid in sorted(self.reports):
            report = self.latest(pid, at)
            if report is not None:
                out.append(report)
        return out

    def availability(self, player_id: int, times: np.ndarray) -> np.ndarray:
        """P(plays next game) implied by the report in force at each of ``times``."""
        arrays = self._arrays.get(player_id)
        if arrays is None:
            return np.ones(len(times))
        issued, prob, expires = arrays
        k = np.searchsorted(issued, times, side="right") - 1
        safe = np.maximum(k, 0)
        live = (k >= 0) & (times < expires[safe])
        return np.where(live, prob[safe], 1.0)

    def news_times(self, player_ids: list[int], start: int, end: int) -> list[int]:
        """Issue times of reports in ``[start, end)``: when the market learns something."""
        times: set[int] = set()
        for pid in player_ids:
            issued = self._issued.get(pid, [])
            lo = bisect.bisect_left(issued, start)
            hi = bisect.bisect_left(issued, end)
            times.update(issued[lo:hi])
        return sorted(times)

    def _player_reports(
        self,
        rng: np.random.Generator,
        player: SandboxPlayer,
        games: list[SandboxGame],
        first: date,
        last: date,
    ) -> list[InjuryReport]:
        reports: list[InjuryReport] = []
        tips = [g.tip_epoch for g in games]
        mean_gap = 42.0 / player.injury_proneness
        day = first - timedelta(days=12) + timedelta(days=int(rng.exponential(mean_gap)))
        while day <= last:
            next_free = self._episode(rng, player, games, tips, day, reports)
            if next_free > last:
                break
            day = next_free + timedelta(days=1 + int(rng.exponential(mean_gap)))
        return reports

    def _episode(
        self,
        rng: np.random.Generator,
        player: SandboxPlayer,
        games: list[SandboxGame],
        tips: list[int],
        onset_day: date,
        reports: list[InjuryReport],
    ) -> date:
        """Issue one episode's reports; return the first day the player may be hurt again."""
        kind = rng.choice(3, p=(0.68, 0.24, 0.08))
        duration = int((rng.integers(1, 5), rng.integers(5, 22), rng.integers(21, 81))[kind])
        long_absence = kind > 0
        part_key, part = _PARTS[int(rng.integers(len(_PARTS)))]
        same_day = [g for g in games if g.slate == onset_day]
        onset = same_day[0].tip_epoch + 9000 if same_day else _et(onset_day, 9, 30)
        back_day = onset_day + timedelta(days=duration)
        k0 = bisect.bisect_right(tips, onset)
        episode = [g for g in games[k0:] if g.slate < back_day]
        spread = (1, 3, 7)[kind]
        estimate = back_day + timedelta(days=int(rng.integers(-spread, spread + 1)))
        name = player.last_name

        def add(at: int, status: str, text: str, expires: int = _NEVER) -> None:
            stamp = datetime.fromtimestamp(at, SLATE_TZ).date()
            reports.append(
                InjuryReport(
                    player_id=player.player_id,
                    team_id=player.team_id,
                    issued_at=at,
                    status=status,
                    return_date=max(estimate, stamp + timedelta(days=1)),
                    description=f"{bdl_return_date(stamp)}: {part} - {text}",
                    expires_at=expires,
                )
            )

        if long_absence:
            weeks = max(1, round(duration / 7))
            add(onset, "Out", f"{name} will be re-evaluated in about {weeks} week(s).")
        else:
            add(onset, "Day-To-Day", f"{name} ({part_key}) is considered day-to-day.")
        previous_end = onset
        for i, game in enumerate(episode):
            opponent = game.away if game.home_id == player.team_id else game.home
            when = f"{_WEEKDAYS[game.slate.weekday()]}'s game against {opponent.city}"
            pre_at = max(onset + 60, _et(game.slate - timedelta(days=1), 17), previous_end)
            final_at = game.tip_epoch - _FINAL_CALL
            if long_absence and i < len(episode) - 1:
                if pre_at < final_at:
                    add(pre_at, "Out", f"{name} ({part_key}) is out for {when}.")
                plays = False
            else:
                weights = (0.35, 0.45, 0.2) if long_absence else (0.25, 0.45, 0.3)
                status = ("Doubtful", "Questionable", "Probable")[int(rng.choice(3, p=weights))]
                plays = bool(rng.random() < PLAY_PROBABILITY[status])
                if pre_at < final_at:
                    add(pre_at, status, f"{name} ({part_key}) is {status.lower()} for {when}.")
            if plays:
                expires = game.tip_epoch + _AVAILABLE_SHOWN_FOR
                add(final_at, "Available", f"{name} will play in {when}.", expires)
            else:
                add(final_at, "Out", f"{name} has been ruled out of {when}.")
                self._absent.setdefault(game.index, set()).add(player.player_id)
            previous_end = game.tip_epoch + 9000
        last_day = episode[-1].slate if episode else onset_day
        if reports[-1].status != "Available":
            k = bisect.bisect_left(tips, _et(back_day, 0))
            if k < len(games):
                clear = games[k]
                add(
                    clear.tip_epoch - _FINAL_CALL,
                    "Available",
                    f"{name} has been cleared to return.",
                    clear.tip_epoch + _AVAILABLE_SHOWN_FOR,
                )
                last_day = clear.slate
            else:
                return date.max - timedelta(days=400)
        return max(last_day, back_day)
