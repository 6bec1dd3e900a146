"""The closing fair line is an honest forecast, and sharper than every retail book."""

from __future__ import annotations

import itertools

import numpy as np

from nba_assets_tests.feeds.sandbox.conftest import SeasonTable

SHARP = {"pinnacle", "circasports"}


def _brier(p: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean((p - y) ** 2))


def test_fair_home_win_probability_beats_a_constant(season_table: SeasonTable) -> None:
    y = season_table.home_won
    fair = _brier(season_table.fair_p, y)
    constant = _brier(np.full_like(y, y.mean()), y)
    assert fair < 0.9 * constant
    assert 0.52 <= y.mean() <= 0.62


def test_fair_probabilities_are_calibrated(season_table: SeasonTable) -> None:
    p, y = season_table.fair_p, season_table.home_won
    edges = np.quantile(p, np.linspace(0, 1, 6))
    for lo, hi in itertools.pairwise(edges):
        inside = (p >= lo) & (p <= hi)
        assert abs(y[inside].mean() - p[inside].mean()) < 0.08


def test_margins_and_totals_scatter_like_the_nba(season_table: SeasonTable) -> None:
    residual = season_table.margin - season_table.fair_margin
    assert 11.0 <= residual.std() <= 13.0
    assert abs(residual.mean()) < 1.0
    totals = season_table.total
    assert 215 <= totals.mean() <= 235
    assert 16 <= totals.std() <= 22
    assert abs((totals - season_table.fair_total).mean()) < 1.5


def test_fair_line_scores_better_than_every_retail_book(season_table: SeasonTable) -> None:
    y = season_table.home_won
    sharp, retail = [], []
    for key, by_game in season_table.book_p.items():
        idx = np.fromiter(by_game, dtype=int)
        book = _brier(np.fromiter(by_game.values(), dtype=float), y[idx])
        fair = _brier(season_table.fair_p[idx], y[idx])
        (sharp if key in SHARP else retail).append(book - fair)
        if key not in SHARP:
            assert book > fair, key
    assert max(sharp) < np.mean(retail)


def test_sharp_spreads_sit_closer_to_the_truth(season_table: SeasonTable) -> None:
    errors = {}
    for key, by_game in season_table.book_spread.items():
        idx = np.fromiter(by_game, dtype=int)
        points = np.fromiter(by_game.values(), dtype=float)
        errors[key] = float(np.mean(np.abs(points + season_table.fair_margin[idx])))
    assert max(errors[k] for k in SHARP) < min(v for k, v in errors.items() if k not in SHARP)
