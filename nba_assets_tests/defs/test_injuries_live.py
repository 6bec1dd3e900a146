"""The live ``injuries`` asset polled twice on one slate, against the sandbox league.

A live run polls the report once, so whether a player who left the report is cleared
depends on what the run compares the poll with: the warehouse's stored state, not an empty
frame. Expectations come from the league itself (who it lists at each instant), never from
the asset; the clock is the project's own ``simulated_clock``, so the partition is today's
and the run takes its live path. Nothing of the project is patched.
"""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import dagster as dg
import pandas as pd
import pytest
from sqlalchemy import text

from nba_assets.core.slates import simulated_clock, slate_date
from nba_assets.defs.assets import ingest
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.warehouse.engine import engine_for

NEW_YORK = ZoneInfo("America/New_York")
SLATE = date(2023, 11, 3)
# Both polls fall on the slate's own New York day, so both runs are live runs of it.
FIRST = datetime.combine(SLATE, time(0, 30), NEW_YORK)
SECOND = datetime.combine(SLATE, time(23, 30), NEW_YORK)
CLEARED = "(absent from report)"
SOURCE = "sandbox_balldontlie"


@pytest.fixture(scope="module")
def league() -> SandboxLeague:
    return SandboxLeague(season=2023, seed=FeedsResource().sandbox_seed)


def _listed(league: SandboxLeague, at: datetime) -> dict[int, str]:
    """BallDontLie player id -> provider status of everyone the league lists at ``at``."""
    return {r.player_id: r.status for r in league.injury_reports(at)}


def _left_the_report(league: SandboxLeague) -> set[int]:
    """Players on an active report at the first poll whom the second poll no longer lists."""
    first, second = _listed(league, FIRST), _listed(league, SECOND)
    return {p for p, status in first.items() if p not in second and status != "Available"}


def _poll(url: str, at: datetime, feeds: FeedsResource | None = None) -> dg.ExecuteInProcessResult:
    """One run of ``injuries`` for the slate with the clock at ``at`` (a live run)."""
    assert slate_date(at) == SLATE
    with simulated_clock(lambda: at):
        return dg.materialize(
            [ingest.injuries],
            partition_key=SLATE.isoformat(),
            resources={
                "warehouse": WarehouseResource(database_url=url),
                "feeds": feeds or FeedsResource(),
            },
        )


def _latest(url: str) -> pd.DataFrame:
    """Each BallDontLie player's latest stored report (highest version), by provider id."""
    with engine_for(url).connect() as conn:
        return pd.read_sql_query(
            text(
                """SELECT DISTINCT ON (i.player_id) s.source_id::bigint AS bdl_id, i.team_id,
                          i.status, i.status_raw, i.reported_at, i.run_id::text AS run_id
                   FROM nba.injuries i JOIN nba.source_ids s ON s.entity = 'player'
                     AND s.source = i.source AND s.internal_id = i.player_id
                   WHERE i.source = :source
                   ORDER BY i.player_id, i.version DESC"""
            ),
            conn,
            params={"source": SOURCE},
        ).set_index("bdl_id")


def _active(latest: pd.DataFrame) -> set[int]:
    return set(latest.index[latest["status"] != "available"])


def _expected_active(league: SandboxLeague, at: datetime) -> set[int]:
    return {p for p, status in _listed(league, at).items() if status != "Available"}


def test_a_live_poll_clears_players_the_report_no_longer_lists(
    fresh_url: str, league: SandboxLeague
) -> None:
    gone = _left_the_report(league)
    assert gone, "the slate must see someone leave the report between the polls"

    assert _poll(fresh_url, FIRST).success
    after_first = _latest(fresh_url)
    assert _active(after_first) == _expected_active(league, FIRST)
    assert not (after_first["status_raw"] == CLEARED).any()

    assert _poll(fresh_url, SECOND).success
    latest = _latest(fresh_url)
    # Everyone who left the report is stored as available as of the second poll ...
    cleared = latest.loc[sorted(gone)]
    assert (cleared["status"] == "available").all()
    assert (cleared["status_raw"] == CLEARED).all()
    assert (pd.to_datetime(cleared["reported_at"], utc=True) == pd.Timestamp(SECOND)).all()
    # ... and the warehouse's report is exactly the league's: nobody else cleared or kept.
    assert _active(latest) == _expected_active(league, SECOND)
    assert set(latest.index[latest["status_raw"] == CLEARED]) == gone


def test_a_poll_with_an_unreadable_record_clears_nobody_until_a_clean_one(
    fresh_url: str, league: SandboxLeague
) -> None:
    """Every sandbox answer of the faulted run has one damaged record: a team of
    ``/v1/teams`` loses its id and one injury loses its player. Whose report that injury
    was cannot be told, so that poll clears nobody; the damaged team record is quarantined
    while the other teams are still mapped; the next clean poll clears."""
    gone = _left_the_report(league)
    assert _poll(fresh_url, FIRST).success

    damaged = FeedsResource(sandbox_fault_rate=1.0, sandbox_fault_kinds=["corrupted_record"])
    faulted = _poll(fresh_url, SECOND, damaged)
    assert faulted.success
    latest = _latest(fresh_url)
    assert not (latest["status_raw"] == CLEARED).any()
    assert gone <= _active(latest)

    with engine_for(fresh_url).connect() as conn:
        quarantined = pd.read_sql_query(
            text(
                "SELECT target_table, endpoint, reason, raw FROM nba.quarantine"
                " WHERE run_id = CAST(:run AS uuid) ORDER BY quarantine_id"
            ),
            conn,
            params={"run": faulted.run_id},
        )
    [team] = quarantined[quarantined["target_table"] == "teams"].to_dict("records")
    assert team["endpoint"].startswith("/v1/teams")
    assert team["raw"]["id"] == "n/a" and team["raw"]["full_name"]
    assert "team" in team["reason"]
    injuries = quarantined[quarantined["target_table"] == "injuries"]
    assert (injuries["raw"].map(lambda r: r["player"]) == "n/a").sum() == 1
    # The good teams are still mapped: every row the faulted run stored has its team.
    teams = {r.player_id: r.team_id for r in league.injury_reports(SECOND)}
    stored = latest[latest["run_id"] == faulted.run_id]
    assert not stored.empty
    assert all(stored["team_id"][p] == teams[p] for p in stored.index)

    assert _poll(fresh_url, SECOND).success
    latest = _latest(fresh_url)
    assert set(latest.index[latest["status_raw"] == CLEARED]) == gone
    assert _active(latest) == _expected_active(league, SECOND)
