"""Backtest scoring: the calibration metrics of each algorithm over a replayed period.

The replay itself (reading inputs as of each instant, running both algorithms, grading) is
the job of the Dagster layer; this is the pure end of it. The metric definitions are the
calibration module's, imported rather than restated, so a backtest and the live
calibration table can never disagree about what "Brier" means.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from nba_assets.analytics.calibration import summarize
from nba_assets.analytics.columns import require_columns

BACKTEST_COLUMNS = ("algorithm", "n", "brier", "log_loss", "ece", "roi", "mean_clv", "bets")


def backtest_metrics(forecasts: pd.DataFrame) -> pd.DataFrame:
    """One row per algorithm: n, brier, log_loss, ece, roi, mean_clv and the number of bets.

    ``forecasts``: algorithm, fair_prob, outcome (1 the forecast side won, 0 it lost; NaN
    for a push or void, left out of the forecast metrics) and, optionally, price_decimal,
    profit_units and clv. When prices are given the bets are the positive-EV rows, staked
    flat; without them every decided row counts as a bet.
    """
    require_columns(forecasts, ("algorithm", "fair_prob", "outcome"), "forecasts")
    rows = []
    for algorithm, part in forecasts.groupby("algorithm", sort=True):
        outcome = part["outcome"].astype(float)
        decided = part[outcome.notna()]
        if "price_decimal" in part.columns:
            ev = part["fair_prob"].astype(float) * part["price_decimal"].astype(float) - 1.0
            bets = part[ev > 0]
        else:
            bets = decided
        if "profit_units" in bets.columns:
            profit = bets["profit_units"].astype(float).to_numpy()
        else:
            profit = np.zeros(0)
        clv = bets["clv"].astype(float).to_numpy() if "clv" in bets.columns else np.zeros(0)
        metrics = summarize(decided["fair_prob"], decided["outcome"].astype(float), profit, clv)
        rows.append(
            {
                "algorithm": algorithm,
                "n": metrics.n,
                "brier": metrics.brier,
                "log_loss": metrics.log_loss,
                "ece": metrics.ece,
                "roi": metrics.roi,
                "mean_clv": metrics.mean_clv,
                "bets": len(bets),
            }
        )
    return pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))
