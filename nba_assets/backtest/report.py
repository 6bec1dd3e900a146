"""From a replay to the backtest table: forecast quality and betting results per algorithm.

The metric definitions are :mod:`nba_assets.analytics.calibration`'s (``summarize``,
``forecast_rows``, ``bet_rows``) and settlement and CLV are
:mod:`nba_assets.analytics.grading`'s, so a backtest and the live calibration table cannot
disagree about what "Brier" or "CLV" means:

* Brier, log loss and ECE over decided forecasts (wins and losses, pushes left out), both
  outcomes of each market line counted, as in the live table (Brier and log loss are the
  same as over the home/over side alone; ECE is the symmetric version).
* ROI: mean profit per unit of the positive-EV bets at the prices taken at the scoring
  instant, flat stakes. Mean CLV: ``close_fair_prob * price - 1`` of those bets, the close
  being the live platform's consensus (``ConsensusConfig``) of each book's last price
  before tip-off.

Rows:

* ``closing_line``, a reference and not an algorithm: the closing line itself, devigged
  with ``BacktestConfig.reference_method`` (multiplicative, the convention of the shared
  data README's figures), scored against the results. No bets.
* ``market_consensus`` and ``model_edge``, one row per market they priced. model_edge's
  moneyline forecasts are its P(home win) for every game it predicted, whether or not a
  moneyline was on the board at the scoring instant (the SBR open has none); its moneyline
  bets need a price on the board.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from nba_assets.analytics.boards import closing_board
from nba_assets.analytics.calibration import bet_rows, forecast_rows, summarize
from nba_assets.analytics.columns import MARKETS
from nba_assets.analytics.grading import grade_value_scores, settle
from nba_assets.analytics.market_consensus import ConsensusConfig, market_consensus
from nba_assets.backtest.data import SeasonData
from nba_assets.backtest.replay import BacktestConfig, Replay
from nba_assets.core.slates import season_label

REFERENCE = "closing_line"
ALGORITHMS = (REFERENCE, "market_consensus", "model_edge")
METRIC_COLUMNS = (
    "algorithm", "market", "games", "n", "brier", "log_loss", "ece", "bets", "roi", "mean_clv",
)  # fmt: skip


@dataclass(frozen=True)
class BacktestResult:
    """The metrics table plus what produced it, for printing and for tests."""

    season: int
    mode: str
    games: int
    slates: int
    books: tuple[str, ...]
    metrics: pd.DataFrame
    grades: pd.DataFrame

    def row(self, algorithm: str, market: str) -> pd.Series:
        found = self.metrics[
            (self.metrics["algorithm"] == algorithm) & (self.metrics["market"] == market)
        ]
        if found.empty:
            raise KeyError(f"no {algorithm} {market} row in the backtest")
        return found.iloc[0]


def _settled_forecasts(frame: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """Forecast rows (game, market, outcome, point, fair_prob) with ``y``; pushes dropped."""
    if frame.empty:
        return frame.assign(y=pd.Series(dtype=float))
    settled = settle(frame.assign(price_decimal=2.0), results)
    decided = settled["result"].isin(["win", "loss"]).to_numpy()
    out = frame[decided].copy()
    out["y"] = (settled["result"][decided] == "win").astype(float).to_numpy()
    return out


def model_moneyline_forecasts(predictions: pd.DataFrame) -> pd.DataFrame:
    """Both moneyline outcomes of every model prediction as forecast rows."""
    if predictions.empty:
        return pd.DataFrame(columns=["game_id", "market", "outcome", "point", "fair_prob"])
    p = predictions["p_home_win"].to_numpy(dtype=float)
    ids = predictions["game_id"].to_numpy(dtype=np.int64)
    return pd.DataFrame(
        {
            "game_id": np.concatenate([ids, ids]),
            "market": "h2h",
            "outcome": ["home"] * len(ids) + ["away"] * len(ids),
            "point": 0.0,
            "fair_prob": np.concatenate([p, 1.0 - p]),
        }
    )


def _metric_row(
    algorithm: str, market: str, forecasts: pd.DataFrame, bets: pd.DataFrame | None
) -> dict[str, object]:
    profit = bets["profit_units"] if bets is not None else ()
    clv = bets["clv"] if bets is not None else ()
    m = summarize(forecasts["fair_prob"], forecasts["y"], profit, clv)
    return {
        "algorithm": algorithm,
        "market": market,
        "games": int(forecasts["game_id"].nunique()),
        "n": m.n,
        "brier": m.brier,
        "log_loss": m.log_loss,
        "ece": m.ece,
        "bets": None if bets is None else len(bets),
        "roi": m.roi,
        "mean_clv": m.mean_clv,
    }


def evaluate(data: SeasonData, run: Replay, config: BacktestConfig) -> BacktestResult:
    """Grade the replay's scores and summarise every (algorithm, market)."""
    closing = closing_board(data.odds, data.games) if not data.odds.empty else data.odds
    reference = pd.DataFrame(columns=["game_id", "market", "outcome", "point", "fair_prob"])
    close_consensus = reference
    if not closing.empty:
        close_consensus = market_consensus(closing, config.consensus).consensus
        reference = market_consensus(
            closing, ConsensusConfig(method=config.reference_method)
        ).consensus
    grades = pd.DataFrame()
    if not run.scores.empty:
        grades = grade_value_scores(run.scores, data.results, close_consensus, data.known_at)
    rows = []
    for market in MARKETS:
        ref = reference[reference["market"].astype(str) == market]
        ref = _settled_forecasts(
            ref[["game_id", "market", "outcome", "point", "fair_prob"]], data.results
        )
        if len(ref):
            rows.append(_metric_row(REFERENCE, market, ref, None))
        for algorithm in ALGORITHMS[1:]:
            mine = _mine(grades, algorithm, market)
            if algorithm == "model_edge" and market == "h2h":
                forecasts = _settled_forecasts(
                    model_moneyline_forecasts(run.predictions), data.results
                )
            else:
                forecasts = forecast_rows(mine) if len(mine) else mine.assign(y=0.0)
            if len(forecasts) or len(mine):
                rows.append(_metric_row(algorithm, market, forecasts, bet_rows(mine)))
    metrics = pd.DataFrame(rows, columns=list(METRIC_COLUMNS))
    metrics["bets"] = metrics["bets"].astype("Int64")  # null for the reference row
    books = tuple(sorted(data.odds["book_key"].unique())) if not data.odds.empty else ()
    return BacktestResult(
        season=data.season,
        mode=run.mode,
        games=len(data.games),
        slates=len(run.instants),
        books=books,
        metrics=metrics,
        grades=grades,
    )


def _mine(grades: pd.DataFrame, algorithm: str, market: str) -> pd.DataFrame:
    if grades.empty:
        return pd.DataFrame(columns=["game_id", "fair_prob", "price_decimal", "result",
                                     "profit_units", "clv"])  # fmt: skip
    return grades[(grades["algorithm"] == algorithm) & (grades["market"].astype(str) == market)]


def _fmt(value: object, spec: str) -> str:
    if value is None or pd.isna(value):
        return "-"
    return format(float(value), spec)


def format_table(result: BacktestResult, config: BacktestConfig) -> list[str]:
    """The printed report: a header saying what was scored when, then the table."""
    when = {
        "open": "12:00 ET on each slate: opening lines (posted 10:00 ET the day before), "
        "results of earlier slates",
        "close": "30 min before each slate's first tip-off: closing lines, results of "
        "earlier slates",
    }[result.mode]
    lines = [
        f"backtest {season_label(result.season)}: {result.games} games on {result.slates} "
        f"slates, books: {', '.join(result.books) or 'none'}",
        f"scoring instant: {when}",
        f"  {'algorithm':<18}{'market':<9}{'games':>6}{'brier':>9}{'log_loss':>10}"
        f"{'ece':>8}{'bets':>7}{'roi':>9}{'mean_clv':>10}",
    ]
    for row in result.metrics.itertuples(index=False):
        name = f"{row.algorithm}*" if row.algorithm == REFERENCE else row.algorithm
        lines.append(
            f"  {name:<18}{row.market:<9}{row.games:>6}{_fmt(row.brier, '.4f'):>9}"
            f"{_fmt(row.log_loss, '.4f'):>10}{_fmt(row.ece, '.4f'):>8}"
            f"{'-' if pd.isna(row.bets) else int(row.bets):>7}"
            f"{_fmt(row.roi, '+.2%'):>9}{_fmt(row.mean_clv, '+.2%'):>10}"
        )
    lines.append(
        f"  * reference, not an algorithm: each game's closing line, "
        f"{config.reference_method} devig"
    )
    lines.append(
        "  roi: flat 1-unit positive-EV bets at the scoring instant's prices; mean_clv: "
        f"those bets against the {config.consensus.method}-devigged close"
    )
    return lines
