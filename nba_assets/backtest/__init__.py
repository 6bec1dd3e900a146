"""Importing historical archives and replaying seasons against them.

* :mod:`~nba_assets.backtest.importer`: ``nba-assets import``, archive file -> warehouse.
* :mod:`~nba_assets.backtest.data`: one season's games, results and odds, read once.
* :mod:`~nba_assets.backtest.replay`: both algorithms, slate by slate, point in time.
* :mod:`~nba_assets.backtest.report`: grading and the metrics table (``nba-assets backtest``).

The metric math lives in :mod:`nba_assets.analytics`; this package only orchestrates.
"""

from nba_assets.backtest.importer import ImportReport, import_archive, parse_season
from nba_assets.backtest.replay import BacktestConfig
from nba_assets.backtest.report import BacktestResult, format_table
from nba_assets.backtest.run import run_backtest

__all__ = [
    "BacktestConfig",
    "BacktestResult",
    "ImportReport",
    "format_table",
    "import_archive",
    "parse_season",
    "run_backtest",
]
