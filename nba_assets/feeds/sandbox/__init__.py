"""An offline, deterministic NBA season that answers The Odds API and BallDontLie over httpx.

Build a ``SandboxLeague(season, seed)`` and hand a ``SandboxTransport(league, clock=...)`` to
the real feed clients; the plain accessors on the league (games, results, closing fair
lines, books) let tests compare what the platform derived with the simulated truth.
"""

from nba_assets.feeds.sandbox.books import BOOKS, Book
from nba_assets.feeds.sandbox.boxscore import StatLine
from nba_assets.feeds.sandbox.faults import Corruption, HttpFault, OddsCorruption, SandboxFaults
from nba_assets.feeds.sandbox.injuries import InjuryReport
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.feeds.sandbox.model import FairLine, GameBase
from nba_assets.feeds.sandbox.results import GameResult, LiveState
from nba_assets.feeds.sandbox.rosters import SandboxPlayer, odds_api_name
from nba_assets.feeds.sandbox.schedule import SandboxGame, season_window
from nba_assets.feeds.sandbox.transport import AsyncSandboxTransport, SandboxTransport

__all__ = [
    "BOOKS",
    "AsyncSandboxTransport",
    "Book",
    "Corruption",
    "FairLine",
    "GameBase",
    "GameResult",
    "HttpFault",
    "InjuryReport",
    "LiveState",
    "OddsCorruption",
    "SandboxFaults",
    "SandboxGame",
    "SandboxLeague",
    "SandboxPlayer",
    "SandboxTransport",
    "StatLine",
    "odds_api_name",
    "season_window",
]
