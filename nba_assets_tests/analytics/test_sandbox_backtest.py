"""A season backtest on the sandbox league: the model must learn the league's strengths.

Inputs are built from what the league publishes (schedule, final scores, box scores) and
every prediction uses only games of earlier slates, so a pass means real skill, not leakage.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from nba_assets.analytics.calibration import brier_score, log_loss
from nba_assets.analytics.model_edge import predict_games
from nba_assets.analytics.ratings import season_team_ratings
from nba_assets.core.slates import slate_window
from nba_assets.feeds.sandbox.league import SandboxLeague

SEASON = 2023
# The first weeks teach the model the league; score it from December on.
SCORED_FROM = pd.Timestamp("2023-12-01").date()


@pytest.fixture(scope="module")
def season():
    league = SandboxLeague(SEASON)
    games, results, lines = [], [], []
    for g in league.games():
        games.append(
            {
                "game_id": g.game_id,
                "slate_date": g.slate,
                "home_team_id": g.home_id,
                "away_team_id": g.away_id,
                "commence_time": g.tip_off,
            }
        )
        r = league.result(g.game_id)
        done = datetime.fromtimestamp(r.final_epoch, UTC)
        results.append(
            {
                "game_id": g.game_id,
                "home_score": r.home_score,
                "away_score": r.away_score,
                "final": True,
                "completed_at": done,
            }
        )
        home, away = league.box_score(g.game_id)
        for team_id, side in ((g.home_id, home), (g.away_id, away)):
            for s in side:
                lines.append(
                    {
                        "game_id": g.game_id,
                        "team_id": team_id,
                        "player_id": s.player.player_id,
                        "minutes": s.seconds / 60,
                        "pts": s.pts,
                        "fga": s.fga,
                        "fta": s.fta,
                        "oreb": s.oreb,
                        "turnover": s.turnover,
                        "observed_at": done,
                    }
                )
    return league, pd.DataFrame(games), pd.DataFrame(results), pd.DataFrame(lines)


def test_model_edge_beats_a_constant_home_win_rate(season) -> None:
    league, games, results, lines = season
    slates = sorted(d for d in games["slate_date"].unique() if d >= SCORED_FROM)
    starts = {d: slate_window(d)[0] for d in slates}
    ratings = season_team_ratings(slates, games, results, lines, inputs_as_of=starts)
    forecasts = []
    for slate in slates:
        todays = games[games["slate_date"] == slate]
        at = todays["commence_time"].min() - timedelta(hours=1)
        predicted = predict_games(todays, ratings[ratings["as_of_date"] == slate], None, at)
        forecasts.append(predicted[["game_id", "p_home_win"]])
    scored = pd.concat(forecasts).merge(results, on="game_id")
    won = (scored["home_score"] > scored["away_score"]).to_numpy(dtype=float)
    p = scored["p_home_win"].to_numpy(dtype=float)

    # The constant forecast is the best possible one: this season's own home-win rate.
    constant = np.full_like(won, won.mean())
    model_brier, constant_brier = brier_score(p, won), brier_score(constant, won)
    assert len(scored) > 800
    assert model_brier < constant_brier - 0.01, (model_brier, constant_brier)
    assert log_loss(p, won) < log_loss(constant, won) - 0.02

    # And the league's own fair line, knowing the true strengths, is better still.
    fair = np.array(
        [league.closing_fair_probability(g).home_win_probability for g in scored["game_id"]]
    )
    assert brier_score(fair, won) < model_brier
