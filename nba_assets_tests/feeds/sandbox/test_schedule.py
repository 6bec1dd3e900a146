"""The sandbox schedule has the shape of a real NBA regular season."""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from datetime import date
from zoneinfo import ZoneInfo

from nba_assets.core.slates import game_id_for, slate_date
from nba_assets.feeds.sandbox import SandboxLeague, season_window


def test_window_matches_the_real_calendars() -> None:
    assert season_window(2023) == (date(2023, 10, 24), date(2024, 4, 14))
    assert season_window(2022) == (date(2022, 10, 18), date(2023, 4, 9))
    assert season_window(2024) == (date(2024, 10, 22), date(2025, 4, 13))


def test_1230_games_82_each_41_at_home(league: SandboxLeague) -> None:
    games = league.games()
    assert len(games) == 1230
    played = Counter[int]()
    hosted = Counter[int]()
    for g in games:
        played[g.home_id] += 1
        played[g.away_id] += 1
        hosted[g.home_id] += 1
        assert g.home_id != g.away_id
    assert set(played) == set(range(1, 31))
    assert set(played.values()) == {82}
    assert set(hosted.values()) == {41}


def test_dates_ids_and_order(league: SandboxLeague) -> None:
    first, last = season_window(2023)
    games = league.games()
    assert games[0].slate == first and games[-1].slate == last
    assert [g.tip_off for g in games] == sorted(g.tip_off for g in games)
    for g in games:
        assert first <= g.slate <= last
        assert g.tip_off.utcoffset() is not None and g.tip_off.utcoffset().total_seconds() == 0
        assert slate_date(g.tip_off) == g.slate
        assert g.game_id == game_id_for(g.slate, g.home_id)
        assert len(g.odds_event_id) == 32 and int(g.odds_event_id, 16) >= 0
        assert g.odds_event_id == g.odds_event_id.lower()
    assert len({g.odds_event_id for g in games}) == 1230
    assert len({g.bdl_game_id for g in games}) == 1230
    assert len({g.game_id for g in games}) == 1230


def test_no_team_twice_a_day_and_realistic_rest(league: SandboxLeague) -> None:
    days: dict[int, list[date]] = defaultdict(list)
    for g in league.games():
        days[g.home_id].append(g.slate)
        days[g.away_id].append(g.slate)
    back_to_backs = []
    for team_days in days.values():
        ordered = sorted(team_days)
        assert len(set(ordered)) == len(ordered)
        gaps = [(b - a).days for a, b in itertools.pairwise(ordered)]
        back_to_backs.append(sum(gap == 1 for gap in gaps))
        assert not any(a == b == 1 for a, b in itertools.pairwise(gaps))
    assert min(back_to_backs) >= 6
    assert 11 <= sum(back_to_backs) / 30 <= 17
    assert max(back_to_backs) <= 24


def test_road_trips_and_local_tip_times(league: SandboxLeague) -> None:
    longest = 0
    for team in range(1, 31):
        run = 0
        for g in league.team_games(team):
            run = run + 1 if g.away_id == team else 0
            longest = max(longest, run)
    assert 4 <= longest <= 8
    local_hours = Counter[int]()
    for g in league.games():
        local = g.tip_off.astimezone(ZoneInfo(g.home.time_zone))
        local_hours[local.hour] += 1
        assert 12 <= local.hour <= 20
    evening = local_hours[18] + local_hours[19] + local_hours[20]
    assert evening / 1230 > 0.8
    assert local_hours[12] + local_hours[13] + local_hours[15] > 0
