"""Odds ingest throughput: `games` + `odds_snapshots` over a range of sandbox slates.

    .venv/bin/python bench/odds_ingest.py                       # 5 slates from 2023-11-01
    .venv/bin/python bench/odds_ingest.py --slates 3 --start 2023-11-01
    .venv/bin/python bench/odds_ingest.py --profile odds.html   # pyinstrument, if installed

The project's own backfill path: one single run over the range (the assets' single-run
backfill policy, tagged like a range backfill), in process on an ephemeral Dagster instance,
with the sandbox feeds (FeedsResource()) and 15-minute historical odds. The warehouse is a
scratch database on the warehouse's server (NBA_DATABASE_URL, else the embedded one), migrated
before the clock starts and dropped at the end.

Prints the odds rows stored, the wall time of the run, rows/s end to end, and the
per-stage seconds the odds_snapshots body reports in its materialization metadata.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import date, timedelta

import scratch  # bench/scratch.py, beside this script

STAGES = ("fetch", "validate", "append", "check")


def _metadata(result, asset: str) -> dict[str, object]:
    for event in result.get_asset_materialization_events():
        if event.asset_key.to_user_string() == asset:
            materialization = event.step_materialization_data.materialization
            return {k: v.value for k, v in materialization.metadata.items()}
    raise SystemExit(f"no materialization of {asset}")


def run(start: date, slates: int, profile: str | None = None) -> dict[str, object]:
    import dagster as dg

    from nba_assets.defs.assets import ingest
    from nba_assets.defs.resources import FeedsResource, WarehouseResource
    from nba_assets.warehouse import migrate
    from nba_assets.warehouse.engine import engine_for

    end = start + timedelta(days=slates - 1)
    base = scratch.server_url()
    url = scratch.create(base)
    try:
        engine = engine_for(url)
        migrate.upgrade(engine)
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.005)
        with dg.DagsterInstance.ephemeral() as instance:
            started = time.perf_counter()
            if profiler is not None:
                profiler.start()
            result = dg.materialize(
                [ingest.games, ingest.odds_snapshots],
                partition_key=None,
                tags={
                    "dagster/asset_partition_range_start": start.isoformat(),
                    "dagster/asset_partition_range_end": end.isoformat(),
                },
                resources={
                    "warehouse": WarehouseResource(database_url=url),
                    "feeds": FeedsResource(),
                },
                instance=instance,
                raise_on_error=False,
            )
            wall = time.perf_counter() - started
            if profiler is not None:
                profiler.stop()
                with open(profile, "w") as out:
                    out.write(profiler.output_html())
                print(profiler.output_text(unicode=False, color=False, show_all=False))
        # A blocking check that fails marks the run failed; the timings still stand.
        failed_checks = [
            f"{e.asset_key.to_user_string()}.{e.check_name}[{e.partition}]"
            for e in result.get_asset_check_evaluations()
            if not e.passed
        ]
        meta = _metadata(result, "odds_snapshots")
        engine.dispose()
    finally:
        engine_for.cache_clear()
        scratch.drop(base, url)
    rows = int(meta["odds_snapshots/rows_inserted"])
    return {
        "slates": f"{start}..{end}",
        "rows": rows,
        "wall": wall,
        "stages": {s: float(meta.get(f"seconds_{s}", 0.0)) for s in STAGES},
        "quarantined": meta.get("rows_quarantined"),
        "failed_checks": failed_checks,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--start", type=date.fromisoformat, default=date(2023, 11, 1))
    parser.add_argument("--slates", type=int, default=5)
    parser.add_argument("--profile", default=None, help="write a pyinstrument HTML profile")
    args = parser.parse_args()
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    out = run(args.start, args.slates, args.profile)
    rows, wall = out["rows"], out["wall"]
    print(f"{args.slates} sandbox slates {out['slates']}: games + odds_snapshots, one run")
    print(f"  odds rows stored:  {rows:>10,}")
    print(f"  wall time:         {wall:10.1f} s")
    print(f"  rows/s end to end: {rows / wall:10,.0f}")
    print(
        "  odds_snapshots stages (s): "
        + ", ".join(f"{k} {v:.1f}" for k, v in out["stages"].items())
    )
    print(f"  quarantined: {out['quarantined']}; failed checks: {out['failed_checks'] or 'none'}")


if __name__ == "__main__":
    main()
