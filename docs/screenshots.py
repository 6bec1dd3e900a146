"""Screenshots of the running platform for the README.

    .venv/bin/python docs/screenshots.py   # needs Debian's chromium (apt-get install chromium)

Starts `make dev` on a spare port, materializes one sandbox slate through the UI's GraphQL
API (the daemon of `dagster dev` runs it), then has headless Chromium photograph the asset
graph and the asset-check page into docs/img/.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "img"
PORT = int(os.environ.get("SCREENSHOT_PORT", "3333"))
URL = f"http://127.0.0.1:{PORT}"
PARTITION = os.environ.get("SCREENSHOT_PARTITION", "2023-11-01")

LAUNCH = """mutation($p: ExecutionParams!) { launchRun(executionParams: $p) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } } }"""
STATUS = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"""


def _graphql(query: str, **variables: object) -> dict:
    body = httpx.post(
        f"{URL}/graphql", json={"query": query, "variables": variables}, timeout=60
    ).json()
    if "errors" in body:
        raise RuntimeError(body["errors"])
    return body["data"]


def _wait_for_server(process: subprocess.Popen, seconds: float = 300) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("make dev exited before the UI came up")
        try:
            if httpx.get(f"{URL}/server_info", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise TimeoutError("the Dagster UI did not come up")


def _materialize_one_slate() -> None:
    params = {
        "selector": {
            "repositoryLocationName": "nba_assets",
            "repositoryName": "__repository__",
            "jobName": "__ASSET_JOB",
            "assetSelection": [
                {"path": [a]} for a in ("games", "odds_snapshots", "player_stats", "game_results")
            ],
        },
        "executionMetadata": {"tags": [{"key": "dagster/partition", "value": PARTITION}]},
    }
    run_id = _graphql(LAUNCH, p=params)["launchRun"]["run"]["runId"]
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        status = _graphql(STATUS, id=run_id)["runOrError"]["status"]
        if status in ("SUCCESS", "FAILURE", "CANCELED"):
            print(f"run {run_id}: {status}")
            return
        time.sleep(2)
    raise TimeoutError("the run did not finish")


def _shoot(path: str, name: str) -> Path:
    target = OUT / name
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--window-size=1600,1000",
            "--virtual-time-budget=20000",
            f"--screenshot={target}",
            f"{URL}{path}",
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return target


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    stack = subprocess.Popen(
        ["make", "dev", f"PORT={PORT}"],
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for_server(stack)
        _materialize_one_slate()
        for path, name in (
            ("/asset-groups", "asset-graph.png"),
            ("/assets/odds_snapshots?view=checks", "asset-checks.png"),
        ):
            print(_shoot(path, name))
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(60)


if __name__ == "__main__":
    sys.exit(main())
