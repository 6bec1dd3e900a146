"""Features, ratings, the two value algorithms, grading and calibration.

Every function here is pure: DataFrames (and frozen configuration dataclasses) in, DataFrames
out, so the Dagster layer stays a thin recipe and every number can be reproduced in a test or
a notebook from the same inputs. Frames destined for a warehouse table carry exactly that
table's columns minus the ones the writer fills (``version``, ``row_hash``, ``ingested_at``,
``run_id``, ``source``); the column lists live in :mod:`nba_assets.analytics.columns`.
"""
