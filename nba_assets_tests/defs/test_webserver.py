"""The web UI for real: a webserver on a PostgreSQL-backed instance, driven over GraphQL."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from nba_assets.warehouse.engine import libpq_url

ROOT = Path(__file__).resolve().parents[2]
PARTITION = "2023-11-01"

LAUNCH = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId } }
    ... on PythonError { message }
    ... on InvalidStepError { invalidStepKey }
    ... on RunConfigValidationInvalid { errors { message } }
  }
}"""
STATUS = """query Status($runId: ID!) { runOrError(runId: $runId) { ... on Run { status } } }"""
CHECKS = """
query Checks($key: AssetKeyInput!, $name: String!, $partition: String) {
  assetCheckExecutions(assetKey: $key, checkName: $name, partition: $partition, limit: 5) {
    runId status partition
  }
}"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def webserver(tmp_path: Path, pg_server, warehouse_url):
    dagster_db = libpq_url(pg_server.create()).replace("postgresql://", "postgresql+psycopg2://")
    home = tmp_path / "dagster_home"
    home.mkdir()
    # Runs launch at once here (no daemon in the test); production queues them.
    (home / "dagster.yaml").write_text(
        "storage:\n  custom:\n    module: nba_assets.defs.instance_storage\n"
        "    class: NbaInstanceStorage\n    config: {}\n"
        "run_coordinator:\n  module: dagster.core.run_coordinator\n"
        "  class: DefaultRunCoordinator\n"
        "telemetry:\n  enabled: false\n"
    )
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "NBA_DAGSTER_DATABASE_URL": dagster_db,
        "NBA_DATABASE_URL": warehouse_url,
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dagster_webserver",
            "-w",
            str(ROOT / "workspace.yaml"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"webserver exited: {process.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(f"{url}/server_info", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.5)  # polling a starting server, not waiting for a result
    else:
        process.kill()
        pytest.fail("webserver did not start in 120 s")
    yield url
    process.terminate()
    process.wait(30)


def _graphql(url: str, query: str, **variables) -> dict:
    response = httpx.post(
        f"{url}/graphql", json={"query": query, "variables": variables}, timeout=60
    )
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def test_launch_a_partition_over_graphql_and_read_its_checks(webserver: str) -> None:
    key = {"path": ["game_results"]}
    params = {
        "selector": {
            "repositoryLocationName": "nba_assets",
            "repositoryName": "__repository__",
            "jobName": "__ASSET_JOB",
            "assetSelection": [key],
            "assetCheckSelection": [
                {"assetKey": key, "name": n}
                for n in (
                    "results_valid",
                    "results_consistent",
                    "results_complete",
                    "results_fresh",
                )
            ],
        },
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": PARTITION}]},
    }
    launched = _graphql(webserver, LAUNCH, params=params)["launchRun"]
    assert launched["__typename"] == "LaunchRunSuccess", launched
    run_id = launched["run"]["runId"]
    deadline = time.monotonic() + 240
    status = None
    while time.monotonic() < deadline:
        status = _graphql(webserver, STATUS, runId=run_id)["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            break
        time.sleep(1)  # polling the run's status
    assert status == "SUCCESS"
    for name in ("results_valid", "results_consistent", "results_complete"):
        executions = _graphql(webserver, CHECKS, key=key, name=name, partition=PARTITION)
        (execution,) = executions["assetCheckExecutions"]
        assert execution == {"runId": run_id, "status": "SUCCEEDED", "partition": PARTITION}
