"""Schedule context on a hand-built schedule: rest, back-to-backs, density, travel, tz, streaks."""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import pytest

from nba_assets.analytics.columns import SCHEDULE_CONTEXT
from nba_assets.analytics.schedule_context import schedule_context
from nba_assets.core.slates import game_id_for
from nba_assets.core.teams import by_abbreviation
from nba_assets_tests.analytics.builders import game

BOS, LAL, DEN, NYK, PHX = (by_abbreviation(a).team_id for a in ("BOS", "LAL", "DEN", "NYK", "PHX"))


def km(a: str, b: str) -> float:
    """Haversine written out independently of the module under test."""
    fa, fb = by_abbreviation(a), by_abbreviation(b)
    phi1, phi2 = math.radians(fa.latitude), math.radians(fb.latitude)
    dphi = phi2 - phi1
    dlmb = math.radians(fb.longitude - fa.longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def d(day: int) -> date:
    return date(2024, 3, day)


@pytest.fixture
def boston() -> pd.DataFrame:
    games = pd.DataFrame(
        [
            game(d(1), BOS, NYK),
            game(d(2), LAL, BOS),
            game(d(3), DEN, BOS),
            game(d(6), BOS, PHX),
            game(d(7), BOS, DEN),
            game(d(9), NYK, BOS),
            game(d(12), PHX, LAL, hour=3),
        ]
    )
    out = schedule_context(games)
    assert list(out.columns) == list(SCHEDULE_CONTEXT)
    return out


def row(frame: pd.DataFrame, day: int, home: int, team: int) -> pd.Series:
    match = frame[(frame["game_id"] == game_id_for(d(day), home)) & (frame["team_id"] == team)]
    assert len(match) == 1
    return match.iloc[0]


def test_rest_and_back_to_backs(boston: pd.DataFrame) -> None:
    first = row(boston, 1, BOS, BOS)
    assert pd.isna(first["rest_days"])
    assert first["back_to_back"] and not first["back_to_back_second"]
    second = row(boston, 2, LAL, BOS)
    assert second["rest_days"] == 0
    assert second["back_to_back"] and second["back_to_back_second"]
    assert row(boston, 3, DEN, BOS)["back_to_back_second"]
    rested = row(boston, 6, BOS, BOS)
    assert rested["rest_days"] == 2
    assert rested["back_to_back"] and not rested["back_to_back_second"]
    assert row(boston, 9, NYK, BOS)["rest_days"] == 1
    assert not row(boston, 9, NYK, BOS)["back_to_back"]


def test_games_in_last_nights_exclude_the_game_itself(boston: pd.DataFrame) -> None:
    expected = {1: (0, 0), 2: (1, 1), 3: (2, 2), 6: (2, 3), 7: (2, 4), 9: (2, 3)}
    homes = {1: BOS, 2: LAL, 3: DEN, 6: BOS, 7: BOS, 9: NYK}
    for day, (four, six) in expected.items():
        r = row(boston, day, homes[day], BOS)
        assert (r["games_last_4_nights"], r["games_last_6_nights"]) == (four, six), day


def test_travel_is_haversine_between_arenas(boston: pd.DataFrame) -> None:
    assert row(boston, 1, BOS, BOS)["travel_km"] == 0.0
    to_la = row(boston, 2, LAL, BOS)["travel_km"]
    assert to_la == pytest.approx(km("BOS", "LAL"), rel=1e-9)
    assert to_la == pytest.approx(4_170, abs=30)
    assert row(boston, 3, DEN, BOS)["travel_km"] == pytest.approx(km("LAL", "DEN"), rel=1e-9)
    assert row(boston, 7, BOS, BOS)["travel_km"] == 0.0
    assert row(boston, 9, NYK, BOS)["travel_km"] == pytest.approx(km("BOS", "NYK"), rel=1e-9)


def test_time_zone_shift_sign_and_daylight_saving(boston: pd.DataFrame) -> None:
    assert row(boston, 2, LAL, BOS)["tz_shift_hours"] == -3.0  # flew west
    assert row(boston, 3, DEN, BOS)["tz_shift_hours"] == 1.0
    assert row(boston, 6, BOS, BOS)["tz_shift_hours"] == 2.0  # back east
    # LA played at home on 2 March (PST, -8); on 12 March Phoenix is -7 all year and LA has
    # moved to PDT (DST began 10 March), but the shift compares the two game instants.
    assert row(boston, 12, PHX, LAL)["tz_shift_hours"] == 1.0
    assert row(boston, 12, PHX, PHX)["tz_shift_hours"] == -2.0  # from Boston (EST) to -7


def test_home_and_road_streaks(boston: pd.DataFrame) -> None:
    streaks = [
        (1, BOS, 1, 0),
        (2, LAL, 0, 1),
        (3, DEN, 0, 2),
        (6, BOS, 1, 0),
        (7, BOS, 2, 0),
        (9, NYK, 0, 1),
    ]
    for day, home, h, r in streaks:
        got = row(boston, day, home, BOS)
        assert (got["home_streak"], got["road_streak"]) == (h, r), day
        assert got["is_home"] == (home == BOS)


def test_postponed_games_are_ignored() -> None:
    games = pd.DataFrame([game(d(1), BOS, NYK), game(d(2), LAL, BOS), game(d(4), DEN, BOS)])
    games["status"] = ["final", "postponed", "scheduled"]
    out = schedule_context(games)
    assert game_id_for(d(2), LAL) not in set(out["game_id"])
    after = row(out, 4, DEN, BOS)
    assert after["rest_days"] == 2
    assert after["travel_km"] == pytest.approx(km("BOS", "DEN"), rel=1e-9)
