"""``nba-assets backtest``: load a season, replay it, grade it, print the table."""

from __future__ import annotations

from sqlalchemy import Engine

from nba_assets.backtest.data import load_season
from nba_assets.backtest.replay import DEFAULT_BACKTEST, BacktestConfig, replay
from nba_assets.backtest.report import BacktestResult, evaluate


def run_backtest(
    engine: Engine,
    season: int,
    *,
    books: list[str] | None = None,
    include_postseason: bool = False,
    config: BacktestConfig = DEFAULT_BACKTEST,
) -> BacktestResult:
    """Replay ``season`` (start year) from the warehouse and summarise every algorithm.

    Raises LookupError when the warehouse holds no game of that season, so the command
    line can say "import it first" instead of printing an empty table.
    """
    data = load_season(engine, season, books=books, include_postseason=include_postseason)
    if data.games.empty:
        raise LookupError(f"no games of season {season} in the warehouse; import them first")
    return evaluate(data, replay(data, config), config)
