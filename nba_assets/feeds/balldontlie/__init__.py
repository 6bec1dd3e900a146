"""BallDontLie v1 (NBA): client, payload models and normalisation into warehouse rows."""

from nba_assets.feeds.balldontlie.client import SOURCE, BallDontLieClient
from nba_assets.feeds.balldontlie.normalize import (
    normalize_games,
    normalize_injuries,
    normalize_stats,
    team_id_map,
)
from nba_assets.feeds.balldontlie.parsing import parse_minutes, resolve_return_date

__all__ = [
    "SOURCE",
    "BallDontLieClient",
    "normalize_games",
    "normalize_injuries",
    "normalize_stats",
    "parse_minutes",
    "resolve_return_date",
    "team_id_map",
]
