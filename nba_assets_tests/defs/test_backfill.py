"""Backfills through every asset: a week of sandbox history, a re-run, and bad odds."""

from __future__ import annotations

import os
import subprocess
from datetime import date, timedelta

import dagster as dg
import pytest
from sqlalchemy import text

from nba_assets.definitions import defs
from nba_assets.defs.assets import ingest, model, quality, scoring
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.warehouse.engine import engine_for
from nba_assets_tests.defs.cli import materialize_argv

START, DAYS = date(2023, 11, 1), 7
END = START + timedelta(days=DAYS - 1)
ALL_ASSETS = dg.load_assets_from_modules([ingest, model, quality, scoring])


def _range_tags(start: date, end: date) -> dict[str, str]:
    return {
        "dagster/asset_partition_range_start": start.isoformat(),
        "dagster/asset_partition_range_end": end.isoformat(),
    }


def _pg_instance(pg_server):
    url = pg_server.create().replace("postgresql://", "postgresql+psycopg2://", 1)
    return dg.instance_for_test(overrides={"storage": {"postgres": {"postgres_url": url}}})


def _count(url: str, sql: str) -> int:
    with engine_for(url).connect() as conn:
        return conn.execute(text(sql)).scalar_one()


@pytest.fixture(scope="module")
def week(pg_server, template_db):
    url = pg_server.create(template=template_db)
    resources = {"warehouse": WarehouseResource(database_url=url), "feeds": FeedsResource()}
    with _pg_instance(pg_server) as instance:
        first = dg.materialize(
            ALL_ASSETS, resources=resources, instance=instance, tags=_range_tags(START, END)
        )
        counts = {t: _count(url, f"SELECT count(*) FROM nba.{t}") for t in TABLES}
        second = dg.materialize(
            ALL_ASSETS, resources=resources, instance=instance, tags=_range_tags(START, END)
        )
        runs = instance.get_runs_count()
        partitions = {
            key.to_user_string(): instance.get_materialized_partitions(key)
            for key in defs.resolve_asset_graph().get_all_asset_keys()
        }
    return url, first, second, counts, runs, partitions


# Every asset is a table of the same name.
TABLES = tuple(sorted(k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()))


def test_a_week_lands_the_expected_rows_in_every_table(week) -> None:
    url, first, _, counts, _, partitions = week
    assert first.success
    league = SandboxLeague(2023)
    games = [g for d in range(DAYS) for g in league.games_on(START + timedelta(days=d))]
    assert _count(url, "SELECT count(DISTINCT game_id) FROM nba.games") == len(games)
    assert _count(url, "SELECT count(DISTINCT game_id) FROM nba.game_results") == len(games)
    assert _count(url, "SELECT count(DISTINCT game_id) FROM nba.model_predictions") == len(games)
    assert _count(url, "SELECT count(DISTINCT (game_id, algorithm)) FROM nba.value_scores") == (
        2 * len(games)
    )
    assert _count(url, "SELECT count(DISTINCT game_id) FROM nba.grades") == len(games)
    assert counts["team_stats"] == 30 * DAYS
    assert all(n > 0 for n in counts.values()), counts
    expected = {(START + timedelta(days=d)).isoformat() for d in range(DAYS)}
    for asset, done in partitions.items():
        assert set(done) == expected, asset


def test_every_check_passes_for_every_partition(week) -> None:
    _, first, _, _, _, _ = week
    evaluations = first.get_asset_check_evaluations()
    failed = [
        (e.asset_key.to_user_string(), e.check_name, e.partition)
        for e in evaluations
        if not e.passed
    ]
    assert failed == []
    assert {e.partition for e in evaluations} == {
        (START + timedelta(days=d)).isoformat() for d in range(DAYS)
    }


def test_running_the_week_again_inserts_nothing(week) -> None:
    url, _, second, counts, runs, _ = week
    assert second.success
    assert runs == 2  # one run per backfill of seven partitions
    assert {t: _count(url, f"SELECT count(*) FROM nba.{t}") for t in TABLES} == counts
    for event in second.get_asset_materialization_events():
        metadata = event.step_materialization_data.materialization.metadata
        inserted = {k: v.value for k, v in metadata.items() if k.endswith("rows_inserted")}
        assert all(n == 0 for n in inserted.values()), (event.asset_key, inserted)


def test_first_nights_of_back_to_backs_are_stored(week) -> None:
    url = week[0]
    # Team-games whose team plays again the next day, straight from the schedule.
    first_nights = """
        WITH g AS (SELECT DISTINCT game_id, slate_date, home_team_id, away_team_id
                   FROM nba.games),
             t AS (SELECT game_id, slate_date, home_team_id AS team_id FROM g
                   UNION ALL SELECT game_id, slate_date, away_team_id FROM g)
        SELECT a.game_id, a.team_id FROM t a JOIN t b
          ON a.team_id = b.team_id AND b.slate_date = a.slate_date + 1"""
    expected = _count(url, f"SELECT count(*) FROM ({first_nights}) x")
    assert expected > 0, "the sandbox week has no back-to-back to test with"
    stored = _count(
        url,
        f"""SELECT count(*) FROM ({first_nights}) x JOIN nba.schedule_context s
            USING (game_id, team_id) WHERE s.back_to_back""",
    )
    assert stored == expected


def test_the_total_sigma_is_estimated_from_earlier_slates(week) -> None:
    url = week[0]
    with engine_for(url).connect() as conn:
        by_slate = dict(
            conn.execute(
                text(
                    """SELECT game_id / 100, min(total_sigma) FROM nba.model_predictions
                       GROUP BY 1 ORDER BY 1"""
                )
            ).all()
        )
    sigmas = list(by_slate.values())
    # Nothing is known before the first slate: the default; afterwards residuals move it.
    assert sigmas[0] == pytest.approx(18.0)
    assert sigmas[-1] != pytest.approx(18.0, abs=1e-6)


def test_both_algorithms_are_graded_and_calibrated_with_charts(week) -> None:
    url, first = week[0], week[1]
    for table in ("grades", "calibration_metrics"):
        algorithms = _count(url, f"SELECT count(DISTINCT algorithm) FROM nba.{table}")
        assert algorithms == 2, table
    events = [
        e
        for e in first.get_asset_materialization_events()
        if e.asset_key == dg.AssetKey("calibration_metrics")
    ]
    assert len(events) == DAYS  # one per partition of the single run
    for event in events:
        metadata = event.step_materialization_data.materialization.metadata
        for chart in ("reliability_diagram", "cumulative_clv"):
            assert "data:image/png;base64," in metadata[chart].value, chart


def test_corrupted_odds_fail_the_blocking_check_and_value_scores_does_not_run(
    pg_server, template_db
) -> None:
    url = pg_server.create(template=template_db)
    slate = "2023-11-02"
    resources = {
        "warehouse": WarehouseResource(database_url=url),
        "feeds": FeedsResource(sandbox_corrupt_odds=[slate]),
    }
    selection = [
        a
        for a in ALL_ASSETS
        if a.key.to_user_string() in {"games", "odds_snapshots", "value_scores"}
    ]
    with _pg_instance(pg_server) as instance:
        result = dg.materialize(
            selection,
            resources=resources,
            instance=instance,
            partition_key=slate,
            raise_on_error=False,
        )
        assert not result.success
        failed = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
        assert "odds_consistent" in failed
        assert instance.get_materialized_partitions(dg.AssetKey("value_scores")) == set()
        # A later run of its own (as the scoring sensor or a click in the UI would start)
        # refuses the slate too: the gate reads the latest blocking evaluation.
        later = dg.materialize(
            [a for a in ALL_ASSETS if a.key == dg.AssetKey("value_scores")],
            resources=resources,
            instance=instance,
            partition_key=slate,
            raise_on_error=False,
        )
        assert not later.success
        [failure] = [e for e in later.all_events if e.event_type_value == "STEP_FAILURE"]
        assert "odds_snapshots:odds_consistent" in str(failure.step_failure_data.error)
    assert _count(url, "SELECT count(*) FROM nba.value_scores") == 0


def test_a_thirty_day_cli_backfill_is_one_run(
    pg_server, warehouse_url, tmp_path, monkeypatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    dagster_db = pg_server.create().replace("postgresql://", "postgresql+psycopg2://", 1)
    (home / "dagster.yaml").write_text(
        "storage:\n  custom:\n    module: nba_assets.defs.instance_storage\n"
        "    class: NbaInstanceStorage\n    config: {}\n"
        "telemetry:\n  enabled: false\n"
    )
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "NBA_DAGSTER_DATABASE_URL": dagster_db,
        "NBA_DATABASE_URL": warehouse_url,
    }
    done = subprocess.run(
        materialize_argv("games", "2023-12-01...2023-12-30"),
        # Not the repo root: the dagster CLI would load the developer's .env from there.
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    monkeypatch.setenv("NBA_DAGSTER_DATABASE_URL", dagster_db)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert instance.get_runs_count() == 1
        assert len(instance.get_materialized_partitions(dg.AssetKey("games"))) == 30
