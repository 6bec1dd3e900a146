"""Injury status mapping, reports in force, player values and the weighted impact."""

from __future__ import annotations

from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from nba_assets.analytics.injuries import (
    ABSENT_FROM_REPORT,
    DEFAULT_RULE,
    PlayerValueConfig,
    PlayProbabilityRule,
    cleared_from_report,
    game_score,
    injuries_in_force,
    injury_impact,
    player_values,
)

AT = datetime(2024, 1, 10, 20, 0, tzinfo=UTC)


def test_default_mapping_and_label() -> None:
    assert DEFAULT_RULE.mapping() == {
        "out": 0.0,
        "doubtful": 0.25,
        "questionable": 0.5,
        "probable": 0.75,
        "available": 1.0,
        "day_to_day": 0.6,
    }
    assert DEFAULT_RULE.probability("Day-To-Day") == 0.6
    assert DEFAULT_RULE.probability("Questionable") == 0.5
    assert DEFAULT_RULE.label == "status-default@1"
    with pytest.raises(ValueError, match="unknown injury status"):
        DEFAULT_RULE.probability("suspended")
    with pytest.raises(FrozenInstanceError):
        DEFAULT_RULE.out = 0.1  # type: ignore[misc]


def test_weighted_impact_by_hand() -> None:
    values = pd.DataFrame(
        {"player_id": [1, 2, 3, 5], "team_id": [2, 2, 14, 14], "value": [5.0, 2.0, 4.0, 9.0]}
    )
    reports = pd.DataFrame(
        {
            "player_id": [1, 2, 3, 4, 5],
            "team_id": [2, 2, 14, 14, 14],
            "status": ["out", "questionable", "probable", "out", "available"],
        }
    )
    impact = injury_impact(reports, values).set_index("team_id")["missing_value"]
    # team 2: 5 * (1 - 0) + 2 * (1 - 0.5) = 6; team 14: 4 * 0.25 + (player 4 unknown: 0) + 0
    assert impact.to_dict() == {2: pytest.approx(6.0), 14: pytest.approx(1.0)}
    cautious = PlayProbabilityRule(name="cautious", version="2", probable=0.5)
    assert injury_impact(reports, values, cautious).set_index("team_id").loc[14].item() == 2.0


def test_reports_in_force() -> None:
    reports = pd.DataFrame(
        {
            "player_id": [1, 1, 2, 3, 4],
            "team_id": [2, 2, 2, 2, 2],
            "status": ["out", "questionable", "out", "out", "doubtful"],
            "reported_at": [
                AT - timedelta(days=2),
                AT - timedelta(hours=3),  # latest known for player 1
                AT + timedelta(minutes=1),  # not known yet
                AT - timedelta(days=40),  # stale
                AT - timedelta(days=1),
            ],
            "return_date": [None, None, None, None, date(2024, 1, 9)],  # 4 is back already
        }
    )
    live = injuries_in_force(reports, AT)
    assert live[["player_id", "status"]].values.tolist() == [[1, "questionable"]]


def box(player: int, team: int, game_id: int, minutes: float, pts: int, pm: int) -> dict:
    return {
        "game_id": game_id, "player_id": player, "team_id": team, "minutes": minutes,
        "pts": pts, "fgm": pts // 2, "fga": pts // 2 + 4, "ftm": 0, "fta": 0, "oreb": 1,
        "dreb": 4, "ast": 3, "stl": 1, "blk": 0, "pf": 2, "turnover": 2, "plus_minus": pm,
    }  # fmt: skip


def test_player_values_star_beats_bench_and_respects_date_and_availability() -> None:
    games = [2024010102, 2024010302, 2024010502, 2024010702]
    lines = []
    for g in games:
        lines.append(box(10, 2, g, 36, 30, 8))
        lines.append(box(11, 2, g, 12, 4, -2))
    # Player 12 only played the first game.
    lines.append(box(12, 2, games[0], 36, 30, 8))
    lines.append(box(99, 2, 2024011502, 40, 60, 40))  # after the date: ignored
    frame = pd.DataFrame(lines)
    values = player_values(frame, date(2024, 1, 10)).set_index("player_id")
    assert values.loc[10, "appearances"] == 4
    assert 99 not in values.index
    assert values.loc[10, "value"] > values.loc[11, "value"] >= 0.0
    assert values.loc[12, "value"] == pytest.approx(values.loc[10, "value"] / 4, rel=0.05)
    # By hand for the star: Game Score of one line, the league rate and the blend.
    gmsc = game_score(pd.DataFrame([box(10, 2, 1, 36, 30, 8)])).iloc[0]
    assert gmsc == pytest.approx(30 + 0.4 * 15 - 0.7 * 19 + 0.7 + 1.2 + 1 + 2.1 - 0.8 - 2)
    used = frame[frame["game_id"] < 2024011000]
    rate = game_score(used).sum() / used["minutes"].sum()
    cfg = PlayerValueConfig()
    box_value = gmsc - cfg.replacement_share * rate * 36
    expected = (1 - cfg.plus_minus_weight) * box_value + cfg.plus_minus_weight * 8
    assert values.loc[10, "value"] == pytest.approx(expected)


def _standing() -> pd.DataFrame:
    """Each player's latest report: three active, one already available."""
    return pd.DataFrame(
        {
            "source_player_id": pd.array([1, 2, 3, 4], dtype="Int64"),
            "team_id": pd.array([14, 14, 2, 2], dtype="Int64"),
            "status": ["out", "questionable", "day_to_day", "available"],
            "status_raw": ["Out", "Questionable", "Day-To-Day", "Available"],
            "description": ["Knee", "Ankle", "Illness", None],
            "return_date": [date(2024, 1, 20), None, None, None],
            "return_date_raw": ["Jan 20", None, None, None],
            "reported_at": pd.to_datetime([AT - timedelta(days=1)] * 4, utc=True),
        }
    )


def test_players_the_report_stops_naming_are_cleared_as_of_the_poll() -> None:
    cleared = cleared_from_report(_standing(), AT, listed=[2])
    assert cleared["source_player_id"].tolist() == [1, 3]
    assert (cleared["status"] == "available").all()
    assert (cleared["status_raw"] == ABSENT_FROM_REPORT).all()
    assert cleared["description"].isna().all() and cleared["return_date"].isna().all()
    assert (cleared["reported_at"] == pd.Timestamp(AT)).all()
    assert cleared["team_id"].tolist() == [14, 2]


def test_no_player_is_cleared_from_a_report_not_read_in_full() -> None:
    # A rejected record that named only team 14: its players may still be on the report.
    partial = cleared_from_report(_standing(), AT, listed=[], unread_teams=[14])
    assert partial["source_player_id"].tolist() == [3]
    # A rejected record that named no one: no team's report is known in full.
    assert cleared_from_report(_standing(), AT, listed=[], complete=False).empty
    assert cleared_from_report(_standing().iloc[:0], AT, listed=[]).empty
    with pytest.raises(ValueError, match="aware"):
        cleared_from_report(_standing(), AT.replace(tzinfo=None), listed=[])
