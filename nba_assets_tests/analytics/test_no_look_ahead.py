"""A prediction made at T with what was known at K cannot change when the warehouse
learns more after K, however early the new facts claim to have happened."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import dagster as dg
import pandas as pd
import pytest
from sqlalchemy import text

from nba_assets.analytics.slate_predictions import predict_slate
from nba_assets.core.slates import utc_now
from nba_assets.defs.assets import ingest, model
from nba_assets.defs.resources import FeedsResource, WarehouseResource
from nba_assets.warehouse import reads
from nba_assets.warehouse.append import append_idempotent
from nba_assets.warehouse.engine import engine_for

SLATE = date(2023, 11, 4)
COLUMNS = ["game_id", "pred_margin", "pred_total", "p_home_win"]


@pytest.fixture(scope="module")
def loaded(pg_server, template_db):
    url = pg_server.create(template=template_db)
    selection = [
        ingest.games,
        ingest.player_stats,
        ingest.game_results,
        ingest.injuries,
        model.team_stats,
        model.schedule_context,
    ]
    dagster_db = pg_server.create().replace("postgresql://", "postgresql+psycopg2://", 1)
    with dg.instance_for_test(
        overrides={"storage": {"postgres": {"postgres_url": dagster_db}}}
    ) as instance:
        result = dg.materialize(
            selection,
            resources={"warehouse": WarehouseResource(database_url=url), "feeds": FeedsResource()},
            instance=instance,
            tags={
                "dagster/asset_partition_range_start": "2023-10-31",
                "dagster/asset_partition_range_end": SLATE.isoformat(),
            },
        )
    assert result.success
    return engine_for(url)


def _learn_more_later(engine, at) -> None:
    """Facts dated before T but ingested now: a star ruled out, a stronger home team."""
    games = reads.games(engine, reads.slate_game_ids(SLATE), utc_now())
    home = int(games.iloc[0]["home_team_id"])
    with engine.connect() as conn:
        star = conn.execute(
            text(
                "SELECT player_id FROM nba.player_stats WHERE team_id = :t"
                " GROUP BY 1 ORDER BY sum(minutes) DESC LIMIT 1"
            ),
            {"t": home},
        ).scalar_one()
    report = pd.DataFrame(
        [
            {
                "player_id": star,
                "team_id": home,
                "status": "out",
                "status_raw": "Out",
                "play_probability": 0.0,
                "probability_rule": "status-default@1",
                "description": "late scratch",
                "reported_at": at - timedelta(hours=2),
            }
        ]
    )
    append_idempotent(engine, "injuries", report, run_id=uuid.uuid4(), source="sandbox_balldontlie")
    ratings = reads.team_stats(engine, SLATE, utc_now())
    is_home = ratings["team_id"] == home
    boosted = ratings.assign(
        off_rating=ratings["off_rating"].where(~is_home, ratings["off_rating"] + 15),
        net_rating=ratings["net_rating"].where(~is_home, ratings["net_rating"] + 15),
    )
    append_idempotent(engine, "team_stats", boosted, run_id=uuid.uuid4(), source="test")


def test_predictions_ignore_rows_ingested_after_their_knowledge_time(loaded) -> None:
    engine = loaded
    games = reads.games(engine, reads.slate_game_ids(SLATE), utc_now())
    at = pd.to_datetime(games["commence_time"], utc=True).min().to_pydatetime() - timedelta(hours=1)
    known = utc_now()
    before = predict_slate(engine, SLATE, at, known)[COLUMNS]
    assert len(before) == len(games)

    _learn_more_later(engine, at)

    again = predict_slate(engine, SLATE, at, known)[COLUMNS]
    pd.testing.assert_frame_equal(again.reset_index(drop=True), before.reset_index(drop=True))
    # The same call with today's knowledge does see the new facts: the test can fail.
    informed = predict_slate(engine, SLATE, at, utc_now())[COLUMNS]
    assert not informed["pred_margin"].round(6).equals(before["pred_margin"].round(6))
