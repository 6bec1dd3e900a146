"""Assets write through ``WarehouseResource.engine()``, which must be the append-only
``nba_writer``: able to append, unable to change the schema or rewrite a row."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import exc, text

from nba_assets.defs.resources import WarehouseResource
from nba_assets_tests.warehouse.samples import sample_rows


@pytest.fixture
def asset_engine(fresh_url):
    return WarehouseResource(database_url=fresh_url).engine()


def test_assets_connect_as_the_writer_role(asset_engine) -> None:
    with asset_engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar_one() == "nba_writer"


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE nba.scratch (x int)",
        "ALTER TABLE nba.games ADD COLUMN scratch int",
        "DROP TABLE nba.quarantine",
        "CREATE INDEX ON nba.odds_snapshots (price_decimal)",
        "INSERT INTO nba.teams (team_id) VALUES (99)",
        "GRANT nba_writer TO nba_analyst",
    ],
)
def test_the_writer_cannot_change_the_schema_or_reference_data(asset_engine, statement) -> None:
    denied = r"(?i)permission denied|must be owner|privilege"
    with pytest.raises(exc.DBAPIError, match=denied), asset_engine.begin() as conn:
        conn.execute(text(statement))


def test_the_writer_appends_through_the_warehouse_api(asset_engine) -> None:
    from nba_assets.warehouse.append import append_idempotent

    odds = sample_rows(player_id=1)["odds_snapshots"]
    result = append_idempotent(
        asset_engine, "odds_snapshots", odds, run_id=uuid.uuid4(), source="t"
    )
    assert result.inserted == 1
    with pytest.raises(exc.DBAPIError), asset_engine.begin() as conn:
        conn.execute(text("UPDATE nba.odds_snapshots SET price_decimal = 9"))
