"""Backfill wall time: one single run over a range versus one run per partition.

    .venv/bin/python bench/backfill.py                      # 30 days from 2023-11-01
    .venv/bin/python bench/backfill.py --days 10 --start 2023-12-01

Both sides use the `dagster` CLI on the sandbox feeds, each into its own scratch warehouse
on the same server (embedded, or NBA_DATABASE_URL), so nothing is shared between them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import scratch  # bench/scratch.py, beside this script

ROOT = Path(__file__).resolve().parents[1]


def _materialize(url: str, partition_args: list[str]) -> float:
    # The sandbox league, whatever keys the shell has: a benchmark must not spend credits.
    env = {**os.environ, "NBA_DATABASE_URL": url, "NBA_FEED": "sandbox"}
    env.pop("DAGSTER_HOME", None)  # an ephemeral instance: we time the runs, not the storage
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster",
            "asset",
            "materialize",
            "-m",
            "nba_assets.definitions",
            "--select",
            "*",
            *partition_args,
        ],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--start", type=date.fromisoformat, default=date(2023, 11, 1))
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument(
        "--per-partition-days",
        type=int,
        default=None,
        help="time one-run-per-partition on this many days and extrapolate",
    )
    args = parser.parse_args()
    end = args.start + timedelta(days=args.days - 1)
    base = scratch.server_url()

    single_url = scratch.create(base)
    try:
        single = _materialize(single_url, ["--partition-range", f"{args.start}...{end}"])
    finally:
        scratch.drop(base, single_url)

    per_days = args.per_partition_days or args.days
    each_url = scratch.create(base)
    try:
        per = [
            _materialize(each_url, ["--partition", str(args.start + timedelta(days=i))])
            for i in range(per_days)
        ]
    finally:
        scratch.drop(base, each_url)
    per_total = sum(per) * args.days / per_days

    print(f"{args.days} sandbox slates {args.start}..{end}, every asset and check")
    print(f"  one single run:          {single:8.1f} s  ({single / args.days:.2f} s/slate)")
    label = "measured" if per_days == args.days else f"extrapolated from {per_days}"
    print(
        f"  one run per partition:   {per_total:8.1f} s  ({label}; median run "
        f"{sorted(per)[len(per) // 2]:.1f} s)"
    )
    print(f"  speed-up:                {per_total / single:8.1f} x")


if __name__ == "__main__":
    main()
