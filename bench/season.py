"""A whole sandbox regular season through the project's own backfill path.

    .venv/bin/python bench/season.py                    # 2023-24: 2023-10-24 .. 2024-04-14
    .venv/bin/python bench/season.py --days 20          # a shorter stretch, same shape
    .venv/bin/python bench/season.py --interval 10      # denser snapshots (more rows)

Every step is ``dagster asset materialize -m nba_assets.definitions`` on the sandbox feeds,
as a user would run it, each one a single-run backfill over the whole range:

1. **season load**: ``games`` and ``odds_snapshots`` (historical snapshots every 15 minutes
   from 10:00 ET the day before each slate through tip-off, every book, three markets);
   wall time, rows/s, and table and index bytes per row of ``nba.odds_snapshots``;
2. **the rest of the season**: every other asset over the same range, single run;
3. **one run per partition**: every asset, one CLI run per slate, over the first
   ``--per-partition-days`` slates into a fresh database, extrapolated to the season.

The season database (``nba_bench_season``) is kept for ``bench/board_as_of.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import psycopg
import scratch  # bench/scratch.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
SEASON = (date(2023, 10, 24), date(2024, 4, 14))
LOAD = ("games", "odds_snapshots")
REST = (
    "injuries", "player_stats", "game_results", "team_stats", "schedule_context",
    "model_predictions", "value_scores", "grades", "calibration_metrics",
)  # fmt: skip


def _materialize(
    url: str, select: tuple[str, ...] | str, partitions: list[str], config: dict | None
) -> float:
    # The sandbox league whatever keys the shell has, and an ephemeral Dagster instance:
    # the runs are what is timed, not the run storage.
    env = {**os.environ, "NBA_DATABASE_URL": url, "NBA_FEED": "sandbox"}
    env.pop("DAGSTER_HOME", None)
    selection = select if isinstance(select, str) else ",".join(select)
    command = [
        sys.executable, "-m", "dagster", "asset", "materialize", "-m", "nba_assets.definitions",
        "--select", selection, *partitions,
    ]  # fmt: skip
    if config:
        command += ["--config-json", json.dumps(config)]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"materialize failed:\n{done.stderr[-4000:]}")
    return time.perf_counter() - started


def _odds_config(interval: int) -> dict | None:
    if interval == 15:
        return None
    return {"ops": {"odds_snapshots": {"config": {"odds_interval_minutes": interval}}}}


def _storage(url: str) -> tuple[int, int, float, float]:
    with psycopg.connect(url) as conn:
        games = conn.execute("SELECT count(DISTINCT game_id) FROM nba.games").fetchone()[0]
        rows, heap, index = conn.execute(
            """SELECT (SELECT count(*) FROM nba.odds_snapshots),
                      sum(pg_table_size(relid)), sum(pg_indexes_size(relid))
               FROM pg_partition_tree('nba.odds_snapshots'::regclass)"""
        ).fetchone()
    return games, rows, heap / max(rows, 1), index / max(rows, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--start", type=date.fromisoformat, default=SEASON[0])
    parser.add_argument("--days", type=int, default=(SEASON[1] - SEASON[0]).days + 1)
    parser.add_argument("--per-partition-days", type=int, default=10)
    parser.add_argument("--interval", type=int, default=15, help="minutes between snapshots")
    parser.add_argument(
        "--skip", choices=("load", "rest", "per-partition"), action="append", default=[]
    )
    args = parser.parse_args()
    end = args.start + timedelta(days=args.days - 1)
    base = scratch.server_url()
    span = ["--partition-range", f"{args.start}...{end}"]
    config = _odds_config(args.interval)
    print(f"sandbox slates {args.start}..{end} ({args.days} days)", flush=True)

    season_url = scratch.on_database(base, "nba_bench_season")
    if "load" not in args.skip:
        season_url = scratch.create(base, "nba_bench_season")
        load = _materialize(season_url, LOAD, span, config)
        games, rows, heap, index = _storage(season_url)
        print(
            f"1. season load (games, odds_snapshots), one run: {load:8.1f} s; {games:,} games, "
            f"{rows:,} odds rows, {rows / load:,.0f} rows/s; bytes per row: table {heap:.0f}, "
            f"indexes {index:.0f}, all in {heap + index:.0f}",
            flush=True,
        )
    else:
        load = 0.0
    if "rest" not in args.skip:
        rest = _materialize(season_url, REST, span, None)
        print(f"2. every other asset, one run:        {rest:8.1f} s", flush=True)
        print(f"   whole season, every asset:         {load + rest:8.1f} s", flush=True)
    if "per-partition" not in args.skip:
        each_url = scratch.create(base, "nba_bench_per_partition")
        n = args.per_partition_days
        per = [
            _materialize(
                each_url, "*", ["--partition", str(args.start + timedelta(days=i))], config
            )
            for i in range(n)
        ]
        slice_total = sum(per)
        print(
            f"3. one run per partition, every asset: {slice_total:8.1f} s for {n} slates "
            f"(median run {sorted(per)[n // 2]:.1f} s); extrapolated to {args.days} slates: "
            f"{slice_total * args.days / n:8.1f} s",
            flush=True,
        )
        scratch.drop(base, each_url)


if __name__ == "__main__":
    main()
