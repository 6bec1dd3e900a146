from __future__ import annotations

from datetime import UTC, datetime

import dagster as dg
import pytest

from nba_assets.definitions import defs
from nba_assets.defs import schedules


def _evaluate(schedule: dg.ScheduleDefinition, at: datetime):
    context = dg.build_schedule_context(
        scheduled_execution_time=at, repository_def=defs.get_repository_def()
    )
    return schedule.evaluate_tick(context)


@pytest.mark.parametrize(
    ("schedule", "tick", "slate"),
    [
        # 19:45 New York on 4 Nov 2024 is 00:45 UTC on the 5th: still the 4th's slate.
        (schedules.snapshot_schedule, datetime(2024, 11, 5, 0, 45, tzinfo=UTC), "2024-11-04"),
        (schedules.ingest_schedule, datetime(2024, 11, 5, 15, 0, tzinfo=UTC), "2024-11-05"),
        (schedules.team_stats_schedule, datetime(2024, 11, 5, 13, 0, tzinfo=UTC), "2024-11-05"),
        (schedules.results_schedule, datetime(2024, 11, 5, 23, 30, tzinfo=UTC), "2024-11-05"),
        # 01:30 New York: the games still running are the previous evening's.
        (schedules.results_schedule, datetime(2024, 11, 6, 6, 30, tzinfo=UTC), "2024-11-05"),
    ],
)
def test_each_tick_requests_the_slate_of_its_instant(schedule, tick, slate) -> None:
    (request,) = _evaluate(schedule, tick).run_requests
    assert request.partition_key == slate


def test_ticks_never_repeat_a_run_key() -> None:
    ticks = [datetime(2024, 11, 5, 0, m, tzinfo=UTC) for m in (0, 15, 30, 45)]
    keys = [_evaluate(schedules.snapshot_schedule, t).run_requests[0].run_key for t in ticks]
    assert len(set(keys)) == len(keys)
    again = _evaluate(schedules.snapshot_schedule, ticks[0]).run_requests[0].run_key
    assert again == keys[0]  # the same tick asks for the same run: the daemon dedupes it


def test_results_sync_skips_when_no_games_are_on() -> None:
    result = _evaluate(schedules.results_schedule, datetime(2024, 11, 5, 14, 0, tzinfo=UTC))
    assert not result.run_requests
    assert "no games are on" in result.skip_message


@pytest.mark.parametrize("minutes", ["15", "20", "30"])
def test_snapshot_cadence_is_configurable(monkeypatch, minutes: str) -> None:
    monkeypatch.setenv("NBA_SNAPSHOT_MINUTES", minutes)
    assert schedules.snapshot_cron() == f"*/{minutes} * * * *"


@pytest.mark.parametrize("minutes", ["5", "45"])
def test_snapshot_cadence_outside_15_to_30_is_refused(monkeypatch, minutes: str) -> None:
    monkeypatch.setenv("NBA_SNAPSHOT_MINUTES", minutes)
    with pytest.raises(ValueError, match="between 15 and 30"):
        schedules.snapshot_cron()
