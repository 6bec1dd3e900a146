"""Each kind of bad data fails the check that guards against it, and says why."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg
import pandas as pd
import pytest
from sqlalchemy import text

from nba_assets.defs.assets import ingest
from nba_assets.defs.checks.ingest_checks import results_consistent
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.feeds.sandbox.faults import Corruption
from nba_assets.warehouse.append import append_idempotent
from nba_assets_tests.warehouse.samples import GAME, sample_rows

SLATE = "2023-11-02"
RUN_ID = "00000000-0000-4000-8000-0000000000aa"


def _odds_checks(url: str, corruption: Corruption) -> dict[str, dict[str, object]]:
    """Failed check name -> its metadata, after loading one corrupted sandbox slate."""
    resources = {
        "warehouse": WarehouseResource(database_url=url),
        "feeds": FeedsResource(sandbox_corrupt_odds=[SLATE], sandbox_corruption=corruption.value),
    }
    selection = [ingest.games, ingest.odds_snapshots]
    result = dg.materialize(
        selection,
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
        partition_key=SLATE,
        raise_on_error=False,
    )
    return {
        e.check_name: {k: v.value for k, v in e.metadata.items()}
        for e in result.get_asset_check_evaluations()
        if not e.passed
    }


@pytest.mark.parametrize(
    ("corruption", "check", "evidence"),
    [
        (Corruption.ONE_SIDED, "odds_consistent", "one_sided"),
        (Corruption.HUGE_OVERROUND, "odds_consistent", "overround_out_of_bounds"),
        (Corruption.OFF_GRID_POINT, "odds_valid", "failed_expectations"),
        (Corruption.IMPOSSIBLE_PRICE, "odds_valid", "quarantined"),
    ],
)
def test_corrupted_odds_fail_their_check_with_the_evidence(
    fresh_url: str, corruption: Corruption, check: str, evidence: str
) -> None:
    failed = _odds_checks(fresh_url, corruption)
    assert check in failed, failed
    value = failed[check][evidence]
    if isinstance(value, str):
        assert "point_half_step" in value  # the GX table names the expectation's column
    else:
        assert value > 0


def test_clean_odds_fail_no_check(fresh_url: str) -> None:
    resources = {"warehouse": WarehouseResource(database_url=fresh_url), "feeds": FeedsResource()}
    result = dg.materialize(
        [ingest.games, ingest.odds_snapshots],
        resources=resources,
        instance=dg.DagsterInstance.ephemeral(),
        partition_key=SLATE,
    )
    assert [e.check_name for e in result.get_asset_check_evaluations() if not e.passed] == []


def _result(**overrides: object) -> pd.DataFrame:
    row = sample_rows(1)["game_results"].iloc[0].to_dict()
    row.update(overrides)
    return pd.DataFrame([row])


def test_results_whose_quarters_or_box_scores_do_not_add_up_fail(fresh_engine) -> None:
    with fresh_engine.begin() as conn:
        conn.execute(
            text("INSERT INTO nba.players (player_id, first_name, last_name) VALUES (7, 'A', 'B')")
        )
    rows = sample_rows(7)
    for table in ("games", "player_stats"):
        append_idempotent(fresh_engine, table, rows[table], run_id=RUN_ID, source="test")
    slate = date(2023, 10, 24)
    now = datetime(2023, 10, 26, tzinfo=UTC)
    # The home side's quarters sum to 100, not 107; its one box line says 1 point.
    result = _result(home_periods=[25, 25, 25, 25], away_periods=[30, 30, 30, 29])
    append_idempotent(fresh_engine, "game_results", result, run_id=RUN_ID, source="test")
    outcome = results_consistent(fresh_engine, slate, now)
    assert not outcome.passed
    problems = outcome.metadata["problems"]
    assert f"{GAME} test: home periods != final" in problems
    assert f"{GAME} test: box score != final" in problems
    assert not any("away periods" in p for p in problems)


def test_slate_odds_are_shared_only_inside_one_pass(fresh_engine) -> None:
    from nba_assets.defs.checks.queries import one_read_per_slate, slate_odds

    slate = date(2023, 10, 24)
    rows = sample_rows(7)
    empty = slate_odds(fresh_engine, slate)
    assert empty.empty and "price_decimal" in empty.columns
    with one_read_per_slate():
        first = slate_odds(fresh_engine, slate)
        append_idempotent(
            fresh_engine, "odds_snapshots", rows["odds_snapshots"], run_id=RUN_ID, source="t"
        )
        # Within a pass the checks see the rows the first of them read.
        assert slate_odds(fresh_engine, slate).empty and first.empty
    # A later pass, or a read outside one, sees what was written since.
    assert len(slate_odds(fresh_engine, slate)) == 1
    with one_read_per_slate():
        assert len(slate_odds(fresh_engine, slate)) == 1
