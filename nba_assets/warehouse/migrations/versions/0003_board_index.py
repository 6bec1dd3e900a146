"""Odds key ordered for the board: snapshot_time before point.

Revision ID: 0003
Revises: 0002

The natural key of ``odds_snapshots`` is the same set of columns; only the order of the
unique index changes, from (game, book, market, outcome, point, time) to
(game, book, market, outcome, time, point). "Each book's current price per market and
outcome of one game at T" is then one backward index step per (book, market, outcome)
instead of a scan over every point a line ever moved through (bench/board_as_of.py), and
no second index is needed, so storage per row stays where it was.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _key(columns: str) -> None:
    op.execute("DROP INDEX nba.odds_snapshots_key")
    op.execute(f"CREATE UNIQUE INDEX odds_snapshots_key ON nba.odds_snapshots ({columns})")


def upgrade() -> None:
    _key("game_id, book_id, market, outcome, snapshot_time, point")


def downgrade() -> None:
    _key("game_id, book_id, market, outcome, point, snapshot_time")
