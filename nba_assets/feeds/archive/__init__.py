"""Historical archives (SBR season files, the Kaggle 2008-2025 file) as warehouse frames.

Pure parsers: a CSV path in, a :class:`~nba_assets.feeds.records.NormalizedBatch` out
(``games``, ``game_results``, ``odds_snapshots`` and quarantine records). Loading them is
``nba_assets.backtest.importer``'s job.
"""

from nba_assets.feeds.archive.common import (
    KAGGLE_BOOK,
    SBR_BOOK,
    ArchiveBook,
    ArchiveFormatError,
    clock,
)
from nba_assets.feeds.archive.kaggle import parse_kaggle, parse_kaggle_text
from nba_assets.feeds.archive.sbr import parse_sbr, parse_sbr_text, season_from_name

__all__ = [
    "KAGGLE_BOOK",
    "SBR_BOOK",
    "ArchiveBook",
    "ArchiveFormatError",
    "clock",
    "parse_kaggle",
    "parse_kaggle_text",
    "parse_sbr",
    "parse_sbr_text",
    "season_from_name",
]
