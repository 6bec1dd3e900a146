"""Results and box scores are internally consistent."""

from __future__ import annotations

from nba_assets.feeds.sandbox import SandboxLeague


def _seconds(text: str) -> int:
    if text == "00":
        return 0
    minutes, seconds = text.split(":")
    return int(minutes) * 60 + int(seconds)


def test_quarters_sum_to_final_and_no_ties(league: SandboxLeague) -> None:
    overtime = 0
    for game in league.games():
        r = league.result(game)
        assert r.home_score != r.away_score
        assert sum(r.home_periods) == r.home_score and sum(r.away_periods) == r.away_score
        assert len(r.home_periods) == len(r.away_periods) == 4 + r.overtime_periods
        assert all(q >= 0 for q in (*r.home_periods, *r.away_periods))
        regulation_h, regulation_a = sum(r.home_periods[:4]), sum(r.away_periods[:4])
        assert (regulation_h == regulation_a) == (r.overtime_periods > 0)
        assert 70 <= r.home_score <= 175 and 70 <= r.away_score <= 175
        duration = r.final_epoch - game.tip_epoch
        assert 2 * 3600 <= duration <= 2 * 3600 + 45 * 60 + r.overtime_periods * 15 * 60
        overtime += r.overtime_periods > 0
    assert 15 <= overtime <= 80


def test_box_scores_add_up(league: SandboxLeague) -> None:
    for game in league.games()[::7]:
        result = league.result(game)
        home, away = league.box_score(game)
        out = league.absent(game)
        for lines, points, team in (
            (home, result.home_score, game.home_id),
            (away, result.away_score, game.away_id),
        ):
            assert sum(line.pts for line in lines) == points
            total_seconds = sum(_seconds(line.bdl_fields()["min"]) for line in lines)
            assert total_seconds == (240 + 25 * result.overtime_periods) * 60
            assert all(line.player.team_id == team for line in lines)
            assert not {line.player.player_id for line in lines} & out
            for line in lines:
                f = line.bdl_fields()
                assert f["fgm"] <= f["fga"] and f["fg3m"] <= f["fg3a"] and f["ftm"] <= f["fta"]
                assert f["fg3m"] <= f["fgm"] and f["reb"] == f["oreb"] + f["dreb"]
                assert f["pts"] == 2 * f["fgm"] + f["fg3m"] + f["ftm"]
                assert 0 <= f["pf"] <= 6
                if f["min"] == "00":
                    assert f["pts"] == 0 and f["fga"] == 0
        assert sum(line.plus_minus for line in home) == 5 * result.margin
        assert sum(line.plus_minus for line in away) == -5 * result.margin


def test_injured_players_miss_games_and_it_costs(league: SandboxLeague) -> None:
    absences = [league.absent(g) for g in league.games()]
    assert sum(len(a) for a in absences) > 1000
    game = next(g for g, a in zip(league.games(), absences, strict=True) if a)
    out_player = next(iter(league.absent(game)))
    history = league.injury_history(out_player)
    final_calls = [r for r in history if r.issued_at == game.tip_epoch - 3600]
    assert final_calls and final_calls[-1].status == "Out"
