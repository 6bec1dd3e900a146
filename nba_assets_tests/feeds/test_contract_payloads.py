"""Contract tests over the recorded bodies in ``shared/data/payloads`` (see SOURCES.md).

Every file for The Odds API v4 and BallDontLie v1 goes through the normaliser of its
endpoint. The NFL documentation examples must not crash: their teams are not NBA teams, so
they become quarantine records naming the team. Skipped when ``shared/`` is absent.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from typing import Any

import pytest

from nba_assets.core.slates import game_id_for
from nba_assets.feeds.balldontlie import normalize_games, normalize_injuries
from nba_assets.feeds.odds_api import normalize_odds, normalize_scores
from nba_assets.feeds.records import TABLE_COLUMNS, NormalizedBatch
from nba_assets_tests.feeds.fakes import PAYLOADS, shared_payload, with_nba_names

POLLED = datetime(2022, 11, 23, 1, 6, tzinfo=UTC)

ODDS_AMERICAN = partial(normalize_odds, observed_at=POLLED, price_format="american")
ODDS_DECIMAL = partial(normalize_odds, observed_at=POLLED)
SCORES = partial(normalize_scores, observed_at=POLLED)
BDL_GAMES = partial(normalize_games, observed_at=POLLED)
BDL_INJURIES = partial(normalize_injuries, observed_at=POLLED)

# Each file and the normaliser of its endpoint, in the odds format its request used.
CONTRACTS: dict[str, Callable[[Any], NormalizedBatch]] = {
    "theoddsapi_v4_odds_nba_h2h_spreads_totals_american_2022-11-23.json": ODDS_AMERICAN,
    "theoddsapi_v4_odds_docs_example_nfl_2021.json": ODDS_AMERICAN,
    "theoddsapi_v4_historical_odds_envelope_docs_example.json": ODDS_DECIMAL,
    "theoddsapi_v4_historical_events_envelope_docs_example.json": ODDS_DECIMAL,
    "theoddsapi_v4_historical_event_odds_envelope_docs_example.json": ODDS_DECIMAL,
    "theoddsapi_v4_historical_odds_envelope_2021_official_page.json": ODDS_DECIMAL,
    "theoddsapi_v4_scores_nba_comment_capture_2023-05.json": SCORES,
    "balldontlie_v1_nba_games_capture_2024-04-04.json": BDL_GAMES,
    "balldontlie_nba_player_injuries_user_doc_2025-10.json": BDL_INJURIES,
    "balldontlie_nfl_v1_player_injuries_docs.json": BDL_INJURIES,
}

# Bodies of endpoints this layer does not normalise; the pagination ones are exercised
# through the client in test_clients.py.
NOT_NORMALISED = {
    "balldontlie_legacy_players_page_based_docs.json": "legacy page-based /players (client test)",
    "balldontlie_v1_pagination_meta_docs.json": "pagination meta only (client test)",
    "balldontlie_nba_v2_player_props_openapi_example.json": "/nba/v2 player props: not used",
    "sbrscrape_scoreboard_game_readme_nfl.json": "a scraper library's shape, not a feed here",
}

NFL_TEAMS = {
    "theoddsapi_v4_odds_docs_example_nfl_2021.json": "Tampa Bay Buccaneers",
    "theoddsapi_v4_historical_odds_envelope_docs_example.json": "Houston Texans",
    "theoddsapi_v4_historical_events_envelope_docs_example.json": "Houston Texans",
    "theoddsapi_v4_historical_event_odds_envelope_docs_example.json": "Houston Texans",
    "balldontlie_nfl_v1_player_injuries_docs.json": "Cleveland Browns",
}


def test_every_payload_file_is_accounted_for() -> None:
    if not PAYLOADS.is_dir():
        pytest.skip(f"{PAYLOADS} is absent")
    names = {p.name for p in PAYLOADS.glob("*.json")}
    unaccounted = names - set(CONTRACTS) - set(NOT_NORMALISED)
    assert not unaccounted, f"new payload files need a contract: {sorted(unaccounted)}"


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_payload_normalises_into_table_shaped_frames(name: str) -> None:
    batch = CONTRACTS[name](shared_payload(name))
    for table, frame in batch.tables.items():
        assert list(frame.columns) == list(TABLE_COLUMNS[table])
        for column, kind in TABLE_COLUMNS[table].items():
            if kind == "utc":
                assert str(frame[column].dtype.tz) == "UTC"
    for record in batch.quarantine:
        assert record.reason and record.target_table in TABLE_COLUMNS


@pytest.mark.parametrize("name", sorted(NFL_TEAMS))
def test_nfl_examples_become_unknown_team_quarantine(name: str) -> None:
    batch = CONTRACTS[name](shared_payload(name))
    assert all(frame.empty for frame in batch.tables.values())
    assert batch.quarantine
    assert f"unknown team {NFL_TEAMS[name]!r}" in batch.quarantine[0].reason


def test_nba_odds_capture_2022_11_23() -> None:
    name = "theoddsapi_v4_odds_nba_h2h_spreads_totals_american_2022-11-23.json"
    batch = CONTRACTS[name](shared_payload(name))
    odds, games = batch["odds_snapshots"], batch["games"]
    assert batch.quarantine == []
    # 4 books: fanduel, draftkings, pointsbetus with 3 markets x 2; betfair h2h only
    # (its h2h_lay market is not one of ours).
    assert len(odds) == 20
    assert set(odds["book_key"]) == {"fanduel", "draftkings", "betfair", "pointsbetus"}
    assert set(odds["market"]) == {"h2h", "spreads", "totals"}
    # Tip-off 00:32Z on 23 Nov is 7:32 pm on the 22nd in New York: the 22 Nov slate.
    assert set(odds["game_id"]) == {game_id_for(date(2022, 11, 22), 23)}
    fanduel = odds[(odds["book_key"] == "fanduel") & (odds["market"] == "h2h")]
    prices = dict(zip(fanduel["outcome"], fanduel["price_american"], strict=True))
    assert prices == {"away": -140, "home": 110}  # Nets listed first, matched by name
    spreads = odds[(odds["book_key"] == "fanduel") & (odds["market"] == "spreads")]
    assert dict(zip(spreads["outcome"], spreads["point"], strict=True)) == {
        "away": -2.5,
        "home": 2.5,
    }
    # No market-level last_update in 2022: the bookmaker's stands in.
    assert set(fanduel["last_update"]) == {datetime(2022, 11, 23, 1, 5, 10, tzinfo=UTC)}
    [game] = games.to_dict("records")
    assert (game["home_team_id"], game["away_team_id"], game["status"]) == (23, 3, "in_progress")


def test_historical_envelope_markets_with_nba_names() -> None:
    body = with_nba_names(
        shared_payload("theoddsapi_v4_historical_odds_envelope_docs_example.json")
    )
    batch = normalize_odds(body, observed_at=POLLED)
    odds = batch["odds_snapshots"]
    assert batch.quarantine == []
    assert set(odds["snapshot_time"]) == {datetime(2023, 10, 10, 12, 10, 39, tzinfo=UTC)}
    assert dict(zip(odds["outcome"], odds["price_decimal"], strict=True)) == {
        "home": 2.23,
        "away": 1.45,
    }
    assert set(odds["price_american"]) == {123, -222}


def test_historical_event_odds_object_data_skips_alternate_markets() -> None:
    body = with_nba_names(
        shared_payload("theoddsapi_v4_historical_event_odds_envelope_docs_example.json")
    )
    batch = normalize_odds(body, observed_at=POLLED)
    assert batch["odds_snapshots"].empty and batch.quarantine == []
    assert batch["games"]["source_game_id"].tolist() == ["e912304de2b2ce35b473ce2ecd3d1502"]


def test_scores_capture_shape_and_null_handling() -> None:
    name = "theoddsapi_v4_scores_nba_comment_capture_2023-05.json"
    batch = CONTRACTS[name](shared_payload(name))
    assert batch["games"]["status"].tolist() == ["final", "scheduled"]
    # The capture was hand-edited: its score names do not match its teams.
    [rejected] = batch.quarantine
    assert rejected.target_table == "game_results" and "matches neither" in rejected.reason


def test_scores_capture_with_consistent_names_gives_the_result() -> None:
    body = copy.deepcopy(shared_payload("theoddsapi_v4_scores_nba_comment_capture_2023-05.json"))
    body[0]["scores"][1]["name"] = "Miami Heat"
    [result] = normalize_scores(body, observed_at=POLLED)["game_results"].to_dict("records")
    assert (result["home_score"], result["away_score"]) == (112, 88)


def test_balldontlie_games_capture_2024_04_04() -> None:
    name = "balldontlie_v1_nba_games_capture_2024-04-04.json"
    batch = CONTRACTS[name](shared_payload(name))
    games = batch["games"]
    assert batch.quarantine == [] and batch["game_results"].empty
    assert games["game_id"].tolist() == [
        game_id_for(date(2024, 4, 4), 16),
        game_id_for(date(2024, 4, 4), 20),
    ]
    assert games["status"].tolist() == ["scheduled", "scheduled"]
    assert games["season"].tolist() == [2023, 2023]
    assert set(games["commence_time"]) == {datetime(2024, 4, 4, 23, 30, tzinfo=UTC)}
    assert games["away_team_id"].tolist() == [23, 26]


def test_balldontlie_injury_user_doc() -> None:
    name = "balldontlie_nba_player_injuries_user_doc_2025-10.json"
    reported = datetime(2025, 10, 21, 18, tzinfo=UTC)
    batch = normalize_injuries(shared_payload(name), observed_at=reported, team_ids={14: 14})
    [row] = batch["injuries"].to_dict("records")
    assert (row["status"], row["return_date"], row["team_id"]) == ("out", date(2025, 11, 18), 14)
    assert row["description"].startswith("Sciatica")
