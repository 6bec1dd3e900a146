"""market_consensus: hand-built boards, sharp weighting, one-sided quotes, and a reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nba_assets.analytics.market_consensus import ConsensusConfig, market_consensus
from nba_assets.core.devig import devig
from nba_assets_tests.analytics.builders import board, random_board

G = 2024011002
TIERS = {1: "sharp", 2: "retail", 3: "retail", 4: "retail"}


def additive_home(home: float, away: float) -> float:
    """Two-way Shin equals additive: remove half the overround from each side."""
    q1, q2 = 1 / home, 1 / away
    return q1 - (q1 + q2 - 1) / 2


def three_books() -> pd.DataFrame:
    return board(
        [
            (G, 1, "h2h", "home", 0, 1.95),
            (G, 1, "h2h", "away", 0, 1.95),
            (G, 2, "h2h", "home", 0, 1.80),
            (G, 2, "h2h", "away", 0, 2.00),
            (G, 3, "h2h", "home", 0, 1.70),
            (G, 3, "h2h", "away", 0, 2.10),
        ],
        TIERS,
    )


def home_row(consensus: pd.DataFrame, market: str = "h2h", point: float = 0.0) -> pd.Series:
    rows = consensus[
        (consensus["market"] == market)
        & (consensus["outcome"].isin(["home", "over"]))
        & (consensus["point"] == point)
    ]
    assert len(rows) == 1
    return rows.iloc[0]


def test_hand_built_board_by_hand() -> None:
    # Shin (= additive for two outcomes) fair home probabilities, by hand:
    # book 1: 1/1.95 each side -> 0.5; book 2: q = (0.5556, 0.5), overround 1.0556 ->
    # 0.5556 - 0.0278 = 0.52778; book 3: q = (0.58824, 0.47619) -> 0.55602.
    fair = {1: 0.5, 2: additive_home(1.80, 2.00), 3: additive_home(1.70, 2.10)}
    assert fair[2] == pytest.approx(0.527778, abs=1e-6)
    assert fair[3] == pytest.approx(0.556022, abs=1e-6)
    assert fair[2] == pytest.approx(devig([1.80, 2.00], "shin").probabilities[0])

    # Equal weights: the plain median is book 2.
    equal = market_consensus(three_books(), ConsensusConfig(sharp_weight=1.0)).consensus
    assert home_row(equal)["fair_prob"] == pytest.approx(fair[2])
    # Sharp 3 vs 1 + 1: the sharp book alone holds more than half the weight.
    sharp = market_consensus(three_books()).consensus
    row = home_row(sharp)
    assert row["fair_prob"] == pytest.approx(fair[1])
    assert row["n_books"] == 3 and row["n_sharp"] == 1 and row["total_weight"] == 5.0
    away = sharp[(sharp["market"] == "h2h") & (sharp["outcome"] == "away")]["fair_prob"]
    assert away.iloc[0] == pytest.approx(1 - fair[1])
    mean = (3 * fair[1] + fair[2] + fair[3]) / 5
    sd = np.sqrt((3 * (fair[1] - mean) ** 2 + (fair[2] - mean) ** 2 + (fair[3] - mean) ** 2) / 5)
    assert row["dispersion"] == pytest.approx(sd)


def test_sharp_weight_moves_consensus_toward_sharp_book() -> None:
    frame = three_books()
    values = [
        home_row(market_consensus(frame, ConsensusConfig(sharp_weight=w)).consensus)["fair_prob"]
        for w in (1.0, 2.0, 3.0)
    ]
    # Sharp book says 0.5, the retail books say more: weight pulls the consensus down to it.
    assert values[0] > 0.5
    assert values[0] >= values[1] >= values[2] == pytest.approx(0.5)


def test_exact_half_weight_averages_the_middle_books() -> None:
    two = board(
        [
            (G, 2, "h2h", "home", 0, 1.80),
            (G, 2, "h2h", "away", 0, 2.00),
            (G, 3, "h2h", "home", 0, 1.70),
            (G, 3, "h2h", "away", 0, 2.10),
        ],
        TIERS,
    )
    row = home_row(market_consensus(two).consensus)
    expected = (additive_home(1.80, 2.00) + additive_home(1.70, 2.10)) / 2
    assert row["fair_prob"] == pytest.approx(expected)


def test_spreads_pair_home_at_p_with_away_at_minus_p_and_one_sided_are_reported() -> None:
    frame = board(
        [
            (G, 1, "spreads", "home", -3.5, 1.91),
            (G, 1, "spreads", "away", 3.5, 1.91),
            (G, 2, "spreads", "home", -3.5, 1.87),
            (G, 2, "spreads", "away", 3.5, 1.95),
            # book 3 quotes the away side at a line nobody pairs it with
            (G, 3, "spreads", "home", -3.5, 1.80),
            (G, 3, "spreads", "away", 4.5, 1.80),
            # book 4: only an over
            (G, 4, "totals", "over", 221.5, 1.90),
            (G, 1, "totals", "over", 221.5, 1.95),
            (G, 1, "totals", "under", 221.5, 1.87),
        ],
        TIERS,
    )
    result = market_consensus(frame)
    cons = result.consensus
    spread = home_row(cons, "spreads", -3.5)
    assert spread["n_books"] == 2
    assert set(cons[cons["market"] == "spreads"]["point"]) == {-3.5, 3.5}
    assert home_row(cons, "totals", 221.5)["n_books"] == 1
    lonely = result.unpaired[["book_id", "market", "outcome", "point"]].values.tolist()
    assert sorted(lonely) == sorted(
        [[3, "spreads", "home", -3.5], [3, "spreads", "away", 4.5], [4, "totals", "over", 221.5]]
    )
    assert set(result.unpaired["reason"]) == {"one_sided"}
    # A one-sided price is still scorable against the other books' consensus.
    fair, _, _ = result.row_lookup()
    book4 = frame.index[frame["book_id"] == 4][0]
    assert fair[book4] == pytest.approx(home_row(cons, "totals", 221.5)["fair_prob"])


def test_duplicate_key_in_a_group_is_an_error() -> None:
    frame = pd.concat([three_books(), three_books().iloc[:1]], ignore_index=True)
    with pytest.raises(ValueError, match="more than once"):
        market_consensus(frame)


def test_bad_markets_and_prices_raise() -> None:
    frame = three_books()
    with pytest.raises(ValueError, match="market"):
        market_consensus(frame.assign(market="props"))
    with pytest.raises(ValueError, match="over/under"):
        market_consensus(frame.assign(outcome="over"))
    with pytest.raises(ValueError, match="price_decimal"):
        market_consensus(frame.assign(price_decimal=1.0))
    with pytest.raises(ValueError, match="devig method"):
        ConsensusConfig(method="median")


def reference(frame: pd.DataFrame, cfg: ConsensusConfig) -> dict[tuple, tuple[float, int]]:
    """A slow, obviously-correct consensus: loops over groups and books."""
    frame = frame.copy()
    first = frame["outcome"].isin(["home", "over"])
    frame["line"] = np.where(
        (frame["market"] == "spreads") & ~first, -frame["point"], frame["point"]
    )
    keys = ["game_id", "market", "line"] + (["snapshot_time"] if cfg.per_snapshot else [])
    out = {}
    for key, grp in frame.groupby(keys):
        probs, weights = [], []
        for _book, quotes in grp.groupby("book_id"):
            a = quotes[quotes["outcome"].isin(["home", "over"])]
            b = quotes[quotes["outcome"].isin(["away", "under"])]
            if len(a) == 1 and len(b) == 1:
                fair = devig([a["price_decimal"].iloc[0], b["price_decimal"].iloc[0]], cfg.method)
                probs.append(fair.probabilities[0])
                tier = quotes["tier"].iloc[0]
                weights.append(cfg.sharp_weight if tier == "sharp" else cfg.retail_weight)
        if not probs:
            continue
        order = np.argsort(probs, kind="stable")
        p, w = np.array(probs)[order], np.array(weights)[order]
        cw, half = np.cumsum(w), w.sum() / 2
        i = int(np.argmax(cw >= half - 1e-9 * w.sum()))
        value = (p[i] + p[i + 1]) / 2 if abs(cw[i] - half) <= 1e-9 * w.sum() else p[i]
        out[key] = (value, len(probs))
    return out


def compare(frame: pd.DataFrame, cfg: ConsensusConfig) -> None:
    got = market_consensus(frame, cfg).consensus
    got = got[got["outcome"].isin(["home", "over"])]
    keys = ["game_id", "market", "point"] + (["snapshot_time"] if cfg.per_snapshot else [])
    mine = {
        tuple(k): (p, n)
        for *k, p, n in got[[*keys, "fair_prob", "n_books"]].astype({"market": str}).values
    }
    expected = reference(frame, cfg)
    assert mine.keys() == expected.keys()
    for key, (p, n) in expected.items():
        assert mine[key][1] == n, key
        assert mine[key][0] == pytest.approx(p, abs=1e-12), key


@pytest.mark.parametrize(
    "cfg",
    [
        ConsensusConfig(),
        ConsensusConfig(method="multiplicative", sharp_weight=2.0),
        ConsensusConfig(method="power", max_cells=8),
        ConsensusConfig(per_snapshot=True, max_cells=5),
    ],
    ids=["default", "multiplicative", "chunked", "per-snapshot"],
)
def test_matches_reference_on_messy_boards(cfg: ConsensusConfig) -> None:
    rng = np.random.default_rng(7)
    frame = random_board(rng, 6, 5, snapshots=3 if cfg.per_snapshot else 1)
    compare(frame.sample(frac=1.0, random_state=1).reset_index(drop=True), cfg)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), books=st.integers(1, 6), categorical=st.booleans())
def test_matches_reference_property(seed: int, books: int, categorical: bool) -> None:
    frame = random_board(np.random.default_rng(seed), 3, books, one_sided_share=0.2)
    if frame.empty:
        return
    if categorical:
        frame = frame.astype({"market": "category", "outcome": "category", "tier": "category"})
    compare(frame, ConsensusConfig())


def test_empty_board() -> None:
    result = market_consensus(three_books().iloc[0:0])
    assert result.consensus.empty and result.unpaired.empty
    assert result.row_lookup()[0].size == 0
