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
