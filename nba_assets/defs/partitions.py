"""The one partitioning of the platform: NBA slate dates (DESIGN §5)."""

from __future__ import annotations

import os

import dagster as dg

DEFAULT_SEASON_START = "2023-10-24"

# Slate dates are New York calendar days; end_offset=1 makes today's slate exist so the
# 15-minute cadence can load it while it is still being played.
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=os.environ.get("NBA_SEASON_START", DEFAULT_SEASON_START),
    timezone="America/New_York",
    end_offset=1,
)
