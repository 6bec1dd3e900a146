from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from nba_assets.definitions import defs
from nba_assets.defs.partitions import daily_partitions

ROOT = Path(__file__).resolve().parents[2]
TABLE_ASSETS = {
    "games",
    "odds_snapshots",
    "injuries",
    "player_stats",
    "game_results",
    "team_stats",
    "schedule_context",
    "model_predictions",
    "value_scores",
    "grades",
    "calibration_metrics",
    "quality_scores",
}


def test_definitions_load() -> None:
    dg.Definitions.validate_loadable(defs)


def test_dagster_cli_validates_the_code_location(pg_server) -> None:
    env = {
        **os.environ,
        "NBA_DAGSTER_DATABASE_URL": pg_server.create(),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "dagster",
            "definitions",
            "validate",
            "-w",
            str(ROOT / "workspace.yaml"),
        ],
        cwd=ROOT,  # where dagster.yaml is: the CLI's instance is the project's
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_every_table_is_a_partitioned_asset_with_group_kinds_and_owner() -> None:
    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == TABLE_ASSETS
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.partitions_def == daily_partitions, key
        assert node.group_name in {"ingest", "model", "scoring", "quality"}, key
        assert "postgres" in node.kinds, key
        assert node.owners, key
        assert node.description and "Grain" in node.description, key


def test_required_checks_exist_and_money_guards_block() -> None:
    specs = {
        (s.asset_key.to_user_string(), s.name): s
        for a in defs.resolve_asset_graph().assets_defs
        for s in a.check_specs
    }
    assets_with_checks = {asset for asset, _ in specs}
    assert {"odds_snapshots", "team_stats", "injuries", "game_results", "value_scores"} <= (
        assets_with_checks
    )
    for blocking in [
        ("odds_snapshots", "odds_valid"),
        ("odds_snapshots", "odds_consistent"),
        ("game_results", "results_valid"),
        ("game_results", "results_consistent"),
    ]:
        assert specs[blocking].blocking, blocking
    assert all(s.partitions_def == daily_partitions for s in specs.values())


def test_jobs_schedules_and_sensors_have_the_team_names() -> None:
    for job in (
        "run_snapshot",
        "run_ingest",
        "run_team_stats",
        "run_results_sync",
        "run_scoring",
        "run_grading",
    ):
        assert defs.resolve_job_def(job).name == job
    schedules = {s.name: s for s in defs.schedules}
    assert schedules["snapshot_schedule"].cron_schedule == "*/15 * * * *"
    assert schedules["ingest_schedule"].cron_schedule == "*/30 * * * *"
    assert {s.job_name for s in schedules.values()} == {
        "run_snapshot",
        "run_ingest",
        "run_team_stats",
        "run_results_sync",
    }
    sensors = {s.name for s in defs.sensors}
    assert {
        "fresh_inputs_sensor",
        "results_final_sensor",
        "check_failure_sensor",
        "run_failure_alert",
    } <= sensors


def test_ingest_assets_backfill_in_one_run_and_respect_feed_limits() -> None:
    graph = defs.resolve_asset_graph()
    for key in graph.get_all_asset_keys():
        assert graph.get(key).backfill_policy == dg.BackfillPolicy.single_run(), key
    odds = defs.get_assets_def("odds_snapshots")
    assert odds.op.pool == "odds_api"
    assert odds.op.retry_policy.max_retries == 3


def test_the_live_assets_carry_freshness_policies_the_ui_shows() -> None:
    graph = defs.resolve_asset_graph()
    policies = {
        key.to_user_string(): graph.get(key).freshness_policy
        for key in graph.get_all_asset_keys()
        if graph.get(key).freshness_policy is not None
    }
    assert set(policies) == {"games", "odds_snapshots", "injuries", "game_results", "value_scores"}
    assert policies["odds_snapshots"].fail_window.to_timedelta().total_seconds() == 30 * 60
    # Results and scores are due only while games are on, not through the quiet morning.
    assert "13-23,0-3" in policies["game_results"].deadline_cron
    assert "11-23" in policies["value_scores"].deadline_cron
