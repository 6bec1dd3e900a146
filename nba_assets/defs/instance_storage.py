"""Dagster instance storage on the warehouse's PostgreSQL server, found without set-up.

``dagster.yaml`` names this class so that the UI, the daemon, run workers and the CLI all
derive the same URL themselves: ``NBA_DAGSTER_DATABASE_URL``, else the warehouse's server
(``NBA_DATABASE_URL``: Dagster's tables in its ``public`` schema beside schema ``nba``),
else the embedded server's ``dagster`` database. The URL always uses psycopg2: SQLAlchemy
2.1 maps a bare ``postgresql://`` to psycopg 3, which cannot run dagster-postgres's
``NOTIFY`` statement (DAGSTER-NOTES B.5).
"""

from __future__ import annotations

import dagster as dg
from dagster_postgres import DagsterPostgresStorage

from nba_assets.warehouse.engine import dagster_storage_url


class NbaInstanceStorage(DagsterPostgresStorage):
    @classmethod
    def config_type(cls) -> dict[str, dg.Field]:
        return {
            "postgres_url": dg.Field(dg.StringSource, is_required=False),
            "should_autocreate_tables": dg.Field(bool, is_required=False, default_value=True),
        }

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> NbaInstanceStorage:
        return cls(
            postgres_url=config_value.get("postgres_url") or dagster_storage_url(),
            should_autocreate_tables=config_value.get("should_autocreate_tables", True),
            inst_data=inst_data,
        )
