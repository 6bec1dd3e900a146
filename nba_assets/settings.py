"""Where the platform finds its warehouse, its home folder and its feeds (DESIGN §6).

Everything comes from the environment so that secrets never live in code; unset settings
fall back to the embedded defaults (embedded PostgreSQL, sandbox feeds).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The Odds API's ``oddsFormat`` values (``decimal`` is the provider's default).
ODDS_FORMATS = ("decimal", "american")


def nba_home() -> Path:
    """The folder for the embedded server and local state: ``NBA_HOME`` or ``.nba_home/``."""
    configured = os.environ.get("NBA_HOME")
    if configured:
        return Path(configured).expanduser().resolve()
    base = PROJECT_ROOT if (PROJECT_ROOT / "pyproject.toml").exists() else Path.cwd()
    return base / ".nba_home"


@dataclass(frozen=True)
class FeedSettings:
    """Which feed answers and where; keys are read here but never printed."""

    mode: str
    odds_api_base_url: str
    balldontlie_base_url: str
    # The ``oddsFormat`` asked of The Odds API; the body does not say which it is in.
    odds_format: str = "decimal"

    @classmethod
    def from_env(cls) -> FeedSettings:
        have_keys = bool(os.environ.get("ODDS_API_KEY")) and bool(
            os.environ.get("BALLDONTLIE_API_KEY")
        )
        mode = os.environ.get("NBA_FEED") or ("live" if have_keys else "sandbox")
        if mode not in ("live", "sandbox"):
            raise ValueError(f"NBA_FEED must be 'live' or 'sandbox', not {mode!r}")
        odds_format = os.environ.get("ODDS_API_ODDS_FORMAT") or "decimal"
        if odds_format not in ODDS_FORMATS:
            raise ValueError(
                f"ODDS_API_ODDS_FORMAT must be 'decimal' or 'american', not {odds_format!r}"
            )
        return cls(
            mode=mode,
            odds_api_base_url=os.environ.get("ODDS_API_BASE_URL", "https://api.the-odds-api.com"),
            balldontlie_base_url=os.environ.get(
                "BALLDONTLIE_BASE_URL", "https://api.balldontlie.io"
            ),
            odds_format=odds_format,
        )
