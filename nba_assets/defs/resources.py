"""Dagster resources: the warehouse and the two feeds, configured from the environment."""

from __future__ import annotations

import dagster as dg
from sqlalchemy import Engine

from nba_assets.warehouse.engine import engine_for, libpq_url, warehouse_url
from nba_assets.warehouse.migrate import ensure_migrated


class WarehouseResource(dg.ConfigurableResource):
    """The PostgreSQL warehouse; an empty ``database_url`` means the embedded server."""

    database_url: str = ""

    def url(self) -> str:
        return libpq_url(self.database_url) if self.database_url else warehouse_url()

    def engine(self) -> Engine:
        engine = engine_for(self.url())
        ensure_migrated(engine)
        return engine
