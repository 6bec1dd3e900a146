"""The Kaggle archive parser on a written snippet, and both parsers on the real files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from nba_assets.core.slates import game_id_for
from nba_assets.core.teams import by_abbreviation, resolve_team
from nba_assets.feeds.archive import ArchiveFormatError, parse_kaggle, parse_kaggle_text
from nba_assets.feeds.archive.sbr import parse_sbr
from nba_assets_tests.feeds.archive.snippets import KAGGLE

ESPN_CODES = {
    "atl": "ATL", "bkn": "BKN", "bos": "BOS", "cha": "CHA", "chi": "CHI", "cle": "CLE",
    "dal": "DAL", "den": "DEN", "det": "DET", "gs": "GSW", "hou": "HOU", "ind": "IND",
    "lac": "LAC", "lal": "LAL", "mem": "MEM", "mia": "MIA", "mil": "MIL", "min": "MIN",
    "no": "NOP", "ny": "NYK", "okc": "OKC", "orl": "ORL", "phi": "PHI", "phx": "PHX",
    "por": "POR", "sac": "SAC", "sa": "SAS", "tor": "TOR", "utah": "UTA", "wsh": "WAS",
}  # fmt: skip


@pytest.fixture(scope="module")
def batch():
    return parse_kaggle_text(KAGGLE, 2018)


def gid(day: date, abbreviation: str) -> int:
    return game_id_for(day, by_abbreviation(abbreviation).team_id)


def game_odds(batch, game_id: int) -> pd.DataFrame:
    odds = batch["odds_snapshots"]
    return odds[odds["game_id"] == game_id].set_index(["market", "outcome"])


def test_every_espn_code_resolves_to_its_own_franchise() -> None:
    resolved = {code: resolve_team(code) for code in ESPN_CODES}
    assert {code: f.abbreviation for code, f in resolved.items() if f} == ESPN_CODES


def test_season_filter_and_start_year(batch) -> None:
    games = batch["games"]
    assert len(games) == 6  # the 2017-18 and 2019-20 rows are left out
    assert set(games["season"]) == {2018}
    assert len(parse_kaggle_text(KAGGLE)["games"]) == 8


def test_unsigned_spread_follows_whos_favored(batch) -> None:
    boston = game_odds(batch, gid(date(2018, 10, 16), "BOS"))
    assert boston.loc[("spreads", "home"), "point"] == -4.5
    assert boston.loc[("spreads", "away"), "point"] == 4.5
    clippers = game_odds(batch, gid(date(2018, 10, 17), "LAC"))
    assert clippers.loc[("spreads", "home"), "point"] == 1.5  # the visitor is favoured
    pelicans = game_odds(batch, gid(date(2018, 10, 18), "NOP"))
    assert pelicans.loc[("spreads", "home"), "point"] == 0.0
    assert pelicans.loc[("h2h", "home"), "price_american"] == -110  # -110/-110 is a real pair


def test_only_a_closing_snapshot(batch) -> None:
    times = batch["odds_snapshots"].groupby("game_id")["snapshot_time"].nunique()
    assert (times == 1).all()
    boston = game_odds(batch, gid(date(2018, 10, 16), "BOS"))
    assert (boston["snapshot_time"] == pd.Timestamp("2018-10-16 23:00", tz="UTC")).all()
    assert set(boston["book_key"]) == {"kaggle_close"}


def test_bad_values_are_quarantined_alone(batch) -> None:
    utah = game_odds(batch, gid(date(2018, 10, 19), "UTA"))
    assert set(utah.index.get_level_values("market")) == {"spreads"}
    assert utah.loc[("spreads", "home"), "point"] == -9.0
    reasons = sorted(q.reason for q in batch.quarantine)
    assert reasons == [
        "2018-10-19 NYK@UTA close: both moneylines negative (-650/-650, overround 1.7333 > 1.15)",
        "2018-10-19 NYK@UTA close: total dropped: total 2100 outside 150-300",
    ]
    assert {q.target_table for q in batch.quarantine} == {"odds_snapshots"}


def test_missing_moneyline_overtime_postseason_and_bubble() -> None:
    every = parse_kaggle_text(KAGGLE)
    heat = game_odds(every, gid(date(2018, 10, 20), "MIA"))
    assert "h2h" not in set(heat.index.get_level_values("market"))
    results = every["game_results"].set_index("game_id")
    assert results.loc[gid(date(2018, 10, 20), "MIA"), "periods"] == 5
    assert results.loc[gid(date(2018, 10, 20), "MIA"), "home_periods"][-1] == 10
    games = every["games"].set_index("game_id")
    assert games.loc[gid(date(2019, 4, 20), "PHI"), "postseason"]
    bubble = games.loc[gid(date(2020, 8, 1), "ORL")]
    assert bubble["neutral_site"] and bubble["season"] == 2019
    assert games["neutral_site"].sum() == 1


def test_wrong_layout_is_refused() -> None:
    with pytest.raises(ArchiveFormatError, match="not the Kaggle layout"):
        parse_kaggle_text("Date,Rot,VH,Team\n1016,501,V,Boston")


def test_real_sbr_and_kaggle_agree_on_2018_19_closing_lines(shared_dir: Path) -> None:
    real = shared_dir / "data" / "real"
    sbr = parse_sbr(real / "sbr_archive" / "nba odds 2018-19.csv")
    kaggle = parse_kaggle(real / "kaggle_nba_2008_2025" / "nba_2008-2025.csv", 2018)
    assert (~sbr["games"]["postseason"]).sum() == (~kaggle["games"]["postseason"]).sum() == 1230
    assert set(sbr["games"]["game_id"]) == set(kaggle["games"]["game_id"])
    assert sbr["games"]["neutral_site"].sum() == 1  # London, 17 Jan 2019
    odds = sbr["odds_snapshots"]
    close = odds["snapshot_time"] == odds.groupby("game_id")["snapshot_time"].transform("max")
    keys = ["game_id", "market", "outcome", "point", "price_american"]
    sbr_close = odds[close][keys]
    both = sbr_close.merge(kaggle["odds_snapshots"][keys], how="outer", indicator=True)
    by_market = both.groupby("market")["_merge"].apply(lambda m: (m == "both").mean())
    assert by_market["h2h"] == 1.0 and by_market["totals"] == 1.0
    assert by_market["spreads"] > 0.999
    assert not sbr.quarantine and not kaggle.quarantine  # 2018-19 has no impossible value
