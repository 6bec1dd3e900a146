"""The Odds API bodies into odds_snapshots / games / game_results rows, record by record."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime
from typing import Any

import pandas as pd
import pytest

from nba_assets.core.slates import NaiveDatetimeError, game_id_for
from nba_assets.feeds.errors import PayloadError
from nba_assets.feeds.odds_api import normalize_odds, normalize_scores
from nba_assets.feeds.records import TABLE_COLUMNS
from nba_assets_tests.feeds.fakes import NOW, bookmaker, odds_event

LAKERS_CELTICS = game_id_for(date(2024, 1, 15), 14)


def rows(payload: Any, **kwargs: Any) -> pd.DataFrame:
    return normalize_odds(payload, observed_at=NOW, **kwargs)["odds_snapshots"]


def side_prices(frame: pd.DataFrame, market: str) -> dict[str, tuple[float, float]]:
    chosen = frame[frame["market"] == market]
    return {
        o: (p, d)
        for o, p, d in zip(chosen["outcome"], chosen["point"], chosen["price_decimal"], strict=True)
    }


def test_one_row_per_book_market_outcome_with_both_prices() -> None:
    batch = normalize_odds([odds_event()], observed_at=NOW)
    odds = batch["odds_snapshots"]
    assert batch.quarantine == []
    assert list(odds.columns) == list(TABLE_COLUMNS["odds_snapshots"])
    assert len(odds) == 6
    assert set(odds["game_id"]) == {LAKERS_CELTICS}
    assert side_prices(odds, "h2h") == {"away": (0.0, 2.5), "home": (0.0, 1.57)}
    assert side_prices(odds, "spreads") == {"home": (-4.5, 1.91), "away": (4.5, 1.91)}
    assert side_prices(odds, "totals") == {"over": (228.5, 1.87), "under": (228.5, 1.95)}
    h2h_away = odds[(odds["market"] == "h2h") & (odds["outcome"] == "away")].iloc[0]
    assert h2h_away["price_american"] == 150 and h2h_away["price_format"] == "decimal"
    assert (odds["snapshot_time"] == NOW).all()
    assert (odds["book_key"] == "fanduel").all() and (odds["book_title"] == "FanDuel").all()
    assert (odds["source_event_id"] == "evt1").all()


def test_outcomes_are_matched_by_name_not_position() -> None:
    event = odds_event()
    swapped = copy.deepcopy(event)
    for market in swapped["bookmakers"][0]["markets"]:
        market["outcomes"].reverse()
    original, reversed_ = rows([event]), rows([swapped])
    key = ["market", "outcome", "point", "price_decimal"]
    pd.testing.assert_frame_equal(
        original[key].sort_values(key).reset_index(drop=True),
        reversed_[key].sort_values(key).reset_index(drop=True),
    )


def test_outcome_names_may_use_another_spelling_of_the_team() -> None:
    event = odds_event(home="Los Angeles Clippers", away="Boston Celtics")
    event["bookmakers"][0]["markets"][0]["outcomes"][1]["name"] = "LA Clippers"
    odds = rows([event])
    assert side_prices(odds, "h2h")["home"] == (0.0, 1.57)


def test_unknown_team_is_quarantined_by_name_and_neighbours_survive() -> None:
    good = odds_event()
    nfl = odds_event(home="Dallas Cowboys", away="New York Giants", event_id="nfl1")
    batch = normalize_odds([nfl, good], observed_at=NOW)
    assert len(batch["odds_snapshots"]) == 6 and len(batch["games"]) == 1
    [rejected] = batch.quarantine
    assert "unknown team 'Dallas Cowboys'" in rejected.reason
    assert rejected.raw is nfl and rejected.target_table == "odds_snapshots"


def test_outcome_matching_neither_team_quarantines_only_that_market() -> None:
    event = odds_event(
        bookmakers=[
            bookmaker("fanduel", "FanDuel", "Los Angeles Lakers", "Boston Celtics"),
            bookmaker("draftkings", "DraftKings", "Los Angeles Lakers", "Boston Celtics"),
        ]
    )
    event["bookmakers"][0]["markets"][1]["outcomes"][0]["name"] = "Draw"
    batch = normalize_odds([event], observed_at=NOW, endpoint="/v4/sports/basketball_nba/odds")
    odds = batch["odds_snapshots"]
    assert len(odds) == 10
    assert not ((odds["book_key"] == "fanduel") & (odds["market"] == "spreads")).any()
    [rejected] = batch.quarantine
    assert "'Draw' matches neither" in rejected.reason
    assert rejected.raw["market"]["key"] == "spreads" and rejected.raw["bookmaker"] == "fanduel"
    assert rejected.endpoint == "/v4/sports/basketball_nba/odds"


def test_market_last_update_falls_back_to_the_bookmaker() -> None:
    odds = rows([odds_event()])
    by_market = dict(zip(odds["market"], odds["last_update"], strict=False))
    assert by_market["h2h"] == datetime(2024, 1, 15, 22, 54, tzinfo=UTC)
    assert by_market["spreads"] == datetime(2024, 1, 15, 22, 55, tzinfo=UTC)


def test_h2h_point_is_zero_and_spreads_need_a_point() -> None:
    event = odds_event()
    markets = event["bookmakers"][0]["markets"]
    markets[0]["outcomes"][0]["point"] = 3.5
    del markets[1]["outcomes"][0]["point"]
    batch = normalize_odds([event], observed_at=NOW)
    assert set(batch["odds_snapshots"].query("market == 'h2h'")["point"]) == {0.0}
    [rejected] = batch.quarantine
    assert "spreads outcome 'Los Angeles Lakers' has no point" in rejected.reason


def test_american_prices_keep_the_american_exact() -> None:
    event = odds_event()
    h2h = event["bookmakers"][0]["markets"][0]["outcomes"]
    h2h[0]["price"], h2h[1]["price"] = 150, -178
    event["bookmakers"][0]["markets"] = [event["bookmakers"][0]["markets"][0]]
    odds = rows([event], price_format="american")
    prices = dict(
        zip(
            odds["outcome"],
            zip(odds["price_american"], odds["price_decimal"], strict=True),
            strict=True,
        )
    )
    assert prices == {"away": (150, 2.5), "home": (-178, pytest.approx(1.5618, abs=1e-4))}
    assert (odds["price_format"] == "american").all()


def test_a_price_in_the_wrong_format_is_quarantined() -> None:
    event = odds_event()
    batch = normalize_odds([event], observed_at=NOW, price_format="american")
    assert batch["odds_snapshots"].empty
    assert len(batch.quarantine) == 3
    assert all("american price" in q.reason for q in batch.quarantine)


def test_extra_markets_are_ignored_without_quarantine() -> None:
    event = odds_event()
    event["bookmakers"][0]["markets"].append(
        {"key": "h2h_lay", "outcomes": [{"name": "Boston Celtics", "price": 2.6}]}
    )
    event["bookmakers"][0]["markets"].append({"key": "player_points", "outcomes": "junk"})
    batch = normalize_odds([event], observed_at=NOW)
    assert len(batch["odds_snapshots"]) == 6 and batch.quarantine == []


def test_live_game_without_bookmakers_is_an_in_progress_game() -> None:
    event = odds_event(commence="2024-01-15T22:00:00Z", bookmakers=[])
    event.pop("sport_title")
    event["unexpected_field"] = {"ignored": True}
    batch = normalize_odds([event], observed_at=NOW)
    assert batch["odds_snapshots"].empty and batch.quarantine == []
    [game] = batch["games"].to_dict("records")
    assert game["status"] == "in_progress"
    assert game["slate_date"] == date(2024, 1, 15) and game["season"] == 2023
    assert (game["home_team_id"], game["away_team_id"]) == (14, 2)
    assert game["commence_time"] == datetime(2024, 1, 15, 22, tzinfo=UTC)


def test_historical_envelope_sets_the_snapshot_time() -> None:
    envelope = {
        "timestamp": "2024-01-15T20:05:00Z",
        "previous_timestamp": "2024-01-15T20:00:00Z",
        "next_timestamp": "2024-01-15T20:10:00Z",
        "data": [odds_event()],
    }
    batch = normalize_odds(envelope, observed_at=NOW)
    snapshot = datetime(2024, 1, 15, 20, 5, tzinfo=UTC)
    assert (batch["odds_snapshots"]["snapshot_time"] == snapshot).all()
    assert batch["games"]["status"].tolist() == ["scheduled"]
    single = normalize_odds({**envelope, "data": odds_event()}, observed_at=NOW)
    assert len(single["odds_snapshots"]) == 6


@pytest.mark.parametrize(
    "payload",
    [{"events": []}, "[]", 42, None, {"data": [], "timestamp": "yesterday"}, {"data": 7}],
)
def test_wrong_top_level_shape_is_a_payload_error(payload: Any) -> None:
    with pytest.raises(PayloadError, match="quarantine the body"):
        normalize_odds(payload, observed_at=NOW)


def test_naive_times_are_bugs_not_guesses() -> None:
    with pytest.raises(NaiveDatetimeError):
        normalize_odds([], observed_at=datetime(2024, 1, 15))
    event = odds_event(commence="2024-01-16T03:30:00")
    [rejected] = normalize_odds([event], observed_at=NOW).quarantine
    assert "commence_time" in rejected.reason


def test_timestamp_columns_are_utc_even_when_empty() -> None:
    batch = normalize_odds([odds_event()], observed_at=NOW)
    empty = normalize_odds([], observed_at=NOW)
    for result in (batch, empty):
        for table, frame in result.tables.items():
            for column, kind in TABLE_COLUMNS[table].items():
                if kind == "utc":
                    assert str(frame[column].dtype.tz) == "UTC", (table, column)


def scores_event(**overrides: Any) -> dict[str, Any]:
    event = {
        "id": "evt1",
        "sport_key": "basketball_nba",
        "sport_title": "NBA",
        "commence_time": "2024-01-16T03:30:00Z",
        "completed": True,
        "home_team": "Los Angeles Lakers",
        "away_team": "Boston Celtics",
        "scores": [
            {"name": "Boston Celtics", "score": "105"},
            {"name": "Los Angeles Lakers", "score": "114"},
        ],
        "last_update": "2024-01-16T06:01:00Z",
    }
    event.update(overrides)
    return event


def test_completed_scores_become_a_final_result() -> None:
    batch = normalize_scores([scores_event()], observed_at=NOW)
    assert batch.quarantine == []
    [game] = batch["games"].to_dict("records")
    assert game["status"] == "final" and game["game_id"] == LAKERS_CELTICS
    [result] = batch["game_results"].to_dict("records")
    assert (result["home_score"], result["away_score"]) == (114, 105)
    assert result["final"] is True
    assert result["completed_at"] == datetime(2024, 1, 16, 6, 1, tzinfo=UTC)


def test_open_and_unstarted_games_have_no_result() -> None:
    live = scores_event(completed=False)
    upcoming = scores_event(id="evt2", completed=False, scores=None, last_update=None)
    batch = normalize_scores([live, upcoming], observed_at=NOW)
    assert batch["games"]["status"].tolist() == ["in_progress", "scheduled"]
    assert batch["game_results"].empty and batch.quarantine == []


def test_score_names_that_match_neither_team_are_quarantined() -> None:
    event = scores_event(away_team="Miami Heat")
    batch = normalize_scores(
        [event, scores_event(id="evt2", commence_time="2024-01-17T03:30:00Z")], observed_at=NOW
    )
    assert len(batch["games"]) == 2 and len(batch["game_results"]) == 1
    [rejected] = batch.quarantine
    assert rejected.target_table == "game_results"
    assert "'Boston Celtics' matches neither" in rejected.reason


def test_completed_without_last_update_uses_the_poll_time() -> None:
    batch = normalize_scores([scores_event(last_update=None)], observed_at=NOW)
    assert batch["game_results"]["completed_at"].tolist() == [NOW]


def test_completed_without_scores_is_quarantined() -> None:
    batch = normalize_scores([scores_event(scores=None)], observed_at=NOW)
    assert len(batch["games"]) == 1 and batch["game_results"].empty
    assert "completed without scores" in batch.quarantine[0].reason


def test_scores_body_must_be_a_list() -> None:
    with pytest.raises(PayloadError):
        normalize_scores({"data": []}, observed_at=NOW)
