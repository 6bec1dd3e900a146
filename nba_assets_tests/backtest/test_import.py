"""``nba-assets import`` and ``nba-assets backtest`` against a fresh migrated warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import text

from nba_assets.backtest import import_archive, parse_season, run_backtest
from nba_assets.backtest.importer import archive_file
from nba_assets.cli import build_parser, main
from nba_assets.feeds.archive import ArchiveFormatError, parse_sbr_text
from nba_assets_tests.feeds.archive.snippets import (
    KAGGLE,
    SBR_2018,
    SBR_2018_GAMES,
    SBR_2018_QUARANTINED,
)


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    sbr = tmp_path / "sbr_archive"
    sbr.mkdir()
    (sbr / "nba odds 2018-19.csv").write_text("\ufeff" + SBR_2018)
    (tmp_path / "nba_2008-2025.csv").write_text(KAGGLE)
    return tmp_path


@pytest.fixture
def cli_db(fresh_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("NBA_DATABASE_URL", fresh_url)
    return fresh_url


def counts(output: str) -> dict[str, tuple[int, ...]]:
    """table -> (offered, inserted, duplicate, quarantined) from the printed report."""
    found = {}
    for line in output.splitlines():
        match = re.match(r"\s+(\w+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)$", line)
        if match:
            found[match.group(1)] = tuple(int(g.replace(",", "")) for g in match.groups()[1:])
    return found


def test_import_is_idempotent_and_quarantines(archive_dir, cli_db, fresh_engine, capsys) -> None:
    odds = len(parse_sbr_text(SBR_2018, 2018)["odds_snapshots"])
    assert main(["import", "--layout", "sbr", str(archive_dir), "--season", "2018-19"]) == 0
    first = counts(capsys.readouterr().out)
    assert first["games"] == (SBR_2018_GAMES, SBR_2018_GAMES, 0, 2)
    assert first["game_results"] == (SBR_2018_GAMES, SBR_2018_GAMES, 0, 0)
    assert first["odds_snapshots"] == (odds, odds, 0, 2)

    assert main(["import", "--layout", "sbr", str(archive_dir), "--season", "2018-19"]) == 0
    second_out = capsys.readouterr().out
    second = counts(second_out)
    assert all(c[1] == 0 and c[2] == c[0] for c in second.values())
    assert "nothing new" in second_out and "0 new record(s), 4 already quarantined" in second_out

    with fresh_engine.connect() as conn:
        rows = conn.execute(text("SELECT target_table, reason, raw FROM nba.quarantine")).all()
        games = conn.execute(text("SELECT count(*), count(DISTINCT version) FROM nba.games")).one()
        books = set(conn.execute(text("SELECT book_key FROM nba.books")).scalars())
    assert len(rows) == SBR_2018_QUARANTINED  # not written twice
    assert any("1955.5" in r.reason and r.raw["column"] == "Open" for r in rows)
    assert any("both moneylines negative" in r.reason for r in rows)
    assert tuple(games) == (SBR_2018_GAMES, 1)
    assert "sbr_archive" in books


def test_kaggle_import_and_the_backtest_command(archive_dir, cli_db, fresh_engine, capsys) -> None:
    report = import_archive(fresh_engine, "kaggle", archive_dir, "2018-19")
    assert report.counts[0].inserted == 6 and report.quarantine_new == 2
    assert import_archive(fresh_engine, "kaggle", archive_dir, "2018-19").inserted == 0
    import_archive(fresh_engine, "sbr", archive_dir, 2018)

    assert main(["backtest", "--season", "2018-19"]) == 0
    out = capsys.readouterr().out
    assert "scoring instant: 12:00 ET" in out
    for name in ("closing_line*", "market_consensus", "model_edge"):
        assert name in out
    result = run_backtest(fresh_engine, 2018, books=["kaggle_close"])
    assert result.mode == "close" and result.books == ("kaggle_close",)
    assert result.row("market_consensus", "h2h")["games"] >= 1

    assert main(["backtest", "--season", "2001-02"]) == 1
    assert "import them first" in capsys.readouterr().err


def test_path_and_season_handling(archive_dir) -> None:
    assert archive_file("sbr", archive_dir, 2018).name == "nba odds 2018-19.csv"
    assert archive_file("kaggle", archive_dir, None).name == "nba_2008-2025.csv"
    with pytest.raises(ArchiveFormatError, match="--season"):
        archive_file("sbr", archive_dir, None)
    with pytest.raises(FileNotFoundError):
        archive_file("sbr", archive_dir, 2016)
    assert parse_season("2018-19") == parse_season("2018-2019") == parse_season("2018") == 2018
    with pytest.raises(ValueError, match="follow"):
        parse_season("2018-20")


def test_db_commands_are_still_wired() -> None:
    parser = build_parser()
    for argv in (["db", "url"], ["db", "migrate"], ["db", "status"]):
        assert callable(parser.parse_args(argv).func)


def test_real_2018_19_closing_line_matches_the_published_figures(
    shared_dir: Path, fresh_engine
) -> None:
    """README §7: multiplicative no-vig closing ML, 2018-19 regular season."""
    real = shared_dir / "data" / "real"
    report = import_archive(fresh_engine, "kaggle", real, "2018-19")
    assert report.counts[0].inserted == 1312  # 1230 regular-season + 82 playoff games
    result = run_backtest(fresh_engine, 2018)
    closing = result.row("closing_line", "h2h")
    assert closing["games"] == 1230
    assert closing["brier"] == pytest.approx(0.2036, abs=0.001)
    assert closing["log_loss"] == pytest.approx(0.5930, abs=0.002)
    model = result.row("model_edge", "h2h")
    assert model["games"] == 1230
    assert model["brier"] < 0.2414  # beats always predicting the season's home-win rate


def test_real_2018_19_through_the_cli_from_the_sbr_archive(
    shared_dir: Path, cli_db: str, capsys
) -> None:
    """The README's two commands on the real SBR archive print the published figures."""
    real = shared_dir / "data" / "real"
    assert main(["import", "--layout", "sbr", str(real), "--season", "2018-19"]) == 0
    capsys.readouterr()
    assert main(["backtest", "--season", "2018-19"]) == 0
    out = capsys.readouterr().out
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 6 and parts[1] == "h2h":
            rows[parts[0].rstrip("*")] = (int(parts[2]), float(parts[3]), float(parts[4]))
    games, brier, log_loss = rows["closing_line"]
    assert games == 1230
    assert brier == pytest.approx(0.2036, abs=0.001)
    assert log_loss == pytest.approx(0.5930, abs=0.002)
    assert rows["model_edge"][1] < 0.2414  # a constant home-win-rate forecast's Brier
