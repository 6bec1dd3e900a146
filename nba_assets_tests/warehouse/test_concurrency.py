"""Two processes appending overlapping rows at once leave exactly one copy of each."""

from __future__ import annotations

import multiprocessing as mp
import uuid

import pandas as pd
from sqlalchemy import text

from nba_assets_tests.warehouse.samples import GAME, T0


def _frame(offset: int) -> pd.DataFrame:
    times = pd.date_range(T0, periods=300, freq="15min")[offset : offset + 200]
    return pd.DataFrame(
        [
            {
                "snapshot_time": t,
                "game_id": GAME,
                "book_id": book,
                "market": "totals",
                "outcome": outcome,
                "point": 224.5,
                "price_decimal": 1.9,
                "price_american": -111,
                "price_format": "decimal",
            }
            for t in times
            for book in (1, 2, 3)
            for outcome in ("over", "under")
        ]
    )


def _writer(url: str, table: str, offset: int, barrier, results) -> None:
    from nba_assets.warehouse.append import append_idempotent
    from nba_assets.warehouse.engine import engine_for
    from nba_assets_tests.warehouse.samples import sample_rows

    engine = engine_for(url)
    frame = _frame(offset) if table == "odds_snapshots" else sample_rows(1)[table]
    barrier.wait()
    for _ in range(3):
        result = append_idempotent(engine, table, frame, run_id=uuid.uuid4(), source="race")
        results.put(result.inserted)


def _race(url: str, table: str, offsets: tuple[int, int]) -> list[int]:
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(url, table, o, barrier, results)) for o in offsets]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    return [results.get() for _ in range(6)]


def test_concurrent_overlapping_appends_keep_one_copy(fresh_url, fresh_engine) -> None:
    inserted = _race(fresh_url, "odds_snapshots", (0, 100))
    with fresh_engine.connect() as conn:
        total, distinct = conn.execute(
            text(
                "SELECT count(*), count(DISTINCT (book_id, outcome, snapshot_time))"
                " FROM nba.odds_snapshots"
            )
        ).one()
    assert total == distinct == 300 * 3 * 2
    assert sum(inserted) == total


def test_concurrent_versioned_appends_agree_on_one_version(fresh_url, fresh_engine) -> None:
    inserted = _race(fresh_url, "games", (0, 0))
    with fresh_engine.connect() as conn:
        versions = conn.execute(text("SELECT version FROM nba.games")).scalars().all()
    assert versions == [1]
    assert sum(inserted) == 1
