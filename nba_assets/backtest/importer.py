"""Loading an archive file into the warehouse: parse, resolve books, append, quarantine.

Everything goes through :func:`~nba_assets.warehouse.append.append_idempotent`, so a second
import of the same file inserts nothing: ``games`` and ``game_results`` are versioned (an
unchanged game adds no version), odds snapshots and markets are keyed by their event time.
The quarantine table has no natural key (it is a log), so records already quarantined by an
earlier import of the same file (same source, endpoint, reason and raw rows) are not written
again; otherwise every re-import would add the file's typos once more.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, text

from nba_assets.core.slates import season_label
from nba_assets.feeds.archive import (
    KAGGLE_BOOK,
    SBR_BOOK,
    ArchiveBook,
    ArchiveFormatError,
    parse_kaggle,
    parse_sbr,
    season_from_name,
)
from nba_assets.feeds.records import NormalizedBatch, QuarantineRecord
from nba_assets.warehouse import ingest
from nba_assets.warehouse.append import append_idempotent

Layout = Literal["sbr", "kaggle"]
LAYOUTS: dict[str, ArchiveBook] = {"sbr": SBR_BOOK, "kaggle": KAGGLE_BOOK}
TABLES = ("games", "game_results", "odds_snapshots", "markets")
KAGGLE_FILE = "nba_2008-2025.csv"


@dataclass(frozen=True)
class TableCount:
    table: str
    offered: int
    inserted: int
    quarantined: int

    @property
    def duplicates(self) -> int:
        return self.offered - self.inserted


@dataclass
class ImportReport:
    """What one import did, per table, and how many quarantine records were new."""

    layout: str
    path: Path
    season: int | None
    run_id: str
    counts: list[TableCount] = field(default_factory=list)
    quarantine_new: int = 0
    quarantine_known: int = 0

    @property
    def inserted(self) -> int:
        return sum(c.inserted for c in self.counts)

    def lines(self) -> list[str]:
        label = season_label(self.season) if self.season is not None else "all seasons"
        out = [
            f"imported {self.layout} archive {self.path} ({label}), run {self.run_id}",
            f"  {'table':<16}{'offered':>9}{'inserted':>10}{'duplicate':>11}{'quarantined':>13}",
        ]
        for c in self.counts:
            out.append(
                f"  {c.table:<16}{c.offered:>9,}{c.inserted:>10,}{c.duplicates:>11,}"
                f"{c.quarantined:>13,}"
            )
        out.append(
            f"  quarantine: {self.quarantine_new} new record(s), "
            f"{self.quarantine_known} already quarantined by an earlier import"
        )
        if self.inserted == 0 and self.quarantine_new == 0:
            out.append("  nothing new: every row was already in the warehouse (0 inserted)")
        return out


def parse_season(value: str | int | None) -> int | None:
    """``2018-19``, ``2018-2019`` or ``2018`` -> 2018 (the start year); None stays None."""
    if value is None or isinstance(value, int):
        return value
    head, _, tail = value.strip().partition("-")
    if not head.isdigit() or len(head) != 4:
        raise ValueError(f"season {value!r}: expected e.g. 2018-19")
    start = int(head)
    if tail and int(tail) % 100 != (start + 1) % 100:
        raise ValueError(f"season {value!r}: the second year must follow the first")
    return start


def archive_file(layout: Layout, path: str | Path, season: int | None) -> Path:
    """The file to read: ``path`` itself, or the right file inside a directory.

    A directory may be the archive folder itself or the shared ``data/real`` folder holding
    ``sbr_archive/`` and ``kaggle_nba_2008_2025/``. SBR files are chosen by season.
    """
    root = Path(path)
    if root.is_file():
        return root
    if not root.is_dir():
        raise FileNotFoundError(f"{root} is neither a file nor a directory")
    if layout == "sbr":
        if season is None:
            raise ArchiveFormatError(f"{root} is a directory: pass --season to pick the file")
        name = f"nba odds {season_label(season)}.csv"
        candidates = [root / name, root / "sbr_archive" / name]
    else:
        candidates = [root / KAGGLE_FILE, root / "kaggle_nba_2008_2025" / KAGGLE_FILE]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"no {layout} archive file in {root} (looked for {candidates})")


def parse_archive(layout: Layout, file: Path, season: int | None) -> NormalizedBatch:
    if layout == "sbr":
        return parse_sbr(file, season)
    if layout == "kaggle":
        return parse_kaggle(file, season)
    raise ValueError(f"unknown layout {layout!r}; expected one of {sorted(LAYOUTS)}")


def import_archive(
    engine: Engine,
    layout: Layout,
    path: str | Path,
    season: str | int | None = None,
    *,
    run_id: str | uuid.UUID | None = None,
) -> ImportReport:
    """Parse ``path`` as ``layout`` and append everything new to the warehouse."""
    start = parse_season(season)
    file = archive_file(layout, path, start)
    if layout == "sbr" and start is None:
        start = season_from_name(file)
    batch = parse_archive(layout, file, start)
    book = LAYOUTS[layout]
    run = str(run_id or uuid.uuid4())
    report = ImportReport(layout, file, start, run)
    rejected = Counter(r.target_table for r in batch.quarantine)

    games = batch["games"]
    ingest.games_source_ids(engine, games, book.source)
    odds = ingest.odds_rows(engine, batch["odds_snapshots"], book.source)
    frames = {
        "games": games,
        "game_results": batch["game_results"],
        "odds_snapshots": odds,
        "markets": ingest.markets_rows(odds),
    }
    for table in TABLES:
        result = append_idempotent(engine, table, frames[table], run_id=run, source=book.source)
        report.counts.append(
            TableCount(table, result.offered, result.inserted, rejected.get(table, 0))
        )
    fresh = _not_yet_quarantined(engine, batch.quarantine, book.source)
    report.quarantine_known = len(batch.quarantine) - len(fresh)
    report.quarantine_new = ingest.write_quarantine(
        engine, fresh, run_id=run, source=book.source, partition_key=_partition(start)
    )
    return report


def _partition(season: int | None) -> str | None:
    return season_label(season) if season is not None else None


def _fingerprint(endpoint: str | None, reason: str, raw: object) -> tuple[str | None, str, str]:
    return endpoint, reason, json.dumps(raw, sort_keys=True, default=str)


def _not_yet_quarantined(
    engine: Engine, records: list[QuarantineRecord], source: str
) -> list[QuarantineRecord]:
    if not records:
        return []
    endpoints = sorted({r.endpoint for r in records if r.endpoint is not None})
    with engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT endpoint, reason, raw FROM nba.quarantine"
                " WHERE source = :source AND endpoint = ANY(:endpoints)"
            ),
            {"source": source, "endpoints": endpoints},
        ).all()
    seen = {_fingerprint(e, r, raw) for e, r, raw in stored}
    fresh, batch_seen = [], set()
    for record in records:
        key = _fingerprint(record.endpoint, record.reason, record.raw)
        if key not in seen and key not in batch_seen:
            fresh.append(record)
            batch_seen.add(key)
    return fresh
