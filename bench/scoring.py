"""Scoring throughput: market_consensus (devig + consensus) and value scoring on a season.

    .venv/bin/python bench/scoring.py            # 10 million synthetic odds rows
    .venv/bin/python bench/scoring.py 18.7e6     # a full season of 15-minute snapshots

Rows are synthetic but shaped like the warehouse's: 10 books x 3 two-way markets per game
snapshot, categorical labels as the warehouse reads them. A "board" has one latest price
per key (scoring one instant); "per snapshot" computes a consensus for every snapshot of a
season at once (what a season backtest does).
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from nba_assets.analytics.distributions import norm_cdf
from nba_assets.analytics.market_consensus import ConsensusConfig, market_consensus
from nba_assets.analytics.value import score_market_consensus, score_model_edge


def synthetic(n_rows: int, per_snapshot: bool, seed: int = 0, shuffle: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_books = 10
    # a game snapshot = all books x (h2h 2 + spreads 2 + totals 2) = 60 rows
    n_gs = n_rows // (n_books * 6)
    n_games = 1230
    game_ids = 2023102400 + np.arange(n_games) * 100 % 10**6 + rng.integers(1, 31, n_games)
    game_ids = np.unique(game_ids)
    gs_game = rng.integers(0, len(game_ids), n_gs)
    if per_snapshot:
        t0 = pd.Timestamp("2023-10-24T12:00Z").value // 10**9
        gs_snap = t0 + rng.integers(0, 250 * 96, n_gs) * 900
    else:  # a board: one latest price per key, so every game snapshot is its own game
        gs_snap = np.zeros(n_gs, dtype=np.int64)
        game_ids = 2_000_000_000 + np.arange(n_gs) * 7
        gs_game = np.arange(n_gs)
    spread = np.round(rng.normal(0, 6, n_gs) * 2) / 2
    total = np.round(rng.normal(226, 8, n_gs) * 2) / 2
    gs = np.repeat(np.arange(n_gs), n_books * 6)
    book = np.tile(np.repeat(np.arange(1, n_books + 1), 6), n_gs)
    mk = np.tile(np.array([0, 0, 1, 1, 2, 2]), n_gs * n_books)
    oc = np.tile(np.array([0, 1, 0, 1, 2, 3]), n_gs * n_books)
    point = np.where(
        mk == 0, 0.0, np.where(mk == 1, np.where(oc == 0, spread[gs], -spread[gs]), total[gs])
    )
    p = np.clip(rng.normal(0.5, 0.1, gs.size), 0.05, 0.95)
    p = np.where(oc % 2 == 1, 1 - np.roll(p, 1), p)
    price = 1.0 / (p * 1.045)
    frame = pd.DataFrame(
        {
            "game_id": game_ids[gs_game][gs],
            "book_id": book.astype(np.int16),
            "market": pd.Categorical.from_codes(mk, ["h2h", "spreads", "totals"]),
            "outcome": pd.Categorical.from_codes(oc, ["home", "away", "over", "under"]),
            "point": point,
            "price_decimal": np.maximum(price, 1.01),
            "snapshot_time": pd.to_datetime(gs_snap[gs], unit="s", utc=True),
            "tier": pd.Categorical.from_codes(
                (book == 1).astype(int) * 0 + (book != 1), ["sharp", "retail"]
            ),
        }
    )
    if per_snapshot:
        frame = frame.drop_duplicates(
            ["game_id", "book_id", "market", "outcome", "point", "snapshot_time"]
        )
    if shuffle:
        frame = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    return frame


def main() -> None:
    n = int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000_000
    for per_snapshot in (False, True):
        for shuffle in (False, True):
            board = synthetic(n, per_snapshot, shuffle=shuffle)
            cfg = ConsensusConfig(per_snapshot=per_snapshot)
            best = 1e9
            for _ in range(3):
                t = time.perf_counter()
                res = market_consensus(board, cfg)
                best = min(best, time.perf_counter() - t)
            print(
                f"per_snapshot={per_snapshot} shuffled={shuffle}: {len(board):,} rows, "
                f"{len(res.consensus):,} consensus rows, {len(res.unpaired)} unpaired, "
                f"best {best:.3f}s = {len(board) / best / 1e6:.1f}M rows/s",
                flush=True,
            )
    board = synthetic(n, per_snapshot=False)
    result = market_consensus(board)
    at = pd.Timestamp("2024-01-01", tz="UTC").to_pydatetime()
    started = time.perf_counter()
    scores = score_market_consensus(board, result, at)
    elapsed = time.perf_counter() - started
    print(
        f"value scoring of the board: {len(scores):,} rows in {elapsed:.2f}s = "
        f"{len(board) / elapsed / 1e6:.1f}M rows/s"
    )
    games = board["game_id"].unique()
    rng = np.random.default_rng(1)
    predictions = pd.DataFrame(
        {
            "game_id": games,
            "model": "model_edge",
            "model_version": "bench",
            "predicted_at": pd.Timestamp(at),
            "pred_margin": rng.normal(2.2, 6.0, games.size),
            "pred_total": rng.normal(226.0, 8.0, games.size),
            "margin_sigma": 12.0,
            "total_sigma": 18.0,
        }
    )
    predictions["p_home_win"] = norm_cdf(predictions["pred_margin"].to_numpy() / 12.0)
    started = time.perf_counter()
    scores = score_model_edge(board, predictions, at)
    elapsed = time.perf_counter() - started
    print(
        f"model_edge scoring of the board: {len(scores):,} rows in {elapsed:.2f}s = "
        f"{len(board) / elapsed / 1e6:.1f}M rows/s"
    )


if __name__ == "__main__":
    main()
