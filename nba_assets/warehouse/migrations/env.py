"""Alembic environment: migrations run on the connection the warehouse hands over."""

from __future__ import annotations

from alembic import context

from nba_assets.warehouse.migrate import VERSION_TABLE

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through nba_assets.warehouse.migrate, not the alembic CLI")

# Dagster's own storage keeps an `alembic_version` table and may share this database.
context.configure(connection=connection, transactional_ddl=True, version_table=VERSION_TABLE)
with context.begin_transaction():
    context.run_migrations()
