"""Quality scores as pure functions: a clean slate scores full marks, and each kind of
damage lowers the dimension that should notice it, and only through the weights."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from nba_assets.analytics.quality import (
    DIMENSIONS,
    FAIL_BELOW,
    QUALITY_SCORES,
    SCORED_TABLES,
    WARN_BELOW,
    WEIGHTS,
    SlateData,
    SuiteCounts,
    age_scores,
    schedule,
    verdict,
    weighted_score,
)
from nba_assets.analytics.quality_measures import MEASURES, score_slate

SLATE = date(2024, 1, 10)
# 7 pm and 7:30 pm New York: both tip off after midnight UTC and belong to the 10th.
TIPS = {
    2024011002: datetime(2024, 1, 11, 0, 0, tzinfo=UTC),
    2024011014: datetime(2024, 1, 11, 0, 30, tzinfo=UTC),
}
TEAMS = {2024011002: (2, 30), 2024011014: (14, 5)}
BOOKS = pd.DataFrame(
    {"book_id": [1, 2, 3, 4], "tier": ["sharp", "retail", "retail", "retail"], "expected": True}
)
AFTER = datetime(2024, 1, 13, tzinfo=UTC)  # the slate is long past
SIDES = {
    "h2h": (("home", 0.0), ("away", 0.0)),
    "spreads": (("home", -3.5), ("away", 3.5)),
    "totals": (("over", 220.5), ("under", 220.5)),
}
FINAL = {"home": (28, 27, 28, 27), "away": (25, 25, 25, 25)}  # 110 - 100
HOUR = timedelta(hours=1)


def _games() -> pd.DataFrame:
    """Both feeds list both games; the stats feed's latest version is the final one."""
    columns = ["game_id", "source", "status", "commence_time", "home_team_id", "away_team_id"]
    rows = [
        (game, source, status, tip, *TEAMS[game], tip + seen, tip - timedelta(days=1))
        for game, tip in TIPS.items()
        for source, status, seen in (
            ("balldontlie", "final", timedelta(hours=10)),
            ("odds_api", "scheduled", timedelta(days=-1)),
        )
    ]
    return pd.DataFrame(rows, columns=[*columns, "observed_at", "first_observed_at"])


def _odds(price: float = 1.91) -> pd.DataFrame:
    """Every book quotes every market at even money, every 15 minutes in the last 13 hours."""
    rows = [
        (tip - timedelta(minutes=minutes), game, book, market, outcome, point, price)
        for game, tip in TIPS.items()
        for minutes in range(15, 13 * 60, 15)
        for book in BOOKS["book_id"]
        for market, sides in SIDES.items()
        for outcome, point in sides
    ]
    columns = ["snapshot_time", "game_id", "book_id", "market", "outcome", "point"]
    return pd.DataFrame(rows, columns=[*columns, "price_decimal"])


def _results() -> pd.DataFrame:
    """Both feeds report 110-100 for both games, three hours after tip-off."""
    rows = [
        (game, source, 110, 100, list(FINAL["home"]), list(FINAL["away"]), 4, True, tip + 3 * HOUR)
        for game, tip in TIPS.items()
        for source in ("balldontlie", "odds_api")
    ]
    columns = ["game_id", "source", "home_score", "away_score", "home_periods", "away_periods"]
    return pd.DataFrame(rows, columns=[*columns, "periods", "final", "completed_at"])


def _box() -> pd.DataFrame:
    """Five players a side: 22 points each at home (8-15, 2-5 threes, 4-5 free throws),
    20 each away (8-15, 0-5, 4-5); both add up to the final."""
    rows = [
        (
            game,
            team * 100 + i,
            team,
            "balldontlie",
            30.0,
            20 + threes,
            5,
            1,
            4,
            8,
            15,
            threes,
            5,
            4,
            5,
            tip + 4 * HOUR,
        )
        for game, tip in TIPS.items()
        for team, threes in zip(TEAMS[game], (2, 0), strict=True)
        for i in range(5)
    ]
    columns = ["game_id", "player_id", "team_id", "source", "minutes", "pts", "reb", "oreb"]
    stats = ["dreb", "fgm", "fga", "fg3m", "fg3a", "ftm", "fta", "observed_at"]
    return pd.DataFrame(rows, columns=[*columns, *stats])


def _injuries() -> pd.DataFrame:
    day_before = datetime(2024, 1, 10, 15, tzinfo=UTC)
    return pd.DataFrame(
        {
            "player_id": [9001, 9002],
            "team_id": [2, 14],
            "status": ["out", "questionable"],
            "play_probability": [0.0, 0.5],
            "reported_at": [day_before, day_before],
        }
    )


def _polls() -> pd.DataFrame:
    last = max(TIPS.values())
    injuries = [last - timedelta(minutes=m) for m in range(10, 24 * 60, 30)]
    rows = [("/v1/player_injuries?per_page=100", at) for at in injuries]
    rows += [(f"/v1/games?dates[]={SLATE}", AFTER), (f"/v1/stats?dates[]={SLATE}", AFTER)]
    return pd.DataFrame(rows, columns=["endpoint", "requested_at"])


def clean(**changes: object) -> SlateData:
    data = SlateData(
        slate=SLATE,
        now=AFTER,
        live=False,
        games=_games(),
        odds=_odds(),
        books=BOOKS,
        results=_results(),
        box=_box(),
        injuries=_injuries(),
        polls=_polls(),
        suites={
            "odds_snapshots": SuiteCounts(11, 11, 4000),
            "game_results": SuiteCounts(6, 6, 4),
            "injuries": SuiteCounts(3, 3, 2),
        },
    )
    return replace(data, **changes)


def dims(data: SlateData, table: str) -> dict[str, float | None]:
    measures = MEASURES[table](data, schedule(data.games))
    return {d: m.score for d, m in measures.items()}


def scores(data: SlateData) -> pd.DataFrame:
    return score_slate(data).set_index("table_name")


# the clean slate ----------------------------------------------------------------------


def test_a_clean_slate_scores_full_marks_in_every_table() -> None:
    frame = score_slate(clean())
    assert list(frame.columns) == list(QUALITY_SCORES)
    assert list(frame["table_name"]) == list(SCORED_TABLES)
    assert (frame["score"] == 100).all(), frame
    # Nothing to agree with and no suite: unmeasured, not full marks.
    indexed = frame.set_index("table_name")
    assert pd.isna(indexed.loc["games", "validity"])
    assert pd.isna(indexed.loc["player_stats", "validity"])
    assert set(indexed.loc["odds_snapshots", "details"]) == set(DIMENSIONS)


def test_a_slate_without_games_has_no_scores() -> None:
    empty = clean(games=_games().iloc[0:0])
    assert score_slate(empty).empty


def test_tables_with_no_rows_at_all_score_zero_completeness_without_failing() -> None:
    nothing = clean(
        odds=_odds().iloc[0:0],
        results=_results().iloc[0:0],
        box=_box().iloc[0:0],
        injuries=_injuries().iloc[0:0],
        polls=_polls().iloc[0:0],
        suites={},
        books=BOOKS.assign(expected=False),
    )
    frame = scores(nothing)
    for table in ("odds_snapshots", "game_results", "player_stats", "injuries"):
        assert frame.loc[table, "completeness"] == 0, table
        assert frame.loc[table, "score"] < FAIL_BELOW, table


# each dimension moves the right way ---------------------------------------------------


def test_a_book_missing_from_the_slate_lowers_odds_completeness_only() -> None:
    odds = _odds()
    base, dropped = (
        dims(clean(), "odds_snapshots"),
        dims(clean(odds=odds[odds["book_id"] != 4]), "odds_snapshots"),
    )
    assert dropped["completeness"] == pytest.approx(75.0)
    assert base["completeness"] == 100.0
    assert dropped["consistency"] == base["consistency"] == 100.0


def test_a_one_sided_market_is_neither_complete_nor_consistent() -> None:
    odds = _odds()
    one_sided = odds[
        ~((odds["book_id"] == 2) & (odds["outcome"] == "away") & (odds["market"] == "h2h"))
    ]
    got = dims(clean(odds=one_sided), "odds_snapshots")
    assert got["completeness"] < 100
    assert got["consistency"] < 100


def test_a_price_off_the_consensus_lowers_accuracy() -> None:
    odds = _odds()
    off = (odds["book_id"] == 3) & (odds["market"] == "h2h") & (odds["outcome"] == "home")
    shifted = odds.assign(price_decimal=odds["price_decimal"].where(~off, 1.40))
    base, got = dims(clean(), "odds_snapshots"), dims(clean(odds=shifted), "odds_snapshots")
    assert base["accuracy"] == 100.0
    assert 80 < got["accuracy"] < 100
    # A nudge within the tolerance is not an error.
    nudged = odds.assign(price_decimal=odds["price_decimal"].where(~off, 1.85))
    assert dims(clean(odds=nudged), "odds_snapshots")["accuracy"] == 100.0


def test_a_runaway_overround_breaks_consistency_and_accuracy() -> None:
    got = dims(clean(odds=_odds(price=1.40)), "odds_snapshots")  # 1/1.4 * 2 = 1.43
    assert got["consistency"] == 0.0
    assert got["accuracy"] == 0.0
    assert got["completeness"] == 100.0


def test_off_grid_points_and_negative_totals_are_inconsistent() -> None:
    odds = _odds()
    spreads = odds["market"] == "spreads"
    off_grid = odds.assign(point=odds["point"].where(~spreads, odds["point"] * 1.1))
    assert dims(clean(odds=off_grid), "odds_snapshots")["consistency"] < 100
    totals = odds["market"] == "totals"
    negative = odds.assign(point=odds["point"].where(~totals, -220.5))
    assert dims(clean(odds=negative), "odds_snapshots")["consistency"] < 100


def test_a_close_captured_hours_before_tip_off_lowers_timeliness() -> None:
    odds = _odds()
    early = odds[odds["snapshot_time"] < odds["game_id"].map(TIPS) - timedelta(minutes=20)]
    got = dims(clean(odds=early), "odds_snapshots")["timeliness"]
    assert got == pytest.approx(200 / 3)  # 30 minutes old at tip-off: one missed tick


def test_live_odds_are_timely_within_fifteen_minutes_and_stale_after_an_hour() -> None:
    first = min(TIPS.values())
    odds = _odds()
    for age, expected in ((timedelta(minutes=10), 100.0), (timedelta(minutes=70), 0.0)):
        newest = first - timedelta(hours=3)
        live = clean(
            live=True,
            now=newest + age,
            odds=odds[odds["snapshot_time"] <= newest],
            polls=_polls().iloc[0:0],
        )
        assert dims(live, "odds_snapshots")["timeliness"] == pytest.approx(expected), age


@pytest.mark.parametrize(
    ("hours_after_last_tip", "poll_age", "expected"),
    [(4, timedelta(minutes=10), 100.0), (4, timedelta(hours=2), 0.0), (-1, HOUR, None)],
)
def test_live_results_are_timely_when_the_feed_was_asked_since_games_were_due(
    hours_after_last_tip: int, poll_age: timedelta, expected: float | None
) -> None:
    now = max(TIPS.values()) + timedelta(hours=hours_after_last_tip)
    polls = pd.DataFrame(
        {"endpoint": [f"/v1/games?dates[]={SLATE}"], "requested_at": [now - poll_age]}
    )
    live = clean(live=True, now=now, polls=polls)
    assert dims(live, "game_results")["timeliness"] == expected


def test_failed_expectations_and_quarantined_records_lower_validity() -> None:
    base = scores(clean())
    failing = scores(clean(suites={**clean().suites, "odds_snapshots": SuiteCounts(11, 9, 4000)}))
    assert failing.loc["odds_snapshots", "validity"] == pytest.approx(100 * 9 / 11, abs=0.01)
    quarantined = SuiteCounts(6, 6, 4, quarantined=4)
    halved = scores(clean(suites={**clean().suites, "game_results": quarantined}))
    assert halved.loc["game_results", "validity"] == 50.0
    assert failing.loc["odds_snapshots", "score"] < base.loc["odds_snapshots", "score"]


def test_the_feeds_disagreeing_on_a_score_lowers_results_accuracy() -> None:
    results = _results()
    wrong = (results["source"] == "odds_api") & (results["game_id"] == 2024011002)
    got = dims(
        clean(results=results.assign(home_score=results["home_score"].where(~wrong, 111))),
        "game_results",
    )
    assert got["accuracy"] == 50.0
    # With one feed only there is nothing to agree with.
    single = results[results["source"] == "balldontlie"]
    assert dims(clean(results=single), "game_results")["accuracy"] is None


def test_quarters_or_box_scores_that_do_not_add_up_are_inconsistent() -> None:
    results = _results()
    bad_quarters = results.assign(
        home_periods=[[1, 2, 3, 4], *results["home_periods"].tolist()[1:]]
    )
    assert dims(clean(results=bad_quarters), "game_results")["consistency"] == 75.0
    box = _box()
    short = box.assign(pts=box["pts"].where(box["player_id"] != 200, 10))
    assert dims(clean(box=short), "game_results")["consistency"] == 50.0  # both feeds' finals


def test_box_scores_that_miss_the_final_or_do_not_add_up_lower_player_stats() -> None:
    box = _box()
    short = box.assign(pts=box["pts"].where(box["player_id"] != 200, 10))
    got = dims(clean(box=short), "player_stats")
    assert got["accuracy"] == 50.0  # one game of two
    assert got["consistency"] == pytest.approx(100 * 19 / 20)  # 10 != 2*8 + 2 + 4
    missing = dims(clean(box=box[box["team_id"] != 30]), "player_stats")
    assert missing["completeness"] == 50.0


def test_results_known_after_the_morning_run_are_late() -> None:
    results = _results()
    late = results.assign(completed_at=results["completed_at"] + timedelta(hours=20))
    assert dims(clean(results=late), "game_results")["timeliness"] == 0.0
    assert dims(clean(), "game_results")["timeliness"] == 100.0


def test_a_game_missing_from_one_feed_or_disagreeing_lowers_games() -> None:
    games = _games()
    missing = games[~((games["source"] == "odds_api") & (games["game_id"] == 2024011014))]
    got = dims(clean(games=missing), "games")
    assert got["completeness"] == 75.0
    moved = games.assign(
        commence_time=games["commence_time"].where(
            games["source"] != "odds_api", games["commence_time"] + timedelta(hours=1)
        )
    )
    assert dims(clean(games=moved), "games")["accuracy"] == 0.0
    twice = games.assign(away_team_id=30)  # team 30 plays both games
    assert dims(clean(games=twice), "games")["consistency"] == 0.0


def test_a_canceled_game_is_not_expected() -> None:
    games = _games()
    canceled = games.assign(
        status=games["status"].where(games["game_id"] != 2024011014, "canceled")
    )
    assert list(schedule(canceled)["game_id"]) == [2024011002]


def test_a_player_reported_out_who_played_lowers_injury_accuracy() -> None:
    box = _box()
    played = pd.concat([box, box.iloc[[0]].assign(player_id=9001, pts=0, fgm=0, fg3m=0, ftm=0)])
    assert dims(clean(), "injuries")["accuracy"] == 100.0
    assert dims(clean(box=played), "injuries")["accuracy"] == 0.0


def test_an_injury_report_not_read_before_tip_off_lowers_completeness_and_timeliness() -> None:
    polls = _polls()
    stale = polls[polls["requested_at"] < min(TIPS.values()) - timedelta(hours=20)]
    got = dims(clean(polls=stale), "injuries")
    assert got["completeness"] == 100.0  # still within the day before
    assert got["timeliness"] == 0.0
    nothing = dims(clean(polls=polls.iloc[0:0]), "injuries")
    assert nothing["completeness"] == 0.0


def test_a_probability_outside_its_status_band_is_inconsistent() -> None:
    injuries = _injuries().assign(play_probability=[0.9, 0.5])
    assert dims(clean(injuries=injuries), "injuries")["consistency"] == 50.0


# weights and thresholds ---------------------------------------------------------------


def test_weights_are_thirty_thirty_twenty_ten_ten_and_sum_to_one_hundred() -> None:
    assert WEIGHTS == {
        "completeness": 30,
        "accuracy": 30,
        "consistency": 20,
        "timeliness": 10,
        "validity": 10,
    }
    perfect = dict.fromkeys(DIMENSIONS, 100.0)
    assert weighted_score(perfect) == 100.0
    for dimension, weight in WEIGHTS.items():
        assert weighted_score({**perfect, dimension: 0.0}) == pytest.approx(100 - weight)


def test_an_unmeasured_dimension_leaves_the_others_weight() -> None:
    assert weighted_score(
        {
            "completeness": 100.0,
            "accuracy": None,
            "consistency": 50.0,
            "timeliness": 100.0,
            "validity": 100.0,
        }
    ) == pytest.approx((30 * 100 + 20 * 50 + 10 * 100 + 10 * 100) / 70)
    assert weighted_score(dict.fromkeys(DIMENSIONS)) is None


def test_thresholds_warn_below_85_and_fail_below_70() -> None:
    assert (WARN_BELOW, FAIL_BELOW) == (85.0, 70.0)
    assert [verdict(s) for s in (100, 85, 84.99, 70, 69.99, 0)] == [
        "pass",
        "pass",
        "warn",
        "warn",
        "fail",
        "fail",
    ]


def test_age_scores_keep_full_marks_for_one_cadence_then_fall_to_zero_at_four() -> None:
    got = age_scores([0, 15, 30, 45, 60, 600], timedelta(minutes=15))
    assert got.tolist() == pytest.approx([100, 100, 200 / 3, 100 / 3, 0, 0])
