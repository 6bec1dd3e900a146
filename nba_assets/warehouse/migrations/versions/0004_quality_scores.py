"""Data-quality scores: one versioned row per slate and table whenever its score changes.

Revision ID: 0004
Revises: 0003

``nba.quality_scores`` is a fact table like the others of ``0001``: lineage columns
(``ingested_at``, ``run_id``, ``source``), a version and row hash per natural key
(``slate_date``, ``table_name``), the append-only triggers, and the privileges of the
``0002`` roles (``nba_analyst`` reads, ``nba_writer`` reads and appends). The grants are
spelled out even though ``0002``'s default privileges would add the same ones: default
privileges only cover tables the role that set them creates, and a migration must not
depend on who runs it. Dropping the table drops its triggers and grants with it, so
``downgrade`` is one statement and up-down-up leaves the catalogue as it was.

A dimension is NULL when it cannot be measured for that table and slate (no second feed to
agree with, no suite to run); ``score`` is then the weighted mean of the measured ones.
``computed_at`` is when the score was computed: an observation, not content, so a
recomputation that finds the same scores adds no version.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# Frozen here rather than imported: a migration keeps doing what it did when first applied.
ANALYST = "nba_analyst"
WRITER = "nba_writer"

_DIMENSION = "double precision CHECK ({0} BETWEEN 0 AND 100)"

DDL = f"""
CREATE TABLE nba.quality_scores (
    slate_date date NOT NULL,
    table_name text NOT NULL CHECK (table_name <> ''),
    completeness {_DIMENSION.format("completeness")},
    accuracy {_DIMENSION.format("accuracy")},
    consistency {_DIMENSION.format("consistency")},
    timeliness {_DIMENSION.format("timeliness")},
    validity {_DIMENSION.format("validity")},
    score double precision NOT NULL CHECK (score BETWEEN 0 AND 100),
    details jsonb NOT NULL DEFAULT '{{}}',
    computed_at timestamptz NOT NULL,
    version integer NOT NULL CHECK (version >= 1),
    row_hash uuid NOT NULL,
    ingested_at timestamptz NOT NULL DEFAULT now(),
    run_id uuid NOT NULL,
    source text NOT NULL,
    UNIQUE (slate_date, table_name, version)
);

CREATE TRIGGER quality_scores_append_only BEFORE UPDATE OR DELETE ON nba.quality_scores
    FOR EACH ROW EXECUTE FUNCTION nba.reject_mutation();
CREATE TRIGGER quality_scores_no_truncate BEFORE TRUNCATE ON nba.quality_scores
    FOR EACH STATEMENT EXECUTE FUNCTION nba.reject_mutation();

GRANT SELECT ON nba.quality_scores TO {ANALYST};
GRANT SELECT, INSERT ON nba.quality_scores TO {WRITER};
"""


def upgrade() -> None:
    op.execute(DDL)


def downgrade() -> None:
    op.execute("DROP TABLE nba.quality_scores")
