"""The code location: every asset, check, job, schedule, sensor and resource, wired once."""

from __future__ import annotations

import os

import dagster as dg

from nba_assets.defs.assets import ingest, model, quality, scoring
from nba_assets.defs.executors import executor_from_env
from nba_assets.defs.jobs import JOBS
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.defs.schedules import SCHEDULES
from nba_assets.defs.sensors import SENSORS
from nba_assets.defs.structured_logs import json_lines
from nba_assets.settings import FeedSettings


def _warehouse() -> WarehouseResource:
    # EnvVar keeps a password in the URL out of the UI; unset means the embedded server.
    if os.environ.get("NBA_DATABASE_URL"):
        return WarehouseResource(database_url=dg.EnvVar("NBA_DATABASE_URL"))
    return WarehouseResource()


def _feeds() -> FeedsResource:
    settings = FeedSettings.from_env()
    if settings.mode == "live":
        return FeedsResource(
            mode="live",
            odds_api_key=dg.EnvVar("ODDS_API_KEY"),
            balldontlie_api_key=dg.EnvVar("BALLDONTLIE_API_KEY"),
            odds_api_base_url=settings.odds_api_base_url,
            balldontlie_base_url=settings.balldontlie_base_url,
            odds_format=settings.odds_format,
        )
    return FeedsResource(mode="sandbox", odds_format=settings.odds_format)


defs = dg.Definitions(
    assets=dg.load_assets_from_modules([ingest, model, quality, scoring]),
    jobs=JOBS,
    schedules=SCHEDULES,
    sensors=SENSORS,
    resources={"warehouse": _warehouse(), "feeds": _feeds()},
    loggers={"json": json_lines},
    executor=executor_from_env(),
)
