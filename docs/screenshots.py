"""Screenshots of the running platform for the README.

    .venv/bin/python docs/screenshots.py   # needs Debian's chromium (apt-get install chromium)

Starts `make dev` on a spare port, materializes one sandbox slate through the UI's GraphQL
API (the daemon of `dagster dev` runs it), then has headless Chromium photograph the asset
graph and the asset-check page into docs/img/.
"""

from __future__ import annotations

import base64
import json
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


class _Browser:
    """Headless Chromium driven over the DevTools protocol (websockets, no extra package).

    A plain `chromium --screenshot` cannot dismiss the UI's first-visit dialog; this can.
    """

    def __init__(self) -> None:
        port = 9333
        self.process = subprocess.Popen(
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
                f"--remote-debugging-port={port}",
                f"--user-data-dir={OUT / '.chromium'}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                targets = httpx.get(f"http://127.0.0.1:{port}/json", timeout=2).json()
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        page = next(t for t in targets if t["type"] == "page")
        from websockets.sync.client import connect

        self.ws = connect(page["webSocketDebuggerUrl"], max_size=None).__enter__()
        self.next_id = 0

    def call(self, method: str, **params: object) -> dict:
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                return message.get("result", {})

    def shoot(self, path: str, name: str) -> Path:
        self.call("Page.navigate", url=f"{URL}{path}")
        time.sleep(8)  # let the single-page app fetch and render
        self.call(
            "Runtime.evaluate",
            expression=(
                "[...document.querySelectorAll('button')]"
                ".filter(b => b.innerText.trim() === 'Skip')"
                ".forEach(b => b.click())"
            ),
        )
        time.sleep(2)
        shot = self.call("Page.captureScreenshot", format="png")
        target = OUT / name
        target.write_bytes(base64.b64decode(shot["data"]))
        return target

    def close(self) -> None:
        self.ws.close()
        self.process.terminate()


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
        browser = _Browser()
        try:
            for path, name in (
                ("/asset-groups", "asset-graph.png"),
                ("/assets/odds_snapshots?view=checks", "asset-checks.png"),
            ):
                print(browser.shoot(path, name))
        finally:
            browser.close()
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        stack.wait(60)


if __name__ == "__main__":
    sys.exit(main())
