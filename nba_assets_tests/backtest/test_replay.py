"""The replay reads nothing later than each slate's scoring instant (no database needed)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
import pytest

from nba_assets.analytics.model_edge import DEFAULT_MODEL
from nba_assets.backtest.replay import (
    BacktestConfig,
    neutral_site_adjustment,
    replay,
    resolve_mode,
    scoring_instant,
    slate_ratings,
    total_sigma_at,
)
from nba_assets.backtest.report import evaluate
from nba_assets_tests.backtest.synthetic import season_data

OPEN = BacktestConfig(at="open")


@pytest.fixture(scope="module")
def data():
    return season_data()


@pytest.fixture(scope="module")
def baseline(data):
    return replay(data, OPEN)


def _slate(game_ids: pd.Series) -> np.ndarray:
    return (game_ids.to_numpy(dtype=np.int64) // 100).astype(int)


def _ymd(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def test_scoring_instants_and_modes(data) -> None:
    day = date(2018, 10, 20)
    tips = pd.Series([pd.Timestamp("2018-10-20 23:30", tz="UTC")])
    assert scoring_instant(day, tips, "open") == datetime(2018, 10, 20, 16, 0, tzinfo=UTC)
    assert scoring_instant(day, tips, "close") == datetime(2018, 10, 20, 23, 0, tzinfo=UTC)
    assert resolve_mode(data, "auto") == "open"  # the SBR layout has opening lines
    closes_only = data.odds[
        data.odds["snapshot_time"] == data.odds.groupby("game_id")["snapshot_time"].transform("max")
    ]
    assert resolve_mode(dataclasses.replace(data, odds=closes_only), "auto") == "close"


def test_open_mode_prices_only_the_open(data, baseline) -> None:
    scores = baseline.scores
    assert len(scores) and set(scores["market"].astype(str)) == {"spreads", "totals"}
    at = scores["game_id"].map(
        {
            g: baseline.instants[d]
            for g, d in zip(data.games["game_id"], data.games["slate_date"], strict=True)
        }
    )
    assert (pd.to_datetime(scores["snapshot_time"], utc=True) <= pd.to_datetime(at, utc=True)).all()
    assert (pd.to_datetime(scores["snapshot_time"], utc=True).dt.hour == 14).all()  # 10:00 EDT


def test_later_results_change_nothing_before_them(data, baseline) -> None:
    """Rewriting every score from the 12th slate on leaves slates 1-12 exactly as they were."""
    cut = sorted(baseline.instants)[11]
    late = _slate(data.results["game_id"]) >= _ymd(cut)
    flipped = data.results.copy()
    flipped.loc[late, ["home_score", "away_score"]] = flipped.loc[
        late, ["away_score", "home_score"]
    ].to_numpy()
    again = replay(dataclasses.replace(data, results=flipped), OPEN)
    early = _slate(baseline.predictions["game_id"]) <= _ymd(cut)
    before = baseline.predictions[early].reset_index(drop=True)
    after = again.predictions[_slate(again.predictions["game_id"]) <= _ymd(cut)]
    pd.testing.assert_frame_equal(before, after.reset_index(drop=True))
    early_scores = _slate(baseline.scores["game_id"]) <= _ymd(cut)
    pd.testing.assert_frame_equal(
        baseline.scores[early_scores].reset_index(drop=True),
        again.scores[_slate(again.scores["game_id"]) <= _ymd(cut)].reset_index(drop=True),
    )
    # ...and the test can fail: the slates after the cut did see the rewritten scores.
    later = baseline.predictions[~early]["pred_margin"].to_numpy()
    later_again = again.predictions[~early]["pred_margin"].to_numpy()
    assert not np.allclose(later, later_again)


def test_closing_prices_are_not_seen_at_the_open(data, baseline) -> None:
    odds = data.odds.copy()
    close = odds["snapshot_time"] == odds.groupby("game_id")["snapshot_time"].transform("max")
    odds.loc[close & (odds["market"] == "spreads"), "point"] += 5.0
    again = replay(dataclasses.replace(data, odds=odds), OPEN)
    pd.testing.assert_frame_equal(baseline.scores, again.scores)
    first = evaluate(data, baseline, OPEN).metrics.set_index(["algorithm", "market"])
    moved = evaluate(dataclasses.replace(data, odds=odds), again, OPEN).metrics
    moved = moved.set_index(["algorithm", "market"])
    # The close itself (reference row, CLV) does move.
    assert first.loc[("model_edge", "spreads"), "mean_clv"] != pytest.approx(
        moved.loc[("model_edge", "spreads"), "mean_clv"]
    )


def test_a_result_known_late_is_left_out_of_the_next_slate(data, baseline) -> None:
    days = sorted(baseline.instants)
    first_games = data.games.loc[data.games["slate_date"] == days[0], "game_id"]
    late = data.results.copy()
    on_first = late["game_id"].isin(first_games)
    late.loc[on_first, "completed_at"] = pd.Timestamp(baseline.instants[days[1]]) + pd.Timedelta(
        hours=1
    )
    ratings = slate_ratings(data.games, late, baseline.instants)
    without = slate_ratings(data.games, data.results[~on_first], baseline.instants)
    with_all = slate_ratings(data.games, data.results, baseline.instants)

    def day(frame: pd.DataFrame, d: date) -> pd.DataFrame:
        return frame[frame["as_of_date"] == d].reset_index(drop=True)

    cols = ["team_id", "off_rating", "def_rating", "games_played"]
    pd.testing.assert_frame_equal(day(ratings, days[1])[cols], day(without, days[1])[cols])
    pd.testing.assert_frame_equal(day(ratings, days[2])[cols], day(with_all, days[2])[cols])
    assert not day(with_all, days[1])[cols].equals(day(without, days[1])[cols])
    stamps = pd.to_datetime(ratings["inputs_as_of"], utc=True)
    expected = pd.to_datetime(ratings["as_of_date"].map(baseline.instants), utc=True)
    assert (stamps == expected).all()


def test_neutral_site_loses_the_home_edge(data, baseline) -> None:
    games = data.games.head(3).assign(neutral_site=[True, False, False])
    preds = baseline.predictions[baseline.predictions["game_id"].isin(games["game_id"])]
    adjusted = neutral_site_adjustment(preds, games, DEFAULT_MODEL).set_index("game_id")
    original = preds.set_index("game_id")
    neutral = games["game_id"].iloc[0]
    assert adjusted.loc[neutral, "pred_margin"] == pytest.approx(
        original.loc[neutral, "pred_margin"] - DEFAULT_MODEL.home_court
    )
    assert adjusted.loc[neutral, "p_home_win"] < original.loc[neutral, "p_home_win"]
    others = games["game_id"].iloc[1:]
    assert adjusted.loc[others, "pred_margin"].equals(original.loc[others, "pred_margin"])


def test_metrics_table_shape(data, baseline) -> None:
    result = evaluate(data, baseline, OPEN)
    rows = set(zip(result.metrics["algorithm"], result.metrics["market"], strict=True))
    assert ("closing_line", "h2h") in rows and ("model_edge", "h2h") in rows
    assert ("market_consensus", "spreads") in rows and ("model_edge", "totals") in rows
    assert ("market_consensus", "h2h") not in rows  # no moneyline at the open
    ref = result.row("closing_line", "h2h")
    assert ref["games"] == len(data.games) and pd.isna(ref["bets"])
    # The reference is the multiplicative devig of the closing moneyline, by hand:
    h2h = data.odds[data.odds["market"] == "h2h"].pivot(
        index="game_id", columns="outcome", values="price_decimal"
    )
    p_home = (1 / h2h["home"]) / (1 / h2h["home"] + 1 / h2h["away"])
    scores = data.results.set_index("game_id").loc[h2h.index]
    y = (scores["home_score"] > scores["away_score"]).astype(float)
    assert ref["brier"] == pytest.approx(float(np.mean((p_home - y) ** 2)))
    consensus = result.row("market_consensus", "spreads")
    assert consensus["brier"] == pytest.approx(0.25)  # -110/-110 devigs to a coin flip
    assert consensus["bets"] == 0  # one book cannot beat its own devigged price


def test_total_sigma_learns_only_from_results_completed_by_the_instant() -> None:
    at = datetime(2023, 11, 10, 23, tzinfo=UTC)
    predictions = [pd.DataFrame({"game_id": [1, 2, 3], "pred_total": [220.0, 220.0, 220.0]})]
    results = pd.DataFrame(
        {
            "game_id": [1, 2, 3],
            "home_score": [140, 90, 200],
            "away_score": [120, 90, 200],
            "completed_at": pd.to_datetime(
                ["2023-11-09 04:00", "2023-11-10 04:00", "2023-11-11 04:00"], utc=True
            ),
        }
    )
    prior_n, prior = DEFAULT_MODEL.total_sigma_prior_games, DEFAULT_MODEL.total_sigma_default
    # Residuals +40 and -40 count; game 3 (a residual of +180) ends after ``at``.
    expected = np.sqrt((2 * 40.0**2 + prior_n * prior**2) / (2 + prior_n))
    assert total_sigma_at(predictions, results, at) == pytest.approx(expected)
    assert total_sigma_at([], results, at) == pytest.approx(prior)
