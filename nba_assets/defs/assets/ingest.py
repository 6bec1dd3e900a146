"""Ingest assets: what the two feeds said about each slate, appended as it arrived.

A past slate is loaded from history (historical odds snapshots on a grid from the day
before through tip-off; finished games, box scores and results); today's slate is polled
live and grows with every tick. Every body reads: fetch -> normalise -> append -> describe.
The assets live by feed (``stats_feed``, ``odds``, ``injuries``); this module is the
``ingest`` group as the code location loads it.
"""

from nba_assets.defs.assets.injuries import InjuryHistoryConfig, injuries
from nba_assets.defs.assets.odds import HistoryConfig, odds_snapshots
from nba_assets.defs.assets.stats_feed import game_results, games, player_stats

__all__ = [
    "HistoryConfig",
    "InjuryHistoryConfig",
    "game_results",
    "games",
    "injuries",
    "odds_snapshots",
    "player_stats",
]
