"""The README's backfill command, as the tests that run it in a real subprocess spell it."""

from __future__ import annotations

import sys


def materialize_argv(select: str, partition_range: str, *extra: str) -> list[str]:
    """``dagster asset materialize`` on the project's definitions, in this interpreter."""
    return [
        sys.executable,
        "-m",
        "dagster",
        "asset",
        "materialize",
        "-m",
        "nba_assets.definitions",
        "--select",
        select,
        "--partition-range",
        partition_range,
        *extra,
    ]
