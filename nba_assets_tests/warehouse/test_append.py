from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import text

from nba_assets.warehouse.append import append_idempotent
from nba_assets.warehouse.validation import FrameValidationError
from nba_assets_tests.warehouse.samples import GAME, T0, sample_rows


def _odds(n: int, start: datetime = T0) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "snapshot_time": pd.date_range(start, periods=n, freq="15min"),
            "game_id": GAME,
            "book_id": 1,
            "market": "spreads",
            "outcome": "home",
            "point": -3.5,
            "price_decimal": 1.91,
            "price_american": -110,
            "price_format": "decimal",
        }
    )


def _count(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(text(f"SELECT count(*) FROM nba.{table}")).scalar_one()


def test_appending_the_same_frame_twice_inserts_nothing_the_second_time(fresh_engine) -> None:
    frame = _odds(200)
    first = append_idempotent(
        fresh_engine, "odds_snapshots", frame, run_id=uuid.uuid4(), source="t"
    )
    second = append_idempotent(
        fresh_engine, "odds_snapshots", frame, run_id=uuid.uuid4(), source="t"
    )
    assert (first.offered, first.inserted, first.duplicates) == (200, 200, 0)
    assert (second.offered, second.inserted, second.duplicates) == (200, 0, 200)
    assert _count(fresh_engine, "odds_snapshots") == 200


def test_overlapping_frames_add_only_the_new_rows(fresh_engine) -> None:
    append_idempotent(fresh_engine, "odds_snapshots", _odds(100), run_id=uuid.uuid4(), source="t")
    later = _odds(100, T0 + timedelta(minutes=15 * 60))
    result = append_idempotent(
        fresh_engine, "odds_snapshots", later, run_id=uuid.uuid4(), source="t"
    )
    assert (result.inserted, result.duplicates) == (60, 40)
    assert _count(fresh_engine, "odds_snapshots") == 160


def test_rows_carry_lineage_and_utc(fresh_engine) -> None:
    run_id = uuid.uuid4()
    append_idempotent(fresh_engine, "odds_snapshots", _odds(1), run_id=run_id, source="sandbox")
    with fresh_engine.connect() as conn:
        row = conn.execute(
            text("SELECT run_id, source, snapshot_time, ingested_at FROM nba.odds_snapshots")
        ).one()
    assert row.run_id == run_id and row.source == "sandbox"
    assert row.snapshot_time == T0 and row.ingested_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda f: f.assign(snapshot_time=f["snapshot_time"].dt.tz_localize(None)),
            r"nba\.odds_snapshots\.snapshot_time .*naive datetime.*2023-10-24 16:00:00",
        ),
        (
            lambda f: f.drop(columns=["price_decimal"]),
            r"nba\.odds_snapshots: missing required column\(s\) \['price_decimal'\]",
        ),
        (
            lambda f: f.assign(book_id=["one"] + [1] * (len(f) - 1)),
            r"nba\.odds_snapshots\.book_id \(smallint\): not an integer; example bad value 'one'",
        ),
        (
            lambda f: f.assign(market=["moneyline"] * len(f)),
            r"nba\.odds_snapshots\.market .*not one of .*'moneyline'",
        ),
        (
            lambda f: f.assign(price_decimal=[None] * len(f)),
            r"nba\.odds_snapshots\.price_decimal .*null in a NOT NULL column",
        ),
        (lambda f: f.assign(bogus=1), r"unknown column\(s\) \['bogus'\]"),
    ],
    ids=["naive-datetime", "missing-column", "wrong-type", "bad-enum", "null", "unknown-column"],
)
def test_bad_frames_are_rejected_and_nothing_is_written(fresh_engine, mutate, expected) -> None:
    with pytest.raises(FrameValidationError, match=expected):
        append_idempotent(
            fresh_engine, "odds_snapshots", mutate(_odds(5)), run_id=uuid.uuid4(), source="t"
        )
    assert _count(fresh_engine, "odds_snapshots") == 0


def test_versioned_tables_add_a_version_only_when_content_changes(fresh_engine) -> None:
    game = sample_rows(player_id=1)["games"]

    def write(frame: pd.DataFrame) -> int:
        return append_idempotent(
            fresh_engine, "games", frame, run_id=uuid.uuid4(), source="sandbox"
        ).inserted

    assert write(game) == 1
    # A later poll that saw the same game: observation time moves, content does not.
    assert write(game.assign(observed_at=T0 + timedelta(hours=1))) == 0
    assert write(game.assign(status="final")) == 1
    assert write(game) == 1  # flipping back is a change too
    with fresh_engine.connect() as conn:
        versions = conn.execute(
            text("SELECT version, status FROM nba.games ORDER BY version")
        ).all()
    assert [tuple(v) for v in versions] == [(1, "scheduled"), (2, "final"), (3, "scheduled")]


def test_a_batch_is_a_sequence_of_observations(fresh_engine) -> None:
    game = sample_rows(player_id=1)["games"]
    statuses = ["scheduled", "scheduled", "in_progress", "in_progress", "final", "scheduled"]
    batch = pd.concat([game.assign(status=s) for s in statuses], ignore_index=True)
    result = append_idempotent(fresh_engine, "games", batch, run_id=uuid.uuid4(), source="s")
    assert (result.offered, result.inserted) == (6, 4)
    again = append_idempotent(fresh_engine, "games", batch.tail(1), run_id=uuid.uuid4(), source="s")
    assert again.inserted == 0  # equal to the latest stored version
    with fresh_engine.connect() as conn:
        rows = conn.execute(text("SELECT version, status FROM nba.games ORDER BY version")).all()
    assert [tuple(r) for r in rows] == [
        (1, "scheduled"),
        (2, "in_progress"),
        (3, "final"),
        (4, "scheduled"),
    ]


def test_odds_partitions_are_created_as_needed(fresh_engine) -> None:
    far = _odds(3, datetime.fromisoformat("2031-02-27T12:00:00+00:00"))
    append_idempotent(fresh_engine, "odds_snapshots", far, run_id=uuid.uuid4(), source="t")
    with fresh_engine.connect() as conn:
        names = (
            conn.execute(text("SELECT tableoid::regclass::text FROM nba.odds_snapshots GROUP BY 1"))
            .scalars()
            .all()
        )
        default_rows = conn.execute(
            text("SELECT count(*) FROM nba.odds_snapshots_default")
        ).scalar_one()
    assert names == ["nba.odds_snapshots_2031_02"]
    assert default_rows == 0


def test_missing_values_in_every_kind_of_column_arrive_as_null(fresh_engine) -> None:
    result = sample_rows(player_id=1)["game_results"]
    frame = pd.concat(
        [
            result.assign(home_periods=[[30, 25, 27, 25]], away_periods=[[28, 30, 31, 30]]),
            result.assign(game_id=GAME + 1, home_periods=[None], away_periods=[float("nan")]),
        ],
        ignore_index=True,
    )
    append_idempotent(fresh_engine, "game_results", frame, run_id=uuid.uuid4(), source="s")
    quarantine = pd.DataFrame(
        [
            {"target_table": "games", "reason": "r", "raw": None, "raw_text": None},
            {"target_table": "games", "reason": "", "raw": {"a": [1, None]}, "raw_text": "x"},
        ]
    )
    append_idempotent(fresh_engine, "quarantine", quarantine, run_id=uuid.uuid4(), source="s")
    with fresh_engine.connect() as conn:
        periods = conn.execute(
            text("SELECT home_periods, away_periods FROM nba.game_results ORDER BY game_id")
        ).all()
        kept = conn.execute(
            text("SELECT reason, raw, raw_text FROM nba.quarantine ORDER BY quarantine_id")
        ).all()
    assert [tuple(p) for p in periods] == [([30, 25, 27, 25], [28, 30, 31, 30]), (None, None)]
    assert [tuple(k) for k in kept] == [("r", None, None), ("", {"a": [1, None]}, "x")]


def test_frames_concatenated_from_arrow_chunks_arrive_intact(fresh_engine) -> None:
    """pandas.concat of an empty and a full Arrow-backed frame leaves string columns in two
    chunks while the others have one; the staged CSV must still carry the values."""
    game = sample_rows(player_id=1)["games"]
    game = game.assign(status=pd.array(game["status"], dtype="str"))
    frame = pd.concat([game.iloc[:0], game], ignore_index=True)
    assert frame["status"].array._pa_array.num_chunks == 2  # the shape that broke staging
    append_idempotent(fresh_engine, "games", frame, run_id=uuid.uuid4(), source="s")
    with fresh_engine.connect() as conn:
        status = conn.execute(text("SELECT status FROM nba.games")).scalar_one()
    assert status == game["status"].iloc[0]


def test_a_large_batch_stores_every_text_value_whether_constant_or_not(fresh_engine) -> None:
    """Text columns constant over a batch are staged as defaults, not copied: the stored
    rows must still carry every value, including one odd row the strided probe skips."""
    frame = _odds(3_000)
    frame["outcome"] = "home"
    frame.loc[frame.index[-2], "outcome"] = "away"  # only the full comparison sees it
    frame["source"] = "feed_a"
    run_id = uuid.uuid4()
    result = append_idempotent(fresh_engine, "odds_snapshots", frame, run_id=run_id, source="x")
    assert result.inserted == 3_000
    with fresh_engine.connect() as conn:
        stored = conn.execute(
            text(
                "SELECT outcome::text, source, run_id::text, price_format::text, count(*)"
                " FROM nba.odds_snapshots GROUP BY 1, 2, 3, 4 ORDER BY 1"
            )
        ).all()
    assert [tuple(r) for r in stored] == [
        ("away", "feed_a", str(run_id), "decimal", 1),
        ("home", "feed_a", str(run_id), "decimal", 2_999),
    ]
