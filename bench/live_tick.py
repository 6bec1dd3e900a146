"""A live ``run_snapshot`` tick on the sandbox: schedule request to rows and checks.

    .venv/bin/python bench/live_tick.py               # 20 ticks
    .venv/bin/python bench/live_tick.py --ticks 5

Each tick evaluates the project's own ``snapshot_schedule`` at the current instant, then
executes the run it requests the way a run worker does: a fresh ``dagster job execute``
process on an instance whose runs and events live in PostgreSQL (the project's
``dagster.yaml``), polling today's slate from the sandbox league, appending the prices and
evaluating the odds checks inside the run. Timed from the schedule evaluation to the end
of that process; the rows it added and its check results are read back afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import dagster as dg
import psycopg
import scratch  # bench/scratch.py, beside this script

from nba_assets.core.slates import utc_now
from nba_assets.defs.schedules import snapshot_schedule

ROOT = Path(__file__).resolve().parents[1]
DATABASE = "nba_bench_live"


def _execute(job: str, partition: str, env: dict[str, str]) -> None:
    tags = json.dumps({"dagster/partition": partition})
    command = [
        sys.executable, "-m", "dagster", "job", "execute", "-m", "nba_assets.definitions",
        "-j", job, "--tags", tags,
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{job} failed:\n{done.stderr[-4000:]}")


def _rows(url: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT count(*) FROM nba.odds_snapshots").fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ticks", type=int, default=20)
    args = parser.parse_args()
    base = scratch.server_url()
    url = scratch.create(base, DATABASE)
    home = Path(tempfile.mkdtemp(prefix="nba_live_tick_"))
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "NBA_DATABASE_URL": url, "NBA_FEED": "sandbox", "DAGSTER_HOME": str(home)}
    env.pop("NBA_DAGSTER_DATABASE_URL", None)  # the instance lives beside the warehouse
    try:
        first = snapshot_schedule(dg.build_schedule_context(scheduled_execution_time=utc_now()))
        _execute("run_ingest", first.partition_key, env)  # today's games, as the 30-minute job does
        latencies, added = [], []
        for _ in range(args.ticks):
            before = _rows(url)
            started = time.perf_counter()
            tick = dg.build_schedule_context(scheduled_execution_time=utc_now())
            request = snapshot_schedule(tick)
            _execute("run_snapshot", request.partition_key, env)
            latencies.append(time.perf_counter() - started)
            added.append(_rows(url) - before)
        os.environ["DAGSTER_HOME"] = str(home)
        os.environ["NBA_DATABASE_URL"] = url
        with dg.DagsterInstance.get() as instance:
            runs = instance.get_runs(dg.RunsFilter(job_name="run_snapshot"))
            failed = [r.run_id for r in runs if r.status != dg.DagsterRunStatus.SUCCESS]
            checks = instance.event_log_storage.get_asset_check_execution_history(
                dg.AssetCheckKey(dg.AssetKey("odds_snapshots"), "odds_consistent"), limit=1000
            )
    finally:
        shutil.rmtree(home, ignore_errors=True)
        scratch.drop(base, url)
    p50 = statistics.median(latencies)
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) > 1 else latencies[0]
    print(f"{args.ticks} run_snapshot ticks on slate {request.partition_key} (sandbox, live)")
    print(f"  schedule request -> rows and checks: p50 {p50:.1f} s, p95 {p95:.1f} s")
    print(f"  rows per tick: median {statistics.median(added):,.0f}; runs failed: {len(failed)}")
    print(f"  odds_consistent evaluations recorded: {len(checks)}")


if __name__ == "__main__":
    main()
