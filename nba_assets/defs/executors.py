"""Where a run's steps execute: in the run's own process, or on Celery workers.

``NBA_EXECUTOR`` picks: unset or ``in_process`` (the default, for a laptop and the test
suite), ``celery`` for the production profile (see ``deploy/celery/`` and
``docs/deploy.md``). Anything else fails the code location's load with the list of choices.

The Celery side reads three variables, in the run process that submits steps and in every
worker that executes them, so both ends agree without a second config file:

- ``NBA_CELERY_BROKER_URL``: where step tasks are queued (default: local Redis, db 0);
  ``amqp://guest:guest@127.0.0.1:5672//`` selects RabbitMQ;
- ``NBA_CELERY_BACKEND_URL``: where workers put each step's events for the run to read
  (default: local Redis, db 1; ``rpc://`` with RabbitMQ);
- ``NBA_CELERY_QUEUE``: the queue steps are sent to and workers listen on (default
  ``dagster``, dagster-celery's own default). A step tagged ``dagster-celery/queue`` goes
  to that queue instead.

Workers run ``celery -A nba_assets.defs.executors:celery_app worker -Q <queue>``.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import dagster as dg

if TYPE_CHECKING:
    from celery import Celery

EXECUTORS = ("in_process", "celery")

DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
DEFAULT_BACKEND_URL = "redis://127.0.0.1:6379/1"
DEFAULT_QUEUE = "dagster"

BROKER_ENV = "NBA_CELERY_BROKER_URL"
BACKEND_ENV = "NBA_CELERY_BACKEND_URL"
QUEUE_ENV = "NBA_CELERY_QUEUE"


def executor_from_env() -> dg.ExecutorDefinition:
    choice = os.environ.get("NBA_EXECUTOR", "in_process")
    if choice == "in_process":
        # Steps share one process: per-step process start-up dwarfs most of our steps.
        return dg.in_process_executor
    if choice == "celery":
        return celery_executor_from_env()
    raise ValueError(f"NBA_EXECUTOR={choice!r} is not one of: {', '.join(EXECUTORS)}")


def celery_queue() -> str:
    return os.environ.get(QUEUE_ENV) or DEFAULT_QUEUE


def _url_source(env: str, default: str) -> str | dict[str, str]:
    # A set variable stays an env reference, resolved in the process that runs the
    # executor (the run's), like the project's other secrets; unset means local Redis.
    return {"env": env} if os.environ.get(env) else default


def _config_source() -> dict[str, Any]:
    """Celery settings both ends share (on top of dagster-celery's own defaults).

    ``task_default_queue`` is where dagster-celery sends a step without a queue tag.
    Broker connection retries at start-up are explicit: Celery 5.3+ warns that their
    implicit default is going away.
    """
    return {
        "task_default_queue": celery_queue(),
        "broker_connection_retry_on_startup": True,
    }


def celery_executor_from_env() -> dg.ExecutorDefinition:
    """dagster-celery's executor, pointed at the broker, backend and queue of the environment.

    Step retries (each asset's ``RetryPolicy``) stay enabled, as in the in-process executor.
    """
    from dagster_celery import celery_executor

    return celery_executor.configured(
        {
            "broker": _url_source(BROKER_ENV, DEFAULT_BROKER_URL),
            "backend": _url_source(BACKEND_ENV, DEFAULT_BACKEND_URL),
            "config_source": _config_source(),
        },
        name="nba_celery",
    )


def celery_worker_app() -> Celery:
    """The Celery app workers run: dagster-celery's step task on the executor's settings.

    Built the way ``dagster-celery worker start`` builds its app, but from the same
    environment variables (and defaults) the executor reads, so a worker cannot silently
    listen on a different broker than the runs submit to.
    """
    from dagster_celery.executor import CeleryExecutor
    from dagster_celery.make_app import make_app
    from dagster_celery.tasks import create_task

    executor = CeleryExecutor.for_cli(
        broker=os.environ.get(BROKER_ENV) or DEFAULT_BROKER_URL,
        backend=os.environ.get(BACKEND_ENV) or DEFAULT_BACKEND_URL,
        config_source=_config_source(),
    )
    app = make_app(executor.app_args())
    create_task(app)
    return app


def __getattr__(name: str) -> object:
    # ``celery -A nba_assets.defs.executors:celery_app`` looks the app up by attribute; it is
    # built on first access so that loading the definitions never imports Celery.
    if name == "celery_app":
        app = celery_worker_app()
        globals()["celery_app"] = app
        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
