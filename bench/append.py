"""Append throughput: the idempotent append API against plain COPY and DataFrame.to_sql.

    .venv/bin/python bench/append.py            # embedded server, or NBA_DATABASE_URL
    .venv/bin/python bench/append.py --rows 200000 --repeats 5

Each contender writes the same synthetic odds rows (15 games x 12 books x 3 markets x
2 outcomes x 96 snapshots a day) into a fresh table with the same monthly range partitions,
columns, constraints, indexes and foreign key as nba.odds_snapshots, in a scratch database
that is dropped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid

import numpy as np
import pandas as pd
import psycopg
import scratch  # bench/scratch.py, beside this script
from sqlalchemy import create_engine, text

from nba_assets.warehouse import migrate
from nba_assets.warehouse.append import append_idempotent, csv_bytes
from nba_assets.warehouse.engine import engine_for

MARKETS = (("h2h", ("home", "away")), ("spreads", ("home", "away")), ("totals", ("over", "under")))


def synthetic_odds(snapshots: int, start: pd.Timestamp, games: int = 15, books: int = 12):
    times = pd.date_range(start, periods=snapshots, freq="15min")
    parts = []
    rng = np.random.default_rng(1)
    for market, outcomes in MARKETS:
        for outcome in outcomes:
            grid = pd.MultiIndex.from_product(
                [times, range(games), range(1, books + 1)],
                names=["snapshot_time", "g", "book_id"],
            ).to_frame(index=False)
            grid["game_id"] = 2023110100 + grid.pop("g") + 1
            grid["market"] = market
            grid["outcome"] = outcome
            grid["point"] = {"h2h": 0.0, "spreads": -3.5, "totals": 224.5}[market]
            parts.append(grid)
    frame = pd.concat(parts, ignore_index=True)
    frame["price_decimal"] = np.round(rng.uniform(1.6, 2.4, len(frame)), 3)
    frame["price_american"] = np.where(
        frame.price_decimal >= 2,
        np.round((frame.price_decimal - 1) * 100),
        np.round(-100 / (frame.price_decimal - 1)),
    ).astype(int)
    frame["price_format"] = "decimal"
    return frame


def _clone_table(conn, name: str, months: list[pd.Period], *, text_labels: bool = False) -> None:
    """A table identical to nba.odds_snapshots: range-partitioned by month of snapshot time
    (the partitions ``months`` need), with its columns, CHECKs, unique index and book FK.

    ``text_labels`` swaps the enum columns for text (to_sql cannot write enums), which
    drops the CHECKs that compare them.
    """
    conn.execute(f"DROP TABLE IF EXISTS bench.{name}")
    like = "INCLUDING DEFAULTS" if text_labels else "INCLUDING ALL"
    conn.execute(
        f"CREATE TABLE bench.{name} (LIKE nba.odds_snapshots {like})"
        " PARTITION BY RANGE (snapshot_time)"
    )
    if text_labels:
        conn.execute(
            f"ALTER TABLE bench.{name} ALTER market TYPE text, ALTER outcome TYPE text,"
            " ALTER price_format TYPE text, ALTER run_id TYPE text"
        )
        conn.execute(
            f"CREATE UNIQUE INDEX ON bench.{name}"
            " (game_id, book_id, market, outcome, snapshot_time, point)"
        )
    for month in months:
        conn.execute(
            f"CREATE TABLE bench.{name}_{month.strftime('%Y_%m')} PARTITION OF bench.{name}"
            f" FOR VALUES FROM ('{month.start_time.date()}') TO ('{month.end_time.date()}'::date"
            " + 1)"
        )
    conn.execute(
        f"ALTER TABLE bench.{name} ADD FOREIGN KEY (book_id) REFERENCES nba.books (book_id)"
    )


def _months(frame: pd.DataFrame) -> list[pd.Period]:
    return list(
        frame["snapshot_time"].dt.tz_convert("UTC").dt.tz_localize(None).dt.to_period("M").unique()
    )


def plain_copy(url: str, frame: pd.DataFrame, run_id: str) -> float:
    frame = frame.assign(run_id=run_id, source="bench")
    with psycopg.connect(url) as conn:
        _clone_table(conn, "plain_copy", _months(frame))
        conn.commit()
        started = time.perf_counter()
        cols = ", ".join(frame.columns)
        conn.execute("SET TimeZone = 'UTC'")  # csv_bytes writes naive UTC timestamps
        with conn.cursor().copy(f"COPY bench.plain_copy ({cols}) FROM STDIN (FORMAT csv)") as cp:
            cp.write(csv_bytes(frame))  # the append API's serialiser: compare database work
        conn.commit()
        return time.perf_counter() - started


def to_sql(url: str, frame: pd.DataFrame, run_id: str, method: str | None) -> float:
    frame = frame.assign(run_id=run_id, source="bench")
    name = f"to_sql_{method or 'default'}"
    with psycopg.connect(url) as conn:
        _clone_table(conn, name, _months(frame), text_labels=True)
        conn.commit()
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    started = time.perf_counter()
    # PostgreSQL takes at most 65,535 bind parameters per statement: 11 columns x 5,000.
    frame.to_sql(
        name,
        engine,
        schema="bench",
        if_exists="append",
        index=False,
        method=method,
        chunksize=5_000,
    )
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def _scratch_warehouse(base: str) -> tuple[str, object]:
    url = scratch.create(base)
    engine = engine_for(url)
    migrate.upgrade(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA bench"))
        for book in range(4, 13):
            conn.execute(
                text("INSERT INTO nba.books (book_key, title) VALUES (:k, :k)"),
                {"k": f"book{book}"},
            )
    return url, engine


def _timed_append(engine, frame: pd.DataFrame, run_id: str, expect: int) -> float:
    started = time.perf_counter()
    result = append_idempotent(engine, "odds_snapshots", frame, run_id=run_id, source="bench")
    elapsed = time.perf_counter() - started
    assert result.inserted == expect, (result.inserted, expect)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="rounds of COPY and append, each in a fresh database, in alternating order",
    )
    parser.add_argument(
        "--to-sql-rows",
        type=int,
        default=100_000,
        help="to_sql is slow; time it on this many rows and report rows/s",
    )
    args = parser.parse_args()
    snapshots = max(1, round(args.rows / (15 * 12 * 6)))
    frame = synthetic_odds(snapshots, pd.Timestamp("2023-11-01", tz="UTC"))
    n = len(frame)
    run_id = str(uuid.uuid4())
    timings: dict[str, list[float]] = {}

    base = scratch.server_url()
    for round_ in range(args.repeats):
        # A fresh database per round, and the order flipped each round, so neither
        # contender always meets the warmer cache or the other's leftover writes.
        url, engine = _scratch_warehouse(base)
        try:
            order = ["plain COPY (same indexes)", "append_idempotent (new rows)"]
            for name in order if round_ % 2 == 0 else order[::-1]:
                seconds = (
                    plain_copy(url, frame, run_id)
                    if name.startswith("plain")
                    else _timed_append(engine, frame, run_id, n)
                )
                timings.setdefault(name, []).append(seconds)
            timings.setdefault("append_idempotent (all duplicates)", []).append(
                _timed_append(engine, frame, run_id, 0)
            )
            engine.dispose()
        finally:
            engine_for.cache_clear()
            scratch.drop(base, url)

    url, engine = _scratch_warehouse(base)
    try:
        small = frame.iloc[: args.to_sql_rows]
        for method in (None, "multi"):
            name = f"DataFrame.to_sql ({method or 'default'})"
            timings[name] = [to_sql(url, small, run_id, method) * n / len(small)]
        one_tick = synthetic_odds(50, pd.Timestamp("2023-12-01", tz="UTC"))
        latencies = []
        for _, snapshot in one_tick.groupby("snapshot_time"):
            started = time.perf_counter()
            append_idempotent(engine, "odds_snapshots", snapshot, run_id=run_id, source="bench")
            latencies.append((time.perf_counter() - started) * 1000)
        engine.dispose()
    finally:
        engine_for.cache_clear()
        scratch.drop(base, url)

    copy_seconds = statistics.median(timings["plain COPY (same indexes)"])
    print(f"rows: {n:,} ({snapshots} snapshots), {args.repeats} rounds, medians shown")
    print(f"to_sql timed on {len(small):,} rows and scaled")
    print(f"{'contender':<38}{'rows/s':>12}{'vs COPY':>10}  rounds (rows/s)")
    for name, seconds in timings.items():
        median = statistics.median(seconds)
        rounds = " ".join(f"{n / s:,.0f}" for s in seconds)
        print(f"{name:<38}{n / median:>12,.0f}{copy_seconds / median:>10.2f}  {rounds}")
    print(
        f"one 15-minute snapshot ({len(snapshot):,} rows): median "
        f"{statistics.median(latencies):.1f} ms, p95 "
        f"{statistics.quantiles(latencies, n=20)[-1]:.1f} ms over {len(latencies)}"
    )


if __name__ == "__main__":
    main()
