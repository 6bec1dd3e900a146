"""The quality_scores asset on a real warehouse: a sandbox slate loaded and scored, scored
again without new rows, rescored after a correction, and corrupted odds warned or failed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import dagster as dg
import pandas as pd
import pytest
from sqlalchemy import text

from nba_assets.analytics.quality import (
    DIMENSIONS,
    FAIL_BELOW,
    QUALITY_SCORES,
    SCORED_TABLES,
    WARN_BELOW,
    WEIGHTS,
)
from nba_assets.defs.assets import ingest
from nba_assets.defs.assets.quality import quality_scores
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.feeds.sandbox.faults import Corruption
from nba_assets.warehouse.append import append_idempotent
from nba_assets.warehouse.engine import engine_for
from nba_assets.warehouse.tables import WRITER_COLUMNS

SLATE = "2023-11-01"
INGEST = [
    ingest.games,
    ingest.odds_snapshots,
    ingest.player_stats,
    ingest.game_results,
    ingest.injuries,
]
RUN_ID = "00000000-0000-4000-8000-0000000000cc"


def _pg_instance(pg_server):
    url = pg_server.create().replace("postgresql://", "postgresql+psycopg2://", 1)
    return dg.instance_for_test(overrides={"storage": {"postgres": {"postgres_url": url}}})


def _materialize(assets, url: str, instance, feeds: FeedsResource | None = None, **kwargs):
    resources = {
        "warehouse": WarehouseResource(database_url=url),
        "feeds": feeds or FeedsResource(),
    }
    return dg.materialize(
        assets, partition_key=SLATE, resources=resources, instance=instance, **kwargs
    )


def _scores(url: str) -> pd.DataFrame:
    with engine_for(url).connect() as conn:
        return pd.read_sql_query(
            text("SELECT * FROM nba.quality_scores ORDER BY table_name, version"), conn
        )


def _metadata(result: dg.ExecuteInProcessResult) -> dict[str, object]:
    [event] = [
        e for e in result.get_asset_materialization_events() if e.asset_key == quality_scores.key
    ]
    return {k: v.value for k, v in event.step_materialization_data.materialization.metadata.items()}


def _checks(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    return {
        e.check_name: e
        for e in result.get_asset_check_evaluations()
        if e.asset_key == quality_scores.key
    }


@dataclass(frozen=True)
class Scored:
    url: str
    first: dg.ExecuteInProcessResult  # ingest and quality in one run
    before: pd.DataFrame  # the scores it wrote
    again: dg.ExecuteInProcessResult  # quality alone, nothing changed
    after_again: pd.DataFrame
    corrected: dg.ExecuteInProcessResult  # quality after a corrected final score
    game: int  # the corrected game


@pytest.fixture(scope="module")
def scored(pg_server, template_db) -> Scored:
    """One clean slate ingested and scored in one run, scored again alone, then scored once
    more after a corrected final score."""
    url = pg_server.create(template=template_db)
    with _pg_instance(pg_server) as instance:
        first = _materialize([*INGEST, quality_scores], url, instance)
        before = _scores(url)
        again = _materialize([quality_scores], url, instance)
        after_again = _scores(url)
        game = _a_game(url)
        _correct_a_result(url, game)
        corrected = _materialize([quality_scores], url, instance)
    return Scored(url, first, before, again, after_again, corrected, game)


def _a_game(url: str) -> int:
    with engine_for(url).connect() as conn:
        return conn.execute(text("SELECT min(game_id) FROM nba.game_results")).scalar_one()


def _correct_a_result(url: str, game: int) -> None:
    """A new version of one final score that no longer matches its box score."""
    with engine_for(url).connect() as conn:
        row = pd.read_sql_query(
            text("SELECT * FROM nba.game_results WHERE game_id = :g ORDER BY version DESC LIMIT 1"),
            conn,
            params={"g": game},
        )
    row = row.drop(columns=[c for c in row.columns if c in WRITER_COLUMNS - {"source"}])
    row["home_score"] += 2
    append_idempotent(engine_for(url), "game_results", row, run_id=RUN_ID, source="unused")


def test_every_ingest_table_of_the_slate_is_scored_once(scored) -> None:
    first, before = scored.first, scored.before
    assert first.success
    assert sorted(before["table_name"]) == sorted(SCORED_TABLES)
    assert (before["slate_date"] == date.fromisoformat(SLATE)).all()
    assert (before["version"] == 1).all()
    assert set(before["run_id"].astype(str)) == {first.run_id}
    assert set(before["source"]) == {"nba_assets"}
    for row in before.itertuples():
        assert set(row.details) == set(DIMENSIONS), row.table_name
        measured = {d: getattr(row, d) for d in DIMENSIONS if not pd.isna(getattr(row, d))}
        expected = sum(WEIGHTS[d] * s for d, s in measured.items()) / sum(
            WEIGHTS[d] for d in measured
        )
        assert row.score == pytest.approx(expected, abs=0.01), row.table_name
    # A clean sandbox slate is trustworthy, though its retail books are noisy.
    assert (before["score"] >= WARN_BELOW).all(), before[["table_name", "score"]]


def test_the_frame_columns_are_the_table_columns(scored) -> None:
    with engine_for(scored.url).connect() as conn:
        columns = conn.execute(
            text(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = 'nba' AND table_name = 'quality_scores'"
            )
        ).scalars()
        assert set(columns) - WRITER_COLUMNS == set(QUALITY_SCORES)


def test_the_materialization_shows_each_tables_score_and_dimensions(scored) -> None:
    metadata = _metadata(scored.first)
    assert metadata["rows_inserted"] == len(SCORED_TABLES)
    for row in scored.before.itertuples():
        assert f"| {row.table_name}" in metadata["scores"], row.table_name
        assert metadata[f"{row.table_name}/score"] == pytest.approx(row.score)
        assert metadata[f"{row.table_name}/completeness"] == pytest.approx(row.completeness)
    assert metadata["tables_failed"] == metadata["tables_warned"] == 0


def test_each_table_has_a_passing_check_for_the_slate(scored) -> None:
    checks = _checks(scored.first)
    assert set(checks) == {f"{t}_quality" for t in SCORED_TABLES}
    for name, evaluation in checks.items():
        assert evaluation.passed, (name, evaluation.description)
        assert evaluation.partition == SLATE
        assert evaluation.metadata["score"].value >= WARN_BELOW


def test_scoring_unchanged_data_again_adds_no_row(scored) -> None:
    assert scored.again.success
    assert _metadata(scored.again)["rows_inserted"] == 0
    assert len(scored.after_again) == len(scored.before)


def test_a_corrected_result_adds_versions_only_for_the_tables_it_changes(scored) -> None:
    assert scored.corrected.success
    rows = _scores(scored.url)
    changed = rows[rows["version"] == 2]
    # The box score no longer adds up to the final, and the final no longer matches it.
    assert set(changed["table_name"]) == {"game_results", "player_stats"}
    old = scored.before.set_index("table_name")
    for row in changed.itertuples():
        assert row.score < old.loc[row.table_name, "score"], row.table_name
    problems = changed.set_index("table_name").loc["game_results", "details"]["consistency"]
    assert any(str(scored.game) in p for p in problems["problems"])


@pytest.mark.parametrize(
    ("corruption", "passed", "severity", "below"),
    [
        (Corruption.OFF_GRID_POINT, False, dg.AssetCheckSeverity.WARN, WARN_BELOW),
        (Corruption.HUGE_OVERROUND, False, dg.AssetCheckSeverity.ERROR, FAIL_BELOW),
    ],
)
def test_corrupted_odds_lower_the_score_and_the_check_warns_or_fails(
    pg_server, template_db, scored, corruption, passed, severity, below
) -> None:
    url = pg_server.create(template=template_db)
    feeds = FeedsResource(sandbox_corrupt_odds=[SLATE], sandbox_corruption=corruption.value)
    with _pg_instance(pg_server) as instance:
        # The blocking odds checks fail this run; quality is scored in a run of its own.
        _materialize(
            [ingest.games, ingest.odds_snapshots], url, instance, feeds, raise_on_error=False
        )
        result = _materialize([quality_scores], url, instance)
    assert result.success  # a failing quality check does not fail its run
    odds = _scores(url).set_index("table_name").loc["odds_snapshots"]
    clean = scored.before.set_index("table_name").loc["odds_snapshots"]
    assert odds["score"] < min(below, clean["score"])
    if severity == dg.AssetCheckSeverity.WARN:
        assert odds["score"] >= FAIL_BELOW
    check = _checks(result)["odds_snapshots_quality"]
    assert (check.passed, check.severity) == (passed, severity)
    assert check.partition == SLATE
    assert check.metadata["score"].value == pytest.approx(odds["score"])


def test_scores_are_append_only_and_the_writer_may_only_append(scored) -> None:
    with engine_for(scored.url).connect() as conn:
        with pytest.raises(Exception, match="append-only"):
            conn.execute(text("UPDATE nba.quality_scores SET score = 0"))
        conn.rollback()
        grants = {
            (role, privilege): conn.execute(
                text("SELECT has_table_privilege(:r, 'nba.quality_scores', :p)"),
                {"r": role, "p": privilege},
            ).scalar_one()
            for role in ("nba_analyst", "nba_writer")
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE")
        }
    assert grants == {
        ("nba_analyst", "SELECT"): True,
        ("nba_analyst", "INSERT"): False,
        ("nba_analyst", "UPDATE"): False,
        ("nba_analyst", "DELETE"): False,
        ("nba_writer", "SELECT"): True,
        ("nba_writer", "INSERT"): True,
        ("nba_writer", "UPDATE"): False,
        ("nba_writer", "DELETE"): False,
    }
