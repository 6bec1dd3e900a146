"""Two runs of the same slate at once (a double click in the UI, a schedule tick racing a
manual run) leave exactly one copy of every row, and neither loses anything silently.

Two real processes each materialize every asset of one sandbox slate against the same
warehouse, released together by a barrier. Each has its own Dagster instance, as two run
workers would see the run storage only through the warehouse anyway. Afterwards every table
the slate touches holds no redundant row and equals, row for row, what one run alone
writes on another fresh database (see ``nba_assets_tests.warehouse.table_contents`` for the
columns left out: knowledge times, run ids, surrogate ids). A run may fail only loudly:
with a step failure whose error is recorded, and then the other run must have succeeded.
"""

from __future__ import annotations

import multiprocessing as mp
from multiprocessing.synchronize import Barrier
from queue import Queue
from typing import Any

import dagster as dg

from nba_assets.defs.assets import ingest, model, scoring
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.warehouse.tables import FACT_TABLES
from nba_assets_tests.warehouse.table_contents import contents, difference, redundant_rows

SLATE = "2023-11-08"
ASSETS = dg.load_assets_from_modules([ingest, model, scoring])
ASSET_TABLES = sorted(a.key.to_user_string() for a in ASSETS)  # every asset is a table
TABLES = (*ASSET_TABLES, "markets")
RUN_SECONDS = 600


def _materialize(url: str) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        ASSETS,
        partition_key=SLATE,
        resources={"warehouse": WarehouseResource(database_url=url), "feeds": FeedsResource()},
        instance=dg.DagsterInstance.ephemeral(),
        raise_on_error=False,
    )


def _outcome(result: dg.ExecuteInProcessResult) -> dict[str, Any]:
    failures = [
        (e.step_key, e.step_failure_data.error.to_string() if e.step_failure_data.error else "")
        for e in result.get_step_failure_events()
    ]
    return {
        "success": result.success,
        "failures": failures,
        "materialized": sorted(
            e.asset_key.to_user_string() for e in result.get_asset_materialization_events()
        ),
    }


def _racer(url: str, barrier: Barrier, results: Queue) -> None:
    """One run worker: import everything first, then start the run when the other does."""
    barrier.wait()
    try:
        results.put(_outcome(_materialize(url)))
    except BaseException as exc:  # an escape from materialize() itself is a loud failure too
        results.put({"success": False, "failures": [("run", repr(exc))], "materialized": []})
        raise


def test_two_runs_of_one_slate_at_once_leave_one_copy_of_every_row(
    fresh_url: str, pg_server, template_db: str
) -> None:
    ctx = mp.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_racer, args=(fresh_url, barrier, results)) for _ in range(2)]
    try:
        for proc in procs:
            proc.start()
        outcomes = [results.get(timeout=RUN_SECONDS) for _ in procs]
        for proc in procs:
            proc.join(60)
            assert proc.exitcode == 0
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.kill()

    # Both succeed, or one fails loudly (a recorded step error) and the other succeeds.
    assert any(o["success"] for o in outcomes), outcomes
    for outcome in outcomes:
        if outcome["success"]:
            assert outcome["materialized"] == ASSET_TABLES
        else:
            assert outcome["failures"] and all(error for _, error in outcome["failures"])

    alone = pg_server.create(template=template_db)
    assert _materialize(alone).success
    for table in TABLES:
        if FACT_TABLES[table].key:
            assert redundant_rows(fresh_url, table) == 0, table
        raced, single = contents(fresh_url, table), contents(alone, table)
        assert raced, f"{table} is empty: the slate should touch it"
        assert raced == single, f"{table}: {difference(raced, single)}"
    assert contents(fresh_url, "quarantine") == contents(alone, "quarantine")
