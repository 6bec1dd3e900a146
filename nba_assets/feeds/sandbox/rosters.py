"""The sandbox's teams as each provider spells them, and its invented players.

Team ids are the real BallDontLie ids (1-30, alphabetical by full name), which the core
``FRANCHISES`` table already uses. Players are fictional but shaped like BallDontLie players,
and each carries the latent numbers (minutes, impact, shooting and rebounding tendencies) that
results, box scores and injuries are drawn from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from nba_assets.core.teams import FRANCHISES, franchise
from nba_assets.feeds.sandbox._stable import stable_rng

# The Odds API spells the Clippers out; BallDontLie (and teams.py) say "LA Clippers".
_ODDS_API_SPELLING = {13: "Los Angeles Clippers"}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES: tuple[str, ...] = _words(
    "Aaron Andre Anthony Bennett Brandon Caleb Cameron Chris Cole Darius David Derrick Devin "
    "Dominic Dwayne Elijah Eric Evan Gabriel Grant Isaiah Jalen Jamal Jaylen Jordan Josh "
    "Julian Justin Kai Keegan Kevin Kyle Lamar Luka Malik Marcus Mason Miles Nikola Noah Omar "
    "Oscar Paolo Quentin Reggie Rudy Scottie Tariq Terrence Theo Tyrese Victor Xavier Zach"
)
LAST_NAMES: tuple[str, ...] = _words(
    "Adams Allen Anderson Bailey Banks Barnes Bell Brooks Bryant Carter Coleman Collins "
    "Cooper Davis Diallo Edwards Ellis Fisher Fleming Foster Garcia Gibson Gordon Graham "
    "Grant Green Hall Harris Hayes Holmes Howard Hughes Ivey Jackson Jenkins Johnson Jones "
    "Kessler King Lewis Lopez Marshall Martin Mitchell Moore Morris Murray Nelson Okafor "
    "Parker Perry Porter Price Reed Richardson Robinson Ross Sanders Simmons Smith Stewart "
    "Thomas Thompson Turner Walker Wallace Washington Watson White Williams Wilson Wright "
    "Young"
)
COLLEGES: tuple[str | None, ...] = (
    "Kentucky",
    "Duke",
    "Kansas",
    "UCLA",
    "North Carolina",
    "Gonzaga",
    "Villanova",
    "Arizona",
    "Michigan State",
    "Texas",
    "Baylor",
    "Florida",
    "Connecticut",
    "Alabama",
    "Stanford",
    None,
)
COUNTRIES: tuple[str, ...] = ("USA",) * 8 + ("Canada", "France", "Serbia", "Australia", "Nigeria")

# Expected minutes by rotation slot (sum 240): five starters, a four-man bench, a deep bench.
_MINUTES_TEMPLATE = np.array(
    [35.0, 34.0, 32.0, 30.0, 28.0, 24.0, 20.0, 16.0, 12.0, 4.0, 2.0, 1.5, 1.0, 0.5, 0.5]
)
# How many points of expected margin a team loses without the player in that slot.
_IMPACT_TEMPLATE = np.array(
    [4.5, 2.8, 2.2, 1.8, 1.5, 1.1, 0.9, 0.7, 0.5, 0.3, 0.2, 0.1, 0.1, 0.05, 0.05]
)
_STARTER_POSITIONS = ("G", "G", "F", "F", "C")
_BENCH_POSITIONS = ("G", "G-F", "F", "F-C", "C", "G", "F")
_HEIGHTS = {"G": (73, 78), "G-F": (77, 80), "F": (78, 82), "F-C": (80, 84), "C": (82, 86)}


@dataclass(frozen=True, slots=True)
class SandboxPlayer:
    """A fictional player: BallDontLie's public fields plus the latent numbers behind results."""

    player_id: int
    team_id: int
    slot: int
    first_name: str
    last_name: str
    position: str
    height: str
    weight: str
    jersey_number: str
    college: str | None
    country: str
    draft_year: int | None
    draft_round: int | None
    draft_number: int | None
    minutes: float
    impact: float
    usage: float
    three_rate: float
    rebound_rate: float
    assist_rate: float
    injury_proneness: float

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def odds_api_name(team_id: int) -> str:
    """The team name exactly as The Odds API prints it in events and outcomes."""
    return _ODDS_API_SPELLING.get(team_id, franchise(team_id).full_name)


@cache
def bdl_team(team_id: int) -> dict[str, Any]:
    """BallDontLie's NBATeam object, keys in the order the recorded captures show."""
    f = franchise(team_id)
    return {
        "id": f.team_id,
        "abbreviation": f.abbreviation,
        "city": f.city,
        "conference": f.conference,
        "division": f.division,
        "full_name": f.full_name,
        "name": f.nickname,
    }


def bdl_player(player: SandboxPlayer, *, nested_team: bool = True) -> dict[str, Any]:
    """NBAPlayer; injury and stat payloads carry ``team_id`` instead of the team object."""
    body: dict[str, Any] = {
        "id": player.player_id,
        "first_name": player.first_name,
        "last_name": player.last_name,
        "position": player.position,
        "height": player.height,
        "weight": player.weight,
        "jersey_number": player.jersey_number,
        "college": player.college,
        "country": player.country,
        "draft_year": player.draft_year,
        "draft_round": player.draft_round,
        "draft_number": player.draft_number,
    }
    if nested_team:
        body["team"] = bdl_team(player.team_id)
    else:
        body["team_id"] = player.team_id
    return body


def build_rosters(season: int, seed: int) -> dict[int, tuple[SandboxPlayer, ...]]:
    """13-15 players per team, unique names league-wide, ids sorted by team then slot."""
    rng = stable_rng("rosters", season, seed)
    used_names: set[tuple[str, str]] = set()
    rosters: dict[int, tuple[SandboxPlayer, ...]] = {}
    for f in FRANCHISES:
        size = int(rng.integers(13, 16))
        jerseys = rng.permutation(np.arange(0, 55))[:size]
        players = []
        for slot in range(size):
            while True:
                name = (str(rng.choice(FIRST_NAMES)), str(rng.choice(LAST_NAMES)))
                if name not in used_names:
                    used_names.add(name)
                    break
            position = (
                _STARTER_POSITIONS[slot]
                if slot < 5
                else _BENCH_POSITIONS[int(rng.integers(len(_BENCH_POSITIONS)))]
            )
            players.append(_make_player(rng, season, f.team_id, slot, name, position, jerseys))
        rosters[f.team_id] = tuple(players)
    return rosters


def _make_player(
    rng: np.random.Generator,
    season: int,
    team_id: int,
    slot: int,
    name: tuple[str, str],
    position: str,
    jerseys: np.ndarray,
) -> SandboxPlayer:
    low, high = _HEIGHTS[position]
    inches = int(rng.integers(low, high + 1))
    weight = round(inches * 2.95 + rng.normal(0.0, 12.0))
    experience = int(rng.integers(0, 14))
    drafted = rng.random() < 0.85
    draft_round = int(rng.integers(1, 3)) if drafted else None
    draft_number = (
        int(rng.integers(1, 31) + (30 if draft_round == 2 else 0)) if draft_round else None
    )
    big = position in ("C", "F-C")
    guard = position in ("G", "G-F")
    return SandboxPlayer(
        player_id=100_000 + team_id * 100 + slot,
        team_id=team_id,
        slot=slot,
        first_name=name[0],
        last_name=name[1],
        position=position,
        height=f"{inches // 12}-{inches % 12}",
        weight=str(weight),
        jersey_number=str(int(jerseys[slot])),
        college=COLLEGES[int(rng.integers(len(COLLEGES)))],
        country=COUNTRIES[int(rng.integers(len(COUNTRIES)))],
        draft_year=season - experience if drafted else None,
        draft_round=draft_round,
        draft_number=draft_number,
        minutes=float(_MINUTES_TEMPLATE[slot]),
        impact=float(_IMPACT_TEMPLATE[slot] * rng.lognormal(0.0, 0.25)),
        usage=float(rng.lognormal(0.0, 0.3) * (1.4 if slot == 0 else 1.0)),
        three_rate=float(np.clip(rng.normal(0.55 if guard else (0.12 if big else 0.4), 0.1), 0, 1)),
        rebound_rate=float(rng.lognormal(0.0, 0.2) * (1.8 if big else (0.7 if guard else 1.1))),
        assist_rate=float(rng.lognormal(0.0, 0.3) * (1.8 if guard else (0.7 if big else 1.0))),
        injury_proneness=float(rng.lognormal(0.0, 0.4)),
    )
