"""BallDontLie bodies into games / game_results / player_stats / injuries rows."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from nba_assets.core.slates import game_id_for
from nba_assets.feeds.balldontlie import (
    normalize_games,
    normalize_injuries,
    normalize_stats,
    team_id_map,
)
from nba_assets.feeds.balldontlie.normalize import normalize_teams
from nba_assets.feeds.errors import PayloadError
from nba_assets.feeds.records import TABLE_COLUMNS
from nba_assets_tests.feeds.fakes import (
    CELTICS,
    LAKERS,
    NOW,
    bdl_game,
    bdl_injury,
    bdl_stat,
    bdl_team,
)

GAME_ID = game_id_for(date(2024, 1, 15), 14)


def test_final_game_gives_a_game_and_a_result() -> None:
    batch = normalize_games({"data": [bdl_game()], "meta": {"per_page": 100}}, observed_at=NOW)
    assert batch.quarantine == []
    [game] = batch["games"].to_dict("records")
    assert game["game_id"] == GAME_ID and game["status"] == "final"
    assert game["commence_time"] == datetime(2024, 1, 16, 3, 30, tzinfo=UTC)
    assert (game["home_team_id"], game["away_team_id"], game["season"]) == (14, 2, 2023)
    assert game["source_game_id"] == "15001" and game["observed_at"] == NOW
    [result] = batch["game_results"].to_dict("records")
    assert (result["home_score"], result["away_score"], result["periods"]) == (114, 105, 4)
    assert result["home_periods"] is None and result["completed_at"] == NOW


def test_quarter_scores_and_overtime_when_present() -> None:
    quarters = {f"home_q{n}": 28 for n in range(1, 5)} | {f"visitor_q{n}": 26 for n in range(1, 5)}
    game = bdl_game(
        period=5,
        home_ot1=12,
        visitor_ot1=6,
        home_team_score=124,
        visitor_team_score=110,
        **quarters,
    )
    [result] = normalize_games([game], observed_at=NOW)["game_results"].to_dict("records")
    assert result["home_periods"] == [28, 28, 28, 28, 12]
    assert result["away_periods"] == [26, 26, 26, 26, 6]
    assert result["periods"] == 5


def test_tip_off_in_status_and_midnight_utc_date_as_in_the_2024_capture() -> None:
    game = bdl_game(
        status="2024-01-16T03:30:00Z",
        date="2024-01-15T00:00:00.000Z",
        period=0,
        time=None,
        home_team_score=0,
        visitor_team_score=0,
    )
    del game["datetime"]
    batch = normalize_games([game], observed_at=NOW)
    [row] = batch["games"].to_dict("records")
    assert row["status"] == "scheduled" and row["game_id"] == GAME_ID
    assert row["commence_time"] == datetime(2024, 1, 16, 3, 30, tzinfo=UTC)
    assert batch["game_results"].empty and batch.quarantine == []


def test_final_without_any_tip_off_keeps_the_result_but_not_the_game() -> None:
    game = bdl_game()
    del game["datetime"]
    batch = normalize_games([game], observed_at=NOW)
    assert batch["games"].empty
    assert batch["game_results"]["game_id"].tolist() == [GAME_ID]
    [rejected] = batch.quarantine
    assert rejected.target_table == "games" and "no tip-off time" in rejected.reason


def test_unknown_and_defunct_teams_are_quarantined() -> None:
    stags = bdl_game(id=1, visitor_team=bdl_team(37, "Chicago Stags", "CHS"))
    batch = normalize_games([stags, bdl_game()], observed_at=NOW)
    assert len(batch["games"]) == 1
    [rejected] = batch.quarantine
    assert "unknown team 'Chicago Stags'" in rejected.reason and rejected.raw is stags


def test_a_tied_final_is_not_trusted() -> None:
    batch = normalize_games([bdl_game(home_team_score=0, visitor_team_score=0)], observed_at=NOW)
    assert len(batch["games"]) == 1 and batch["game_results"].empty
    assert "tie" in batch.quarantine[0].reason


def test_a_date_with_a_time_is_not_a_calendar_date() -> None:
    [rejected] = normalize_games(
        [bdl_game(date="2024-01-15T18:00:00Z")], observed_at=NOW
    ).quarantine
    assert "date" in rejected.reason


def test_stat_line_becomes_a_player_stats_row() -> None:
    batch = normalize_stats({"data": [bdl_stat()]}, observed_at=NOW)
    assert batch.quarantine == []
    [row] = batch["player_stats"].to_dict("records")
    assert list(batch["player_stats"].columns) == list(TABLE_COLUMNS["player_stats"])
    assert row["game_id"] == GAME_ID and row["team_id"] == 14
    assert row["minutes"] == pytest.approx(36.7833, abs=1e-4)
    assert (row["pts"], row["reb"], row["ast"], row["plus_minus"]) == (30, 8, 7, 12)
    assert (row["source_player_id"], row["player_last_name"]) == (237, "James")
    [result] = batch["game_results"].to_dict("records")
    assert (result["game_id"], result["home_score"], result["away_score"]) == (GAME_ID, 114, 105)


def test_did_not_play_lines_are_zeros() -> None:
    dnp = bdl_stat(id=901, min=None, pts=None, reb=None, plus_minus=None)
    blank = bdl_stat(id=902, min="")
    zero = bdl_stat(id=903, min="00")
    frame = normalize_stats([dnp, blank, zero], observed_at=NOW)["player_stats"]
    assert frame["minutes"].tolist() == [0.0, 0.0, 0.0]
    assert frame["pts"].tolist() == [0, 30, 30]
    assert frame["plus_minus"].isna().tolist() == [True, False, False]


def test_missing_counts_on_a_played_line_are_quarantined() -> None:
    batch = normalize_stats([bdl_stat(pts=None), bdl_stat(id=2)], observed_at=NOW)
    assert len(batch["player_stats"]) == 1
    assert "pts is missing" in batch.quarantine[0].reason


def test_home_team_known_only_by_id_needs_a_team_map() -> None:
    visitor_line = bdl_stat(team=copy.deepcopy(CELTICS))
    batch = normalize_stats([visitor_line], observed_at=NOW)
    assert batch["player_stats"].empty
    assert "home_team_id 14 maps to no franchise" in batch.quarantine[0].reason
    mapped = normalize_stats([visitor_line], observed_at=NOW, team_ids={14: 14, 2: 2})
    assert mapped["player_stats"]["game_id"].tolist() == [GAME_ID]
    assert mapped["player_stats"]["team_id"].tolist() == [2]


def test_a_team_that_did_not_play_the_game_is_quarantined() -> None:
    line = bdl_stat(team=bdl_team(10, "Golden State Warriors", "GSW"))
    batch = normalize_stats([line, bdl_stat()], observed_at=NOW)
    assert len(batch["player_stats"]) == 1
    assert "did not play game" in batch.quarantine[0].reason


def test_injury_rows_with_resolved_return_date() -> None:
    reported = datetime(2025, 10, 21, 16, tzinfo=UTC)
    batch = normalize_injuries({"data": [bdl_injury()]}, observed_at=reported)
    [row] = batch["injuries"].to_dict("records")
    assert row["status"] == "out" and row["status_raw"] == "Out"
    assert row["return_date"] == date(2025, 11, 18) and row["return_date_raw"] == "Nov 18"
    assert row["reported_at"] == reported
    assert pd.isna(row["team_id"])
    mapped = normalize_injuries([bdl_injury()], observed_at=reported, team_ids={14: 14})
    assert mapped["injuries"]["team_id"].tolist() == [14]


def test_injury_team_object_wins_and_unknown_ids_are_quarantined() -> None:
    with_team = bdl_injury(status="Day-To-Day", return_date=None)
    with_team["player"]["team"] = copy.deepcopy(LAKERS)
    stray = bdl_injury()
    stray["player"]["team_id"] = 99
    batch = normalize_injuries([with_team, stray], observed_at=NOW, team_ids={14: 14})
    [row] = batch["injuries"].to_dict("records")
    assert (row["team_id"], row["status"], row["return_date"]) == (14, "day_to_day", None)
    assert "unknown BallDontLie team id 99" in batch.quarantine[0].reason


def test_unknown_injury_status_is_quarantined() -> None:
    batch = normalize_injuries([bdl_injury(status="Suspended")], observed_at=NOW)
    assert batch["injuries"].empty
    assert "unknown injury status 'Suspended'" in batch.quarantine[0].reason


def test_team_id_map_skips_defunct_franchises() -> None:
    teams = [LAKERS, CELTICS, bdl_team(37, "Chicago Stags", "CHS"), {"id": "junk"}]
    assert team_id_map({"data": teams}) == {14: 14, 2: 2}


def test_a_corrupted_team_record_is_quarantined_and_the_good_teams_still_mapped() -> None:
    """Every team record the map cannot use is kept with its reason and raw payload: a
    dropped team would otherwise surface only as its players' "unknown team id"."""
    corrupted = {**copy.deepcopy(CELTICS), "id": "n/a"}
    unknown = bdl_team(9, "Springfield Isotopes", "SPR")
    clash = bdl_team(14, "Boston Celtics", "BOS")
    stags = bdl_team(37, "Chicago Stags", "CHS")
    body = {"data": [LAKERS, corrupted, unknown, clash, stags, CELTICS]}
    batch = normalize_teams(body, endpoint="/v1/teams")
    assert batch.mapping == {14: 14, 2: 2}
    assert batch["teams"].to_dict("records") == [
        {"source_team_id": 14, "team_id": 14},
        {"source_team_id": 2, "team_id": 2},
    ]
    assert [(q.target_table, q.endpoint, q.raw) for q in batch.quarantine] == [
        ("teams", "/v1/teams", corrupted),
        ("teams", "/v1/teams", unknown),
        ("teams", "/v1/teams", clash),
    ]
    reasons = [q.reason for q in batch.quarantine]
    assert "id" in reasons[0]
    assert "unknown team 'Springfield Isotopes'" in reasons[1]
    assert "conflicts with an earlier record" in reasons[2]
    # The plain map a client asks for is the same map.
    assert team_id_map(body) == {14: 14, 2: 2}


def test_an_injury_page_names_its_players_rejected_ones_included() -> None:
    """Whom a page listed is what clearing relies on: a rejected record's player is still
    on the report."""
    suspended = bdl_injury(status="Suspended")
    suspended["player"] = {**suspended["player"], "id": 238}
    stray = bdl_injury()
    stray["player"] = {**stray["player"], "id": 239, "team_id": 99}
    no_status = bdl_injury(status=None)
    no_status["player"] = {**no_status["player"], "id": 240}
    batch = normalize_injuries(
        [bdl_injury(), suspended, stray, no_status], observed_at=NOW, team_ids={14: 14}
    )
    assert batch["injuries"]["source_player_id"].tolist() == [237]
    assert len(batch.quarantine) == 3
    assert batch.listed == {237, 238, 239, 240}
    assert batch.complete and not batch.unread_teams


def test_a_rejected_injury_naming_no_player_leaves_its_team_or_the_page_unread() -> None:
    team_only = bdl_injury()
    team_only["player"] = {**team_only["player"], "id": "n/a"}
    batch = normalize_injuries([bdl_injury(), team_only], observed_at=NOW, team_ids={14: 14})
    assert batch.listed == {237} and batch.unread_teams == {14} and batch.complete

    nameless = bdl_injury(player="n/a")
    batch = normalize_injuries([bdl_injury(), nameless], observed_at=NOW, team_ids={14: 14})
    assert batch.listed == {237} and not batch.complete
    assert [q.raw for q in batch.quarantine] == [nameless]


@pytest.mark.parametrize("payload", [{"meta": {}}, {"data": {"id": 1}}, "[]", 3, None])
def test_wrong_top_level_shape_is_a_payload_error(payload: object) -> None:
    for normalize in (normalize_games, normalize_stats, normalize_injuries):
        with pytest.raises(PayloadError):
            normalize(payload, observed_at=NOW)
