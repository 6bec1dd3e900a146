"""Where a run's steps execute: in the run's own process, or on Celery workers.

``NBA_EXECUTOR`` picks: unset or ``in_process`` (the default, for a laptop and the test
suite), ``celery`` for the production profile (see ``deploy/celery/``).
"""

from __future__ import annotations

import os

import dagster as dg


def executor_from_env() -> dg.ExecutorDefinition:
    choice = os.environ.get("NBA_EXECUTOR", "in_process")
    if choice == "in_process":
        # Steps share one process: per-step process start-up dwarfs most of our steps.
        return dg.in_process_executor
    raise ValueError(f"NBA_EXECUTOR={choice!r} is not one of: in_process, celery")
