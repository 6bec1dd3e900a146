"""The analytics column lists match the warehouse DDL (minus writer-filled columns)."""

from __future__ import annotations

import importlib
import re

import pytest

from nba_assets.analytics import columns

WRITER = {"version", "row_hash", "ingested_at", "run_id", "source"}


def ddl_columns(table: str) -> list[str]:
    migration = importlib.import_module("nba_assets.warehouse.migrations.versions.0001_initial")
    body = re.search(rf"CREATE TABLE nba\.{table} \((.*?)\n\);", migration.DDL, re.S)
    assert body is not None, table
    names = []
    for line in body.group(1).splitlines():
        line = line.strip()
        if not line or line.startswith(("UNIQUE", "CHECK", "PRIMARY", "{", "--")):
            continue
        for part in re.sub(r"\([^()]*\)", "", line).split(","):
            word = part.strip().split(" ")[0]
            if word and word not in WRITER and not word.startswith(("CHECK", "UNIQUE")):
                names.append(word)
    return names


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("schedule_context", columns.SCHEDULE_CONTEXT),
        ("team_stats", columns.TEAM_STATS),
        ("model_predictions", columns.MODEL_PREDICTIONS),
        ("value_scores", columns.VALUE_SCORES),
        ("grades", columns.GRADES),
        ("calibration_metrics", columns.CALIBRATION_METRICS),
    ],
)
def test_columns_match_ddl(table: str, expected: tuple[str, ...]) -> None:
    assert ddl_columns(table) == list(expected)
