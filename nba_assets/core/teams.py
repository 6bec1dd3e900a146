"""The 30 NBA franchises and every spelling of them that feeds and archives use.

Internal team ids are stable small integers (1-30, in BallDontLie's alphabetical order by
full name) so that foreign keys and deterministic game ids stay compact. Provider ids are
never assumed to equal them: feeds map through ``source_ids`` and ``team_aliases``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True, slots=True)
class Franchise:
    team_id: int
    abbreviation: str
    city: str
    nickname: str
    conference: str
    division: str
    arena: str
    latitude: float
    longitude: float
    time_zone: str

    @property
    def full_name(self) -> str:
        return f"{self.city} {self.nickname}"


# Current arenas. The Clippers moved to the Intuit Dome in 2024-25; earlier seasons shared
# Crypto.com Arena with the Lakers, about 15 km away, which travel features may ignore.
FRANCHISES: tuple[Franchise, ...] = (
    Franchise(
        1,
        "ATL",
        "Atlanta",
        "Hawks",
        "East",
        "Southeast",
        "State Farm Arena",
        33.7573,
        -84.3963,
        "America/New_York",
    ),
    Franchise(
        2,
        "BOS",
        "Boston",
        "Celtics",
        "East",
        "Atlantic",
        "TD Garden",
        42.3662,
        -71.0621,
        "America/New_York",
    ),
    Franchise(
        3,
        "BKN",
        "Brooklyn",
        "Nets",
        "East",
        "Atlantic",
        "Barclays Center",
        40.6826,
        -73.9754,
        "America/New_York",
    ),
    Franchise(
        4,
        "CHA",
        "Charlotte",
        "Hornets",
        "East",
        "Southeast",
        "Spectrum Center",
        35.2251,
        -80.8392,
        "America/New_York",
    ),
    Franchise(
        5,
        "CHI",
        "Chicago",
        "Bulls",
        "East",
        "Central",
        "United Center",
        41.8807,
        -87.6742,
        "America/Chicago",
    ),
    Franchise(
        6,
        "CLE",
        "Cleveland",
        "Cavaliers",
        "East",
        "Central",
        "Rocket Mortgage FieldHouse",
        41.4965,
        -81.6882,
        "America/New_York",
    ),
    Franchise(
        7,
        "DAL",
        "Dallas",
        "Mavericks",
        "West",
        "Southwest",
        "American Airlines Center",
        32.7905,
        -96.8103,
        "America/Chicago",
    ),
    Franchise(
        8,
        "DEN",
        "Denver",
        "Nuggets",
        "West",
        "Northwest",
        "Ball Arena",
        39.7487,
        -105.0077,
        "America/Denver",
    ),
    Franchise(
        9,
        "DET",
        "Detroit",
        "Pistons",
        "East",
        "Central",
        "Little Caesars Arena",
        42.3411,
        -83.0553,
        "America/Detroit",
    ),
    Franchise(
        10,
        "GSW",
        "Golden State",
        "Warriors",
        "West",
        "Pacific",
        "Chase Center",
        37.7680,
        -122.3877,
        "America/Los_Angeles",
    ),
    Franchise(
        11,
        "HOU",
        "Houston",
        "Rockets",
        "West",
        "Southwest",
        "Toyota Center",
        29.7508,
        -95.3621,
        "America/Chicago",
    ),
    Franchise(
        12,
        "IND",
        "Indiana",
        "Pacers",
        "East",
        "Central",
        "Gainbridge Fieldhouse",
        39.7640,
        -86.1555,
        "America/Indiana/Indianapolis",
    ),
    Franchise(
        13,
        "LAC",
        "LA",
        "Clippers",
        "West",
        "Pacific",
        "Intuit Dome",
        33.9450,
        -118.3417,
        "America/Los_Angeles",
    ),
    Franchise(
        14,
        "LAL",
        "Los Angeles",
        "Lakers",
        "West",
        "Pacific",
        "Crypto.com Arena",
        34.0430,
        -118.2673,
        "America/Los_Angeles",
    ),
    Franchise(
        15,
        "MEM",
        "Memphis",
        "Grizzlies",
        "West",
        "Southwest",
        "FedExForum",
        35.1382,
        -90.0506,
        "America/Chicago",
    ),
    Franchise(
        16,
        "MIA",
        "Miami",
        "Heat",
        "East",
        "Southeast",
        "Kaseya Center",
        25.7814,
        -80.1870,
        "America/New_York",
    ),
    Franchise(
        17,
        "MIL",
        "Milwaukee",
        "Bucks",
        "East",
        "Central",
        "Fiserv Forum",
        43.0451,
        -87.9172,
        "America/Chicago",
    ),
    Franchise(
        18,
        "MIN",
        "Minnesota",
        "Timberwolves",
        "West",
        "Northwest",
        "Target Center",
        44.9795,
        -93.2760,
        "America/Chicago",
    ),
    Franchise(
        19,
        "NOP",
        "New Orleans",
        "Pelicans",
        "West",
        "Southwest",
        "Smoothie King Center",
        29.9490,
        -90.0821,
        "America/Chicago",
    ),
    Franchise(
        20,
        "NYK",
        "New York",
        "Knicks",
        "East",
        "Atlantic",
        "Madison Square Garden",
        40.7505,
        -73.9934,
        "America/New_York",
    ),
    Franchise(
        21,
        "OKC",
        "Oklahoma City",
        "Thunder",
        "West",
        "Northwest",
        "Paycom Center",
        35.4634,
        -97.5151,
        "America/Chicago",
    ),
    Franchise(
        22,
        "ORL",
        "Orlando",
        "Magic",
        "East",
        "Southeast",
        "Kia Center",
        28.5392,
        -81.3839,
        "America/New_York",
    ),
    Franchise(
        23,
        "PHI",
        "Philadelphia",
        "76ers",
        "East",
        "Atlantic",
        "Wells Fargo Center",
        39.9012,
        -75.1720,
        "America/New_York",
    ),
    Franchise(
        24,
        "PHX",
        "Phoenix",
        "Suns",
        "West",
        "Pacific",
        "Footprint Center",
        33.4457,
        -112.0712,
        "America/Phoenix",
    ),
    Franchise(
        25,
        "POR",
        "Portland",
        "Trail Blazers",
        "West",
        "Northwest",
        "Moda Center",
        45.5316,
        -122.6668,
        "America/Los_Angeles",
    ),
    Franchise(
        26,
        "SAC",
        "Sacramento",
        "Kings",
        "West",
        "Pacific",
        "Golden 1 Center",
        38.5802,
        -121.4997,
        "America/Los_Angeles",
    ),
    Franchise(
        27,
        "SAS",
        "San Antonio",
        "Spurs",
        "West",
        "Southwest",
        "Frost Bank Center",
        29.4270,
        -98.4375,
        "America/Chicago",
    ),
    Franchise(
        28,
        "TOR",
        "Toronto",
        "Raptors",
        "East",
        "Atlantic",
        "Scotiabank Arena",
        43.6435,
        -79.3791,
        "America/Toronto",
    ),
    Franchise(
        29,
        "UTA",
        "Utah",
        "Jazz",
        "West",
        "Northwest",
        "Delta Center",
        40.7683,
        -111.9011,
        "America/Denver",
    ),
    Franchise(
        30,
        "WAS",
        "Washington",
        "Wizards",
        "East",
        "Southeast",
        "Capital One Arena",
        38.8981,
        -77.0209,
        "America/New_York",
    ),
)

# Spellings beyond "<city> <nickname>", "<abbreviation>", "<city>" and "<nickname>": other
# abbreviations (ESPN, Basketball-Reference, SBR), run-together archive names and the
# historical names of relocated or renamed franchises.
_EXTRA_ALIASES: dict[str, tuple[str, ...]] = {
    "ATL": ("Atl",),
    "BKN": ("BRK", "BK", "NJN", "NJ", "New Jersey", "New Jersey Nets", "Brooklyn Nets"),
    "CHA": ("CHO", "Charlotte Bobcats", "Bobcats"),
    "GSW": ("GS", "GOS", "GoldenState", "Golden State", "Golden St.", "Golden St"),
    "LAC": ("LA Clippers", "LAClippers", "Los Angeles Clippers", "L.A. Clippers"),
    "LAL": ("LALakers", "LA Lakers", "L.A. Lakers", "Los Angeles Lakers"),
    "MEM": ("Vancouver Grizzlies", "VAN"),
    "NOP": (
        "NO",
        "NOR",
        "NOH",
        "NOK",
        "NewOrleans",
        "New Orleans Hornets",
        "New Orleans/Oklahoma City Hornets",
        "NO/Oklahoma City Hornets",
    ),
    "NYK": ("NY", "NewYork"),
    "OKC": (
        "OKL",
        "OklahomaCity",
        "Seattle SuperSonics",
        "Seattle Supersonics",
        "Seattle",
        "SEA",
        "SuperSonics",
        "Sonics",
    ),
    "PHX": ("PHO",),
    "PHI": ("Philly", "Sixers"),
    "POR": ("Portland Trailblazers", "Trailblazers", "Blazers"),
    "SAS": ("SA", "SanAntonio"),
    "UTA": ("UTAH", "UTH"),
    "WAS": ("WSH", "Washington Bullets", "WSB", "Bullets"),
}

# "Charlotte Hornets" meant today's Pelicans before 2002; the current meaning wins because
# every archive this project reads starts later.
_BY_ID = {f.team_id: f for f in FRANCHISES}
_BY_ABBR = {f.abbreviation: f for f in FRANCHISES}


def normalize_alias(name: str) -> str:
    """The comparison form of a team spelling: case, spaces, dots and dashes ignored."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def alias_rows() -> list[tuple[str, int]]:
    """Every (alias, team_id) pair, each alias once, as loaded into ``team_aliases``."""
    rows: dict[str, int] = {}
    for f in FRANCHISES:
        spellings = [f.full_name, f.abbreviation, f.city, f.nickname, f.abbreviation.lower()]
        spellings += _EXTRA_ALIASES.get(f.abbreviation, ())
        for s in spellings:
            rows.setdefault(s, f.team_id)
    # "Los Angeles" alone and "LA" alone are ambiguous between the two LA franchises.
    for ambiguous in ("Los Angeles", "LA"):
        rows.pop(ambiguous, None)
    return sorted(rows.items())


@cache
def _alias_index() -> dict[str, int]:
    index: dict[str, int] = {}
    for alias, team_id in alias_rows():
        index.setdefault(normalize_alias(alias), team_id)
    return index


def resolve_team(name: str) -> Franchise | None:
    """The franchise a spelling denotes, or None when it is unknown or ambiguous."""
    team_id = _alias_index().get(normalize_alias(name))
    return _BY_ID.get(team_id) if team_id is not None else None


def franchise(team_id: int) -> Franchise:
    return _BY_ID[team_id]


def by_abbreviation(abbreviation: str) -> Franchise:
    return _BY_ABBR[abbreviation]
