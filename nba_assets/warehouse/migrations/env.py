"""Alembic environment: migrations run on the connection the warehouse hands over."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through nba_assets.warehouse.migrate, not the alembic CLI")

context.configure(connection=connection, transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
