from __future__ import annotations

import uuid

import pandas as pd
import pytest
from sqlalchemy import exc, text

from nba_assets.warehouse.append import append_idempotent
from nba_assets.warehouse.engine import engine_for
from nba_assets.warehouse.registry import player_ids
from nba_assets.warehouse.tables import FACT_TABLES
from nba_assets_tests.warehouse.samples import sample_rows


@pytest.fixture(scope="module")
def one_row_per_table(pg_server, template_db):
    fresh_engine = engine_for(pg_server.create(template=template_db))
    pid = player_ids(
        fresh_engine,
        "balldontlie",
        pd.DataFrame([{"source_player_id": "237", "first_name": "LeBron", "last_name": "James"}]),
    )["237"]
    for table, frame in sample_rows(pid).items():
        result = append_idempotent(fresh_engine, table, frame, run_id=uuid.uuid4(), source="test")
        assert result.inserted == 1, table
    return fresh_engine


@pytest.mark.parametrize("table", sorted(FACT_TABLES))
@pytest.mark.parametrize(
    "statement", ["UPDATE nba.{t} SET run_id = run_id", "DELETE FROM nba.{t}", "TRUNCATE nba.{t}"]
)
def test_fact_tables_reject_mutation(one_row_per_table, table: str, statement: str) -> None:
    with pytest.raises(exc.DBAPIError) as raised, one_row_per_table.begin() as conn:
        conn.execute(text(statement.format(t=table)))
    assert f"nba.{table} is append-only" in str(raised.value)
    with one_row_per_table.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM nba.{table}")).scalar_one() == 1
