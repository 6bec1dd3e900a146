"""Data-quality scores per slate and table (filled in by the quality work)."""
