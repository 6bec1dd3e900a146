"""The SBR archive parser on small written snippets: one quirk per test."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from nba_assets.core.slates import game_id_for
from nba_assets.core.teams import by_abbreviation
from nba_assets.feeds.archive import ArchiveFormatError, parse_sbr, parse_sbr_text
from nba_assets.feeds.archive.sbr import season_from_name, split_lines
from nba_assets_tests.feeds.archive.snippets import (
    SBR_2018,
    SBR_2018_GAMES,
    SBR_2018_QUARANTINED,
    SBR_HEADER,
    sbr_row,
)


@pytest.fixture(scope="module")
def batch():
    return parse_sbr_text(SBR_2018, 2018, endpoint="archive:sbr:test.csv")


def gid(day: date, abbreviation: str) -> int:
    return game_id_for(day, by_abbreviation(abbreviation).team_id)


def lines(batch, game_id: int, snapshot: str) -> pd.DataFrame:
    odds = batch["odds_snapshots"]
    mine = odds[odds["game_id"] == game_id]
    times = sorted(mine["snapshot_time"].unique())
    return mine[mine["snapshot_time"] == times[0 if snapshot == "open" else -1]]


def point(frame: pd.DataFrame, market: str, outcome: str) -> float:
    row = frame[(frame["market"] == market) & (frame["outcome"] == outcome)]
    assert len(row) == 1, (market, outcome, frame)
    return float(row["point"].iloc[0])


def test_games_results_and_quarantine_counts(batch) -> None:
    assert len(batch["games"]) == SBR_2018_GAMES
    assert len(batch["game_results"]) == SBR_2018_GAMES
    assert len(batch.quarantine) == SBR_2018_QUARANTINED
    assert set(batch["games"]["season"]) == {2018}


def test_year_rolls_over_at_the_first_month_decrease(batch) -> None:
    slates = sorted(batch["games"]["slate_date"])
    assert slates[:4] == [date(2018, 10, 16), date(2018, 10, 17), date(2018, 12, 31),
                          date(2019, 1, 1)]  # fmt: skip
    assert slates[-1] == date(2019, 4, 11)


def test_bubble_season_rolls_over_only_once() -> None:
    rows = [SBR_HEADER]
    for rot, day in enumerate(("1022", "311", "730", "1011")):
        rows.append(sbr_row(day, 2 * rot + 1, "V", "Boston", (1, 1, 1, 1), 4 + rot, "210", "211",
                            "150"))  # fmt: skip
        rows.append(sbr_row(day, 2 * rot + 2, "H", "Miami", (1, 1, 1, 2), 5 + rot, "3", "3",
                            "-170"))  # fmt: skip
    games = parse_sbr_text("\n".join(rows), 2019)["games"]
    assert list(games["slate_date"]) == [date(2019, 10, 22), date(2020, 3, 11),
                                         date(2020, 7, 30), date(2020, 10, 11)]  # fmt: skip
    assert set(games["season"]) == {2019}  # the bubble belongs to 2019-20, not 2020-21


def test_unsigned_spread_sits_on_the_favourite(batch) -> None:
    opening = lines(batch, gid(date(2018, 10, 16), "BOS"), "open")
    assert point(opening, "spreads", "home") == -5.0  # Boston's row holds 5: home favoured
    assert point(opening, "spreads", "away") == 5.0
    assert point(opening, "totals", "over") == 208.5
    closing = lines(batch, gid(date(2018, 10, 17), "LAC"), "close")
    assert point(closing, "spreads", "home") == 1.5  # the visitor's row holds 1.5
    assert point(closing, "totals", "under") == 223.0


def test_pk_is_a_spread_of_zero_in_any_case(batch) -> None:
    assert point(lines(batch, gid(date(2018, 10, 17), "LAC"), "open"), "spreads", "home") == 0.0
    assert point(lines(batch, gid(date(2018, 10, 17), "LAC"), "open"), "totals", "over") == 222.5
    miami = lines(batch, gid(date(2019, 1, 3), "ORL"), "open")  # "PK" on the visitor's row
    assert point(miami, "spreads", "away") == 0.0
    assert point(miami, "totals", "over") == 204.5


def test_camel_case_team_names_resolve(batch) -> None:
    games = batch["games"].set_index("game_id")
    gsw_lac = games.loc[gid(date(2018, 10, 17), "LAC")]
    assert gsw_lac["away_team_id"] == by_abbreviation("GSW").team_id
    okc = games.loc[gid(date(2018, 12, 31), "DAL")]
    assert okc["away_team_id"] == by_abbreviation("OKC").team_id
    assert gid(date(2019, 1, 1), "SAS") in games.index


def test_neutral_site_rows_are_away_then_home(batch) -> None:
    games = batch["games"].set_index("game_id")
    london = games.loc[gid(date(2019, 1, 17), "WAS")]
    assert bool(london["neutral_site"])
    assert london["away_team_id"] == by_abbreviation("NYK").team_id
    assert not games.drop(index=london.name)["neutral_site"].any()
    assert point(lines(batch, london.name, "close"), "spreads", "home") == -7.5


def test_typo_total_is_quarantined_and_the_rest_of_the_game_loads(batch) -> None:
    game = gid(date(2018, 12, 31), "DAL")
    opening = lines(batch, game, "open")
    assert set(opening["market"]) == {"spreads"}  # the 1955.5 total is not loaded
    assert point(opening, "spreads", "home") == -3.0
    assert set(lines(batch, game, "close")["market"]) == {"spreads", "totals", "h2h"}
    reasons = [q.reason for q in batch.quarantine if "1955.5" in q.reason]
    assert reasons == ["2018-12-31 OKC@DAL open: total dropped: total 1955.5 outside 150-300"]
    record = next(q for q in batch.quarantine if "1955.5" in q.reason)
    assert record.target_table == "odds_snapshots"
    assert record.raw["column"] == "Open" and len(record.raw["rows"]) == 2


def test_both_negative_moneyline_is_quarantined_and_lines_still_load(batch) -> None:
    closing = lines(batch, gid(date(2019, 1, 1), "SAS"), "close")
    assert set(closing["market"]) == {"spreads", "totals"}
    assert [q.reason for q in batch.quarantine if "-650" in q.reason] == [
        "2019-01-01 NYK@SAS: both moneylines negative (-650/-650, overround 1.7333 > 1.15)"
    ]


def test_unknown_team_and_lone_row_are_quarantined(batch) -> None:
    games_rejects = [q.reason for q in batch.quarantine if q.target_table == "games"]
    assert any("unknown team 'Gotham'" in r for r in games_rejects)
    assert any("not half of a V/H or N/N pair" in r for r in games_rejects)
    assert gid(date(2019, 1, 3), "ORL") in set(batch["games"]["game_id"])


def test_missing_moneylines_are_absent_not_quarantined(batch) -> None:
    closing = lines(batch, gid(date(2019, 1, 3), "ORL"), "close")
    assert "h2h" not in set(closing["market"])
    assert point(closing, "spreads", "home") == -1.0
    assert not any("MIA@ORL" in q.reason for q in batch.quarantine)


def test_clock_rule_prices_and_conversions(batch) -> None:
    game = gid(date(2018, 10, 16), "BOS")
    odds = batch["odds_snapshots"]
    mine = odds[odds["game_id"] == game]
    assert sorted(mine["snapshot_time"].unique()) == [
        pd.Timestamp(datetime(2018, 10, 15, 14, 0, tzinfo=UTC)),  # 10:00 EDT the day before
        pd.Timestamp(datetime(2018, 10, 16, 23, 0, tzinfo=UTC)),  # 19:00 EDT
    ]
    assert set(mine["price_format"]) == {"american"}
    lines_only = mine[mine["market"] != "h2h"]
    assert set(lines_only["price_american"]) == {-110}
    assert lines_only["price_decimal"].round(4).eq(1.9091).all()
    ml = mine[mine["market"] == "h2h"].set_index("outcome")
    assert ml.loc["away", "price_american"] == 170 and ml.loc["away", "price_decimal"] == 2.7
    assert ml.loc["home", "price_american"] == -200 and ml.loc["home", "price_decimal"] == 1.5
    assert (mine.loc[mine["market"] == "h2h", "snapshot_time"] == mine["snapshot_time"].max()).all()
    games = batch["games"].set_index("game_id")
    assert games.loc[game, "commence_time"] == pd.Timestamp("2018-10-16 23:30", tz="UTC")
    assert games.loc[game, "status"] == "final"
    results = batch["game_results"].set_index("game_id")
    assert results.loc[game, "completed_at"] == pd.Timestamp("2018-10-17 02:30", tz="UTC")


def test_scores_quarters_and_overtime(batch) -> None:
    results = batch["game_results"].set_index("game_id")
    boston = results.loc[gid(date(2018, 10, 16), "BOS")]
    assert (boston["home_score"], boston["away_score"], boston["periods"]) == (105, 87, 4)
    assert boston["home_periods"] == [21, 26, 30, 28]
    orlando = results.loc[gid(date(2019, 1, 3), "ORL")]
    assert orlando["periods"] == 5  # overtime, one combined period
    assert orlando["home_periods"] == [25, 25, 25, 25, 8]
    assert orlando["away_periods"] == [25, 25, 25, 25, 10]


def test_postseason_after_the_regular_season(batch) -> None:
    games = batch["games"].set_index("game_id")
    assert games.loc[gid(date(2019, 4, 11), "PHI"), "postseason"]
    assert games["postseason"].sum() == 1


@pytest.mark.parametrize(
    ("away", "home", "expected", "flagged"),
    [
        ("208.5", "5", (-5.0, 208.5), False),
        ("3", "211", (3.0, 211.0), False),
        ("pk", "210", (0.0, 210.0), False),
        ("-10", "218.5", (10.0, 218.5), False),  # a signed spread on the favourite's row
        ("210", "", (None, 210.0), False),
        ("", "6", (-6.0, None), False),
        ("NL", "NL", (None, None), False),
        ("24", "9", (-9.0, None), True),  # "24" is a total typo: dropped, spread kept
        ("216", "1105", (None, None), True),  # both impossible
        ("x1", "212", (None, 212.0), True),  # unreadable cell dropped, the total kept
    ],
)
def test_split_lines(away: str, home: str, expected: tuple, flagged: bool) -> None:
    home_line, total, problems = split_lines(away, home)
    assert (home_line, total) == expected
    assert bool(problems) == flagged


def test_season_from_file_name_and_format_errors(tmp_path) -> None:
    assert season_from_name("nba odds 2018-19.csv") == 2018
    assert season_from_name("nba odds 2018-20.csv") is None
    named = tmp_path / "nba odds 2018-19.csv"
    named.write_text("\ufeff" + SBR_2018)
    assert len(parse_sbr(named)["games"]) == SBR_2018_GAMES
    unnamed = tmp_path / "odds.csv"
    unnamed.write_text(SBR_2018)
    with pytest.raises(ArchiveFormatError, match="no season"):
        parse_sbr(unnamed)
    with pytest.raises(ArchiveFormatError, match="missing column"):
        parse_sbr_text("Date,Team\n1016,Boston", 2018)
