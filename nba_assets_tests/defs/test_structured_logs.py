"""The instance's JSON log lines: one object per line, each tied to its run, slate, asset
and feed, with the run's numbers on the summary line and no key anywhere."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path

import dagster as dg
import pytest
import yaml
from sqlalchemy import text

from nba_assets.defs.assets import ingest
from nba_assets.defs.partitions import daily_partitions
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.defs.structured_logs import JsonLineFormatter

SLATE = date(2023, 11, 1)
PROJECT_YAML = Path(__file__).resolve().parents[2] / "dagster.yaml"


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def log_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "runs.jsonl"
    monkeypatch.setenv("NBA_LOG_FILE", str(path))
    return path


@pytest.fixture
def logging_instance(pg_server, log_file):
    """An instance on PostgreSQL with the project's own ``python_logs`` section, writing
    its JSON lines to this test's ``log_file``."""
    url = pg_server.create().replace("postgresql://", "postgresql+psycopg2://", 1)
    python_logs = yaml.safe_load(PROJECT_YAML.read_text())["python_logs"]
    overrides = {"storage": {"postgres": {"postgres_url": url}}, "python_logs": python_logs}
    with dg.instance_for_test(overrides=overrides) as instance:
        yield instance


@pytest.fixture
def logged_run(fresh_url, log_file, logging_instance):
    """One sandbox slate of games and odds on the logging instance."""
    result = dg.materialize(
        [ingest.games, ingest.odds_snapshots],
        partition_key=SLATE.isoformat(),
        resources={
            "warehouse": WarehouseResource(database_url=fresh_url),
            "feeds": FeedsResource(),
        },
        run_config=dg.RunConfig(
            ops={"odds_snapshots": ingest.HistoryConfig(odds_interval_minutes=180)}
        ),
        instance=logging_instance,
    )
    assert result.success
    for handler in logging.getLogger("dagster").handlers + logging.getLogger().handlers:
        handler.flush()
    return result, _lines(log_file)


def test_every_line_is_json_with_the_run_partition_asset_and_feed(logged_run) -> None:
    result, lines = logged_run
    assert lines, "the run wrote no JSON lines"
    assert {line["run_id"] for line in lines} == {result.run_id}
    assert all(line["partition"] == SLATE.isoformat() for line in lines)
    by_asset = {line.get("asset") for line in lines}
    assert {"games", "odds_snapshots"} <= by_asset
    feeds = {line["asset"]: line["feed"] for line in lines if line.get("asset")}
    assert feeds == {"games": "balldontlie", "odds_snapshots": "odds_api"}
    assert all(line["ts"].endswith("+00:00") for line in lines)


def test_the_summary_line_carries_rows_and_seconds_per_stage(logged_run, fresh_engine) -> None:
    _, lines = logged_run
    summary = next(
        line
        for line in lines
        if line.get("asset") == "odds_snapshots" and "odds_snapshots.rows_inserted" in line
    )
    with fresh_engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*) FROM nba.odds_snapshots")).scalar_one()
    assert summary["odds_snapshots.rows_inserted"] == stored > 0
    assert summary["odds_snapshots.rows_duplicate"] == 0
    for stage in ("fetch", "validate", "append", "check"):
        assert summary[f"seconds_{stage}"] >= 0
    assert summary["feed_calls_odds_api"] > 0


def test_keys_are_masked_in_messages_and_fields(monkeypatch) -> None:
    secret = "k3y-abcdef123456"
    monkeypatch.setenv("ODDS_API_KEY", secret)
    record = logging.makeLogRecord(
        {
            "msg": "GET https://api.the-odds-api.com/v4/sports?apiKey=%s&regions=us failed",
            "args": ("other-secret-value",),
            "levelname": "ERROR",
            "detail": f"the key {secret} was refused",
        }
    )
    line = JsonLineFormatter().format(record)
    assert secret not in line and "other-secret-value" not in line
    parsed = json.loads(line)
    assert "apiKey=REDACTED&regions=us" in parsed["message"]
    assert parsed["detail"] == "the key REDACTED was refused"


def test_a_failed_step_is_logged_with_its_event(log_file, logging_instance) -> None:
    """Failure events carry Dagster metadata values, which refuse JSON's iteration."""

    @dg.asset(partitions_def=daily_partitions, name="odds_snapshots")
    def failing() -> None:
        raise dg.Failure("feed down", metadata={"provider": dg.MetadataValue.text("odds_api")})

    result = dg.materialize(
        [failing], partition_key=SLATE.isoformat(), instance=logging_instance, raise_on_error=False
    )
    assert not result.success
    events = {line.get("event") for line in _lines(log_file)}
    assert {"STEP_FAILURE", "PIPELINE_FAILURE"} <= events
