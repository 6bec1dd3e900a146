"""The code location: every asset, check, job, schedule, sensor and resource, wired once."""

from __future__ import annotations

import os

import dagster as dg

from nba_assets.defs.resources import WarehouseResource


def _warehouse() -> WarehouseResource:
    # EnvVar keeps a password in the URL out of the UI; unset means the embedded server.
    if os.environ.get("NBA_DATABASE_URL"):
        return WarehouseResource(database_url=dg.EnvVar("NBA_DATABASE_URL"))
    return WarehouseResource()


defs = dg.Definitions(resources={"warehouse": _warehouse()})
