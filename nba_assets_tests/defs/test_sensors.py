from __future__ import annotations

import contextlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import dagster as dg
import pytest

from nba_assets.definitions import defs
from nba_assets.defs import sensors
from nba_assets.defs.partitions import daily_partitions


def _materialize(instance: dg.DagsterInstance, asset: str, partition: str) -> None:
    instance.report_runless_asset_event(dg.AssetMaterialization(asset, partition=partition))


def test_results_sensor_requests_grading_once_per_new_result(dagster_instance) -> None:
    with contextlib.nullcontext(dagster_instance) as instance:
        _materialize(instance, "game_results", "2023-11-01")
        _materialize(instance, "game_results", "2023-11-02")
        first = sensors.results_final_sensor(dg.build_sensor_context(instance=instance))
        assert sorted(r.partition_key for r in first.run_requests) == ["2023-11-01", "2023-11-02"]
        again = sensors.results_final_sensor(
            dg.build_sensor_context(instance=instance, cursor=first.cursor)
        )
        assert again.run_requests == []
        _materialize(instance, "game_results", "2023-11-02")
        later = sensors.results_final_sensor(
            dg.build_sensor_context(instance=instance, cursor=again.cursor)
        )
        assert [r.partition_key for r in later.run_requests] == ["2023-11-02"]
        assert later.run_requests[0].run_key != first.run_requests[1].run_key


def test_fresh_odds_or_injuries_request_scoring_for_their_slates(dagster_instance) -> None:
    with contextlib.nullcontext(dagster_instance) as instance:
        _materialize(instance, "odds_snapshots", "2023-11-01")
        _materialize(instance, "injuries", "2023-11-03")
        result = sensors.fresh_inputs_sensor(dg.build_sensor_context(instance=instance))
        assert sorted(r.partition_key for r in result.run_requests) == ["2023-11-01", "2023-11-03"]
        quiet = sensors.fresh_inputs_sensor(
            dg.build_sensor_context(instance=instance, cursor=result.cursor)
        )
        assert quiet.run_requests == []


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[dict]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook(monkeypatch):
    _Hook.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("NBA_ALERT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hook")
    yield _Hook.received
    server.shutdown()


def test_failed_checks_alert_by_log_and_webhook(webhook, caplog, dagster_instance) -> None:
    key = dg.AssetCheckKey(dg.AssetKey("odds_snapshots"), "odds_fresh")
    with contextlib.nullcontext(dagster_instance) as instance:
        for passed, partition in ((True, "2023-10-31"), (False, "2023-11-01")):
            instance.report_runless_asset_event(
                dg.AssetCheckEvaluation(
                    asset_key=key.asset_key,
                    check_name=key.name,
                    passed=passed,
                    partition=partition,
                    severity=dg.AssetCheckSeverity.WARN,
                )
            )
        context = dg.build_sensor_context(instance=instance, definitions=defs)
        with caplog.at_level("WARNING", logger="nba_assets.alerts"):
            sensors.check_failure_sensor(context)
        assert [a["title"] for a in webhook] == ["check failed: odds_snapshots:odds_fresh"]
        assert webhook[0]["details"]["partition"] == "2023-11-01"
        assert any("ALERT check failed" in r.message for r in caplog.records)
        again = dg.build_sensor_context(instance=instance, definitions=defs, cursor=context.cursor)
        sensors.check_failure_sensor(again)
        assert len(webhook) == 1  # nothing alerted twice


def test_a_failed_run_alerts(webhook, dagster_instance) -> None:
    @dg.op
    def boom() -> None:
        raise RuntimeError("feed down")

    @dg.job(name="run_snapshot")
    def failing() -> None:
        boom()

    result = failing.execute_in_process(instance=dagster_instance, raise_on_error=False)
    assert not result.success
    run = dagster_instance.get_run_by_id(result.run_id)
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(
        sensor_name="run_failure_alert",
        dagster_instance=dagster_instance,
        dagster_run=run,
        dagster_event=failure,
    ).for_run_failure()
    sensors.run_failure_alert(context)
    assert [a["title"] for a in webhook] == ["run failed: run_snapshot"]
    assert webhook[0]["details"]["run_id"] == result.run_id


def _report_in_run(instance: dg.DagsterInstance, run_id: str, event_type, data) -> None:
    from dagster._core.events import DagsterEvent

    instance.report_dagster_event(
        DagsterEvent(event_type.value, job_name="run_snapshot", event_specific_data=data),
        run_id=run_id,
    )


def test_a_check_still_running_is_neither_a_crash_nor_skipped(webhook, dagster_instance) -> None:
    from dagster._core.definitions.asset_checks.asset_check_evaluation import (
        AssetCheckEvaluationPlanned,
    )
    from dagster._core.events import DagsterEventType

    key = dg.AssetCheckKey(dg.AssetKey("odds_snapshots"), "odds_valid")
    run_id = "4f3c2b1a-0000-4000-8000-000000000001"
    planned = AssetCheckEvaluationPlanned(
        asset_key=key.asset_key,
        check_name=key.name,
        partitions_subset=daily_partitions.subset_with_partition_keys(
            ["2023-11-04"]
        ).to_serializable_subset(),
    )
    _report_in_run(
        dagster_instance, run_id, DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED, planned
    )
    dagster_instance.report_runless_asset_event(
        dg.AssetCheckEvaluation(
            asset_key=key.asset_key, check_name=key.name, passed=False, partition="2023-11-05"
        )
    )
    first = dg.build_sensor_context(instance=dagster_instance, definitions=defs)
    sensors.check_failure_sensor(first)
    assert webhook == []  # the failure after the running check waits for it
    finished = dg.AssetCheckEvaluation(
        asset_key=key.asset_key, check_name=key.name, passed=False, partition="2023-11-04"
    )
    _report_in_run(dagster_instance, run_id, DagsterEventType.ASSET_CHECK_EVALUATION, finished)
    second = dg.build_sensor_context(
        instance=dagster_instance, definitions=defs, cursor=first.cursor
    )
    sensors.check_failure_sensor(second)
    assert sorted(a["details"]["partition"] for a in webhook) == ["2023-11-04", "2023-11-05"]


def _evaluate(
    instance: dg.DagsterInstance, asset: str, check: str, partition: str, passed: bool
) -> None:
    """One check evaluation in a run of its own, as an asset body records it."""
    import uuid

    from dagster._core.events import DagsterEventType

    evaluation = dg.AssetCheckEvaluation(
        asset_key=dg.AssetKey(asset),
        check_name=check,
        passed=passed,
        partition=partition,
        severity=dg.AssetCheckSeverity.ERROR,
        blocking=True,
    )
    _report_in_run(instance, str(uuid.uuid4()), DagsterEventType.ASSET_CHECK_EVALUATION, evaluation)


def _materialize_with_rows(instance: dg.DagsterInstance, asset: str, partition: str, n: int):
    instance.report_runless_asset_event(
        dg.AssetMaterialization(asset, partition=partition, metadata={"rows_inserted": n})
    )


def test_scoring_waits_for_new_rows_and_passing_blocking_checks(dagster_instance) -> None:
    instance = dagster_instance
    _materialize_with_rows(instance, "odds_snapshots", "2023-11-01", 0)  # a re-run: nothing new
    _materialize_with_rows(instance, "injuries", "2023-11-02", 12)
    _materialize_with_rows(instance, "odds_snapshots", "2023-11-03", 500)
    _evaluate(instance, "odds_snapshots", "odds_consistent", "2023-11-03", passed=False)
    first = sensors.fresh_inputs_sensor(dg.build_sensor_context(instance=instance))
    assert [r.partition_key for r in first.run_requests] == ["2023-11-02"]
    # The feed is fixed and the partition re-materialized: its check passes, scoring runs.
    _evaluate(instance, "odds_snapshots", "odds_consistent", "2023-11-03", passed=True)
    _materialize_with_rows(instance, "odds_snapshots", "2023-11-03", 40)
    later = sensors.fresh_inputs_sensor(
        dg.build_sensor_context(instance=instance, cursor=first.cursor)
    )
    assert [r.partition_key for r in later.run_requests] == ["2023-11-03"]


def test_grading_skips_slates_whose_results_failed_a_blocking_check(dagster_instance) -> None:
    instance = dagster_instance
    for partition in ("2023-11-01", "2023-11-02"):
        _materialize_with_rows(instance, "game_results", partition, 9)
    _evaluate(instance, "game_results", "results_consistent", "2023-11-02", passed=False)
    result = sensors.results_final_sensor(dg.build_sensor_context(instance=instance))
    assert [r.partition_key for r in result.run_requests] == ["2023-11-01"]


@pytest.mark.parametrize("tags", [{"dagster/partition": "2023-11-03"}, {}])
def test_a_failed_ingest_run_asks_for_its_slate_to_be_scored(tags, dagster_instance) -> None:
    @dg.op
    def blocked() -> None:
        raise RuntimeError("odds_consistent failed")

    @dg.job(name="run_snapshot", tags=tags)
    def failing() -> None:
        blocked()

    result = failing.execute_in_process(instance=dagster_instance, raise_on_error=False)
    run = dagster_instance.get_run_by_id(result.run_id)
    failure = next(e for e in result.all_events if e.event_type_value == "PIPELINE_FAILURE")
    context = dg.build_run_status_sensor_context(
        sensor_name="quality_after_failed_ingest",
        dagster_instance=dagster_instance,
        dagster_run=run,
        dagster_event=failure,
    ).for_run_failure()
    answer = sensors.quality_after_failed_ingest(context)
    if not tags:
        assert isinstance(answer, dg.SkipReason)
        return
    assert isinstance(answer, dg.RunRequest)
    assert answer.partition_key == "2023-11-03"
    assert answer.run_key == f"quality-{result.run_id}"
    assert defs.resolve_sensor_def("quality_after_failed_ingest").job_name == "run_quality"
