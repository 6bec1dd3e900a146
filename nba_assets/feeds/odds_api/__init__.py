"""The Odds API v4: client, payload models and normalisation into warehouse rows."""

from nba_assets.feeds.odds_api.client import NBA, SOURCE, OddsApiClient
from nba_assets.feeds.odds_api.normalize import normalize_odds, normalize_scores

__all__ = ["NBA", "SOURCE", "OddsApiClient", "normalize_odds", "normalize_scores"]
