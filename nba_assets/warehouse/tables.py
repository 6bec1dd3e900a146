"""What the writers and readers need to know about each fact table beyond its DDL.

The DDL (migrations) is the truth for columns and types; this registry adds the semantics
the database cannot state: the natural key, whether a key carries versions, which column
is event time, and which columns only record when a fact was observed (and so must not
make an unchanged fact look like a new version).
"""

from __future__ import annotations

from dataclasses import dataclass

SCHEMA = "nba"


@dataclass(frozen=True)
class FactTable:
    name: str
    key: tuple[str, ...]
    versioned: bool = False
    event_time: str | None = None
    entity: tuple[str, ...] | None = None
    observation_columns: tuple[str, ...] = ()
    # Columns to insert in (the unique index's order): a backfill then fills the index
    # left to right, so pages split 90/10 at its right edge instead of 50/50 anywhere.
    insert_order: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        return f"{SCHEMA}.{self.name}"

    @property
    def entity_key(self) -> tuple[str, ...]:
        """The columns naming "one thing" whose latest state a point-in-time read returns."""
        return self.entity if self.entity is not None else self.key


_VALUE_KEY = ("game_id", "book_id", "market", "outcome", "point", "algorithm", "algorithm_version")

FACT_TABLES: dict[str, FactTable] = {
    t.name: t
    for t in (
        FactTable("games", ("game_id", "source"), True, "observed_at", None, ("observed_at",)),
        FactTable("markets", ("game_id", "market", "point"), event_time="first_seen_at"),
        FactTable(
            "odds_snapshots",
            ("game_id", "book_id", "market", "outcome", "point", "snapshot_time"),
            event_time="snapshot_time",
            entity=("game_id", "book_id", "market", "outcome", "point"),
            insert_order=("game_id", "book_id", "market", "outcome", "snapshot_time", "point"),
        ),
        FactTable(
            "player_stats",
            ("game_id", "player_id", "source"),
            True,
            "observed_at",
            None,
            ("observed_at",),
        ),
        FactTable(
            "team_stats", ("team_id", "as_of_date"), True, "inputs_as_of", None, ("inputs_as_of",)
        ),
        FactTable("schedule_context", ("game_id", "team_id"), True),
        # A report is a new version of a player's status only when something in it changed;
        # reported_at records when the change was first seen.
        FactTable(
            "injuries",
            ("player_id", "source"),
            True,
            "reported_at",
            ("player_id",),
            ("reported_at",),
        ),
        # BallDontLie gives no completion time, so completed_at is when a poll first saw the
        # final score: an observation, not content.
        FactTable(
            "game_results", ("game_id", "source"), True, "completed_at", None, ("completed_at",)
        ),
        FactTable(
            "model_predictions",
            ("game_id", "model", "model_version", "predicted_at"),
            event_time="predicted_at",
            entity=("game_id", "model", "model_version"),
        ),
        FactTable(
            "value_scores",
            (*_VALUE_KEY, "scored_at"),
            event_time="scored_at",
            entity=_VALUE_KEY,
        ),
        FactTable("grades", (*_VALUE_KEY, "scored_at"), True, "graded_at", None, ("graded_at",)),
        FactTable(
            "calibration_metrics",
            ("algorithm", "algorithm_version", "market", "window_name", "window_end"),
            True,
            "computed_at",
            None,
            ("computed_at",),
        ),
        # computed_at is when a score was computed: recomputing an unchanged score is an
        # observation, not a new version.
        FactTable(
            "quality_scores",
            ("slate_date", "table_name"),
            True,
            "computed_at",
            None,
            ("computed_at",),
        ),
        FactTable("quarantine", ()),
        FactTable("feed_requests", ()),
    )
}

# Columns the writer fills in itself; frames never need to carry them.
WRITER_COLUMNS = frozenset({"ingested_at", "run_id", "source", "version", "row_hash"})


def fact_table(name: str) -> FactTable:
    try:
        return FACT_TABLES[name]
    except KeyError:
        raise ValueError(
            f"{name!r} is not a fact table; known: {', '.join(sorted(FACT_TABLES))}"
        ) from None
