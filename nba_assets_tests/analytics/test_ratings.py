"""Team ratings: no look-ahead, opponent adjustment, recency, shrinkage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import permutations

import numpy as np
import pandas as pd
import pytest

from nba_assets.analytics.columns import TEAM_STATS
from nba_assets.analytics.ratings import RatingsConfig, season_team_ratings, team_ratings
from nba_assets_tests.analytics.builders import game

START = date(2023, 10, 24)
KNOWN = datetime(2024, 6, 30, tzinfo=UTC)


def league(
    schedule: list[tuple[int, int]], margin: dict[tuple[int, int], float], start: date = START
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Games one per day, 100 possessions each, home scoring 110 + margin / 2."""
    games, results, lines = [], [], []
    for i, (home, away) in enumerate(schedule):
        g = game(start + timedelta(days=i), home, away)
        games.append(g)
        m = margin[(home, away)]
        results.append(
            {"game_id": g["game_id"], "home_score": 110 + m / 2, "away_score": 110 - m / 2,
             "final": True}
        )  # fmt: skip
        for team in (home, away):
            # 86 + 0.44 * 25 - 11 + 14 = 100 possessions
            lines.append(
                {"game_id": g["game_id"], "player_id": team * 100, "team_id": team, "fga": 86,
                 "fta": 25, "oreb": 11, "turnover": 14}
            )  # fmt: skip
    return pd.DataFrame(games), pd.DataFrame(results), pd.DataFrame(lines)


def true_margin(strength: dict[int, float], home_edge: float = 2.0):
    return {(h, a): strength[h] - strength[a] + home_edge for h, a in permutations(strength, 2)}


def test_output_columns_and_counts() -> None:
    strength = {1: 4.0, 2: 0.0, 3: -4.0}
    sched = list(permutations(strength, 2))
    games, results, lines = league(sched, true_margin(strength))
    out = team_ratings(START + timedelta(days=10), games, results, lines, KNOWN)
    assert list(out.columns) == list(TEAM_STATS)
    best = out.set_index("team_id").loc[1]
    assert (best["games_played"], best["wins"], best["losses"]) == (4, 4, 0)
    assert best["margin_avg"] == pytest.approx(np.mean([6, 10, -(-4 - 4 + 2), -(-0 - 4 + 2)]))


def test_no_look_ahead() -> None:
    strength = {1: 5.0, 2: 1.0, 3: -2.0, 4: -4.0}
    sched = list(permutations(strength, 2)) * 2
    games, results, lines = league(sched, true_margin(strength))
    as_of = START + timedelta(days=12)
    before = team_ratings(as_of, games, results, lines, KNOWN)
    # Rewrite everything on or after as_of: reversed results and absurd box scores.
    later = pd.to_datetime(games["slate_date"]).dt.date >= as_of
    ids = set(games.loc[later, "game_id"])
    mutated = results.copy()
    hit = mutated["game_id"].isin(ids)
    mutated.loc[hit, ["home_score", "away_score"]] = [[60, 160]] * int(hit.sum())
    lines2 = lines.copy()
    lines2.loc[lines2["game_id"].isin(ids), "fga"] = 300
    extra = pd.DataFrame([game(as_of + timedelta(days=40), 1, 2)])
    after = team_ratings(as_of, pd.concat([games, extra]), mutated, lines2, KNOWN)
    pd.testing.assert_frame_equal(before, after)
    # Knowledge time: a result first seen after inputs_as_of is not used either.
    stamped = results.assign(completed_at=pd.Timestamp(KNOWN) + pd.Timedelta(days=1))
    blind = team_ratings(as_of, games, stamped, lines, KNOWN)
    assert (blind["games_played"] == 0).all()


def test_opponent_adjustment_recovers_true_order_despite_schedule() -> None:
    # Teams 6 and 7 only ever meet strong (6) or weak (7) opponents, so raw margins rank 7
    # above 6 while the truth is the reverse; the rest play a double round robin.
    strength = {1: 8.0, 2: 4.0, 3: 0.0, 4: -4.0, 5: -8.0, 6: 2.0, 7: -1.0}
    core = [1, 2, 3, 4, 5]
    sched = list(permutations(core, 2)) * 2
    sched += [(6, 1), (1, 6), (6, 2), (2, 6)] * 3 + [(7, 4), (4, 7), (7, 5), (5, 7)] * 3
    games, results, lines = league(sched, true_margin(strength))
    # Isolate the adjustment: little shrinkage, no recency (both tested separately).
    cfg = RatingsConfig(prior_games=0.5, half_life_games=1e9)
    out = team_ratings(START + timedelta(days=len(sched)), games, results, lines, KNOWN, cfg)
    by_team = out.set_index("team_id")
    assert by_team.loc[7, "margin_avg"] > by_team.loc[6, "margin_avg"]
    assert by_team.loc[6, "net_rating"] > by_team.loc[7, "net_rating"]
    order = by_team["net_rating"].sort_values(ascending=False).index.tolist()
    assert order == sorted(strength, key=strength.get, reverse=True)
    # Net ratings are points per 100 possessions; with 100 possessions they approach the
    # strengths (shrinkage pulls them slightly in).
    assert by_team.loc[1, "net_rating"] == pytest.approx(8.0, abs=0.5)
    assert by_team.loc[6, "net_rating"] == pytest.approx(2.0, abs=0.5)


def test_default_config_recovers_order_over_a_longer_season() -> None:
    strength = {1: 8.0, 2: 4.0, 3: 0.0, 4: -4.0, 5: -8.0, 6: 2.0, 7: -1.0}
    sched = list(permutations(strength, 2)) * 4
    games, results, lines = league(sched, true_margin(strength))
    out = team_ratings(START + timedelta(days=len(sched)), games, results, lines, KNOWN)
    order = out.sort_values("net_rating", ascending=False)["team_id"].tolist()
    assert order == sorted(strength, key=strength.get, reverse=True)


def test_recency_weighting_favours_recent_form() -> None:
    strength = {1: 0.0, 2: 0.0, 3: 0.0}
    sched = list(permutations(strength, 2)) * 4
    margin = {k: 0.0 for k in permutations(strength, 2)}
    games, results, lines = league(sched, margin)
    n = len(sched)
    # Team 1 was bad in the first half and good in the second.
    for i, (home, away) in enumerate(sched):
        if 1 in (home, away):
            swing = -10 if i < n / 2 else 10
            sign = 1 if home == 1 else -1
            results.loc[i, "home_score"] = 110 + sign * swing / 2
            results.loc[i, "away_score"] = 110 - sign * swing / 2
    as_of = START + timedelta(days=n)
    short, long = (RatingsConfig(prior_games=0.5, half_life_games=h) for h in (2, 1e9))
    recent = team_ratings(as_of, games, results, lines, KNOWN, short)
    flat = team_ratings(as_of, games, results, lines, KNOWN, long)
    net = lambda frame: frame.set_index("team_id").loc[1, "net_rating"]  # noqa: E731
    assert net(flat) == pytest.approx(0.0, abs=1.0)
    # (In a three-team league two thirds of a +10 form survives the opponent adjustment.)
    assert net(recent) > net(flat) + 2.5
    # With the default shrinkage the direction holds too, just damped.
    assert net(team_ratings(as_of, games, results, lines, KNOWN)) > net(flat)


def test_shrinkage_early_and_prior_without_games() -> None:
    strength = {1: 10.0, 2: -10.0}
    games, results, lines = league([(1, 2), (2, 1)], true_margin(strength, 0.0))
    empty = team_ratings(START, games, results, lines, KNOWN)
    assert (empty["games_played"] == 0).all()
    assert empty["net_rating"].abs().max() < 1e-6
    assert empty["off_rating"].iloc[0] == pytest.approx(RatingsConfig().prior_rating)
    assert empty["margin_avg"].isna().all()
    one = team_ratings(START + timedelta(days=1), games, results, lines, KNOWN)
    raw = 20.0  # one game won by 20 on 100 possessions
    assert 0 < one.set_index("team_id").loc[1, "net_rating"] < raw / 2


def test_season_helper_matches_single_calls() -> None:
    strength = {1: 3.0, 2: 0.0, 3: -3.0}
    sched = list(permutations(strength, 2)) * 2
    games, results, lines = league(sched, true_margin(strength))
    days = [START + timedelta(days=k) for k in (0, 5, 10)]
    season = season_team_ratings(days, games, results, lines, KNOWN)
    single = pd.concat([team_ratings(day, games, results, lines, KNOWN) for day in days])
    pd.testing.assert_frame_equal(season, single.reset_index(drop=True))
