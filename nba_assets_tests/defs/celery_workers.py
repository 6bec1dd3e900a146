"""Real Celery workers for tests: a reachable broker, worker processes, reliable teardown.

Workers are started exactly as ``deploy/celery/README.md`` tells an operator to
(``celery -A nba_assets.defs.executors:celery_app worker``), each in its own process group
so that the Celery parent and its pool children all go down together, whatever happened in
the test.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from celery import Celery
from kombu import Connection, Exchange, Queue

APP = "nba_assets.defs.executors:celery_app"
READY_SECONDS = 90.0
STOP_SECONDS = 20.0


@dataclass(frozen=True)
class Broker:
    """A broker/result-backend pair as the executor and the workers are configured with."""

    kind: str
    broker_url: str
    backend_url: str


# Redis first: the profile's default. RabbitMQ answers for the results with ``rpc://``
# (replies go back to the run process that sent the task, which is the only reader).
CANDIDATES = (
    Broker("redis", "redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/1"),
    Broker("rabbitmq", "amqp://guest:guest@127.0.0.1:5672//", "rpc://"),
)


def reachable(broker: Broker, timeout: float = 2.0) -> str | None:
    """None when the broker accepts a connection, else why not (for a skip reason)."""
    try:
        with Connection(broker.broker_url, connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
    except Exception as exc:
        return f"{broker.kind} at {broker.broker_url} is not reachable: {exc}"
    return None


@dataclass
class Worker:
    """One ``celery worker`` process (its own session and process group) and its log."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    pool_pids: frozenset[int] = frozenset()

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


def _stop(worker: Worker) -> None:
    """Warm shutdown (SIGTERM to the whole group), then SIGKILL whatever is left of it.

    The group, not the pid: a pool child outliving a crashed parent is killed as well.
    """
    pgid = worker.process.pid  # its own session: the group id is the parent's pid
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        worker.process.wait(timeout=STOP_SECONDS)
    with suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)
    worker.process.wait(timeout=STOP_SECONDS)


def delete_queue(broker: Broker, queue: str) -> None:
    """Remove the test's queue from the broker, so runs leave nothing behind.

    RabbitMQ deletes a queue by name. kombu's Redis transport unbinds only what the calling
    channel itself bound, so it first declares the binding Celery made for the queue (an
    exchange and a routing key named after it).
    """
    with Connection(broker.broker_url, connect_timeout=5) as conn:
        channel = conn.default_channel
        if broker.kind == "redis":
            Queue(queue, Exchange(queue, "direct"), routing_key=queue)(channel).declare()
        channel.queue_delete(queue)


def _control_app(broker: Broker) -> Celery:
    return Celery("nba-test-control", broker=broker.broker_url, backend=broker.backend_url)


def _await_ready(workers: list[Worker], broker: Broker, queue: str) -> None:
    """Poll the workers over the broker until each answers and consumes ``queue``.

    Asking the workers themselves (rather than reading their logs) proves the whole path
    a task takes: broker, worker, and the queue binding.
    """
    app = _control_app(broker)
    names = [w.name for w in workers]
    deadline = time.monotonic() + READY_SECONDS
    try:
        while True:
            for worker in workers:
                if worker.process.poll() is not None:
                    raise RuntimeError(
                        f"worker {worker.name} exited with {worker.process.returncode}:\n"
                        f"{worker.log_tail()}"
                    )
            inspector = app.control.inspect(destination=names, timeout=1.0)
            queues = inspector.active_queues() or {}
            listening = {name for name, qs in queues.items() if any(q["name"] == queue for q in qs)}
            ready = listening == set(names)
            stats = (inspector.stats() or {}) if ready else {}
            if ready and set(stats) >= set(names):
                for worker in workers:
                    worker.pool_pids = frozenset(stats[worker.name]["pool"]["processes"])
                return
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {w.name}\n{w.log_tail()}" for w in workers)
                raise TimeoutError(
                    f"workers not ready in {READY_SECONDS:.0f} s (listening: {listening})\n{logs}"
                )
    finally:
        app.close()


def executed_tasks(workers: list[Worker], broker: Broker) -> dict[str, dict[str, int]]:
    """Tasks each worker ran since it started, by task name (from ``inspect stats``).

    Asked again until every worker has answered (a busy machine can miss one reply window).
    """
    app = _control_app(broker)
    names = {w.name for w in workers}
    answered: dict[str, dict[str, int]] = {}
    deadline = time.monotonic() + READY_SECONDS
    try:
        while set(answered) != names and time.monotonic() < deadline:
            missing = sorted(names - set(answered))
            stats = app.control.inspect(destination=missing, timeout=2.0).stats() or {}
            answered.update({name: dict(s.get("total", {})) for name, s in stats.items()})
    finally:
        app.close()
    return answered


@contextmanager
def celery_workers(
    count: int,
    *,
    broker: Broker,
    queue: str,
    env: Mapping[str, str],
    cwd: Path,
    log_dir: Path,
) -> Iterator[list[Worker]]:
    """Start ``count`` single-process workers on ``queue``; stop them all on exit.

    One pool process each: two workers are then two separate places a step can run, which
    is what the test must tell apart. Gossip, mingle and heartbeats are off so workers of
    parallel test runs on the same broker neither wait for nor talk to each other.
    """
    tag = uuid.uuid4().hex[:8]
    workers: list[Worker] = []
    try:
        for i in range(1, count + 1):
            name = f"nba-test-{tag}-w{i}@{os.uname().nodename}"
            log = log_dir / f"worker-{i}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "celery",
                        "-A",
                        APP,
                        "worker",
                        "--queues",
                        queue,
                        "--hostname",
                        name,
                        "--concurrency",
                        "1",
                        "--prefetch-multiplier",
                        "1",
                        "--without-gossip",
                        "--without-mingle",
                        "--without-heartbeat",
                        "--loglevel",
                        "INFO",
                    ],
                    cwd=cwd,
                    env=dict(env),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            workers.append(Worker(name=name, process=process, log=log))
        _await_ready(workers, broker, queue)
        yield workers
    finally:
        for worker in workers:
            _stop(worker)
        delete_queue(broker, queue)
