"""A small made-up season in the SBR layout, parsed into the frames a replay reads."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pandas as pd

from nba_assets.backtest.data import SeasonData
from nba_assets.feeds.archive import parse_sbr_text
from nba_assets_tests.feeds.archive.snippets import SBR_HEADER, sbr_row

TEAMS = ("Atlanta", "Boston", "Brooklyn", "Charlotte", "Chicago", "Cleveland")
STRENGTH = np.array([6.0, 3.0, 0.0, 0.0, -3.0, -6.0])
KNOWN_AT = datetime(2030, 1, 1, tzinfo=UTC)


def _american(p: float) -> str:
    """A moneyline with about 2 points of margin on each side."""
    q = min(max(p + 0.02, 0.02), 0.98)
    price = -100 * q / (1 - q) if q >= 0.5 else 100 * (1 - q) / q
    return str(round(price) if abs(price) >= 100 else (-100 if price < 0 else 100))


def _column(home_line: float, total: float) -> tuple[str, str]:
    """(away cell, home cell) of one Open/Close column: spread on the favourite's row."""
    spread = f"{abs(home_line):g}" if home_line else "pk"
    return (f"{total:g}", spread) if home_line <= 0 else (spread, f"{total:g}")


def sbr_season(slates: int = 20, seed: int = 3) -> str:
    """``slates`` consecutive days from 2018-10-16, three games a day, in the SBR layout."""
    rng = np.random.default_rng(seed)
    rows = [SBR_HEADER]
    rot = 501
    for k in range(slates):
        day = date(2018, 10, 16) + timedelta(days=k)
        mmdd = f"{day.month}{day.day:02d}"
        order = rng.permutation(len(TEAMS))
        for away, home in zip(order[::2], order[1::2], strict=True):
            edge = STRENGTH[home] - STRENGTH[away] + 2.0
            margin = int(np.rint(edge + rng.normal(0, 12)))
            margin = margin if margin else 1
            total = int(np.rint(220 + rng.normal(0, 15)))
            home_pts, away_pts = (total + margin) // 2, (total - margin) // 2
            close_line = -round(2 * edge) / 2
            open_line = close_line + float(rng.choice([-1.0, 0.0, 1.0]))
            p_home = float(1 / (1 + np.exp(-edge / 7.0)))
            a_open, h_open = _column(open_line, 220.5)
            a_close, h_close = _column(close_line, 221.0)
            for vh, team, pts, o, c, ml in (
                ("V", TEAMS[away], away_pts, a_open, a_close, _american(1 - p_home)),
                ("H", TEAMS[home], home_pts, h_open, h_close, _american(p_home)),
            ):
                q = pts // 4
                quarters = (q, q, q, pts - 3 * q)
                rows.append(sbr_row(mmdd, rot, vh, team, quarters, pts, o, c, ml))
                rot += 1
    return "\n".join(rows)


def season_data(text: str | None = None, season: int = 2018) -> SeasonData:
    """The parsed archive as the replay sees it (one retail book, id 1)."""
    batch = parse_sbr_text(text or sbr_season(), season)
    odds = batch["odds_snapshots"].assign(book_id=1, tier="retail")
    odds = odds.drop(columns=["book_title", "source_event_id", "last_update"])
    games = batch["games"][~batch["games"]["postseason"].astype(bool)].reset_index(drop=True)
    results = batch["game_results"][["game_id", "home_score", "away_score", "periods", "final",
                                     "completed_at"]]  # fmt: skip
    return SeasonData(
        season=season,
        games=games.assign(slate_date=pd.to_datetime(games["slate_date"]).dt.date),
        results=results.reset_index(drop=True),
        odds=odds.reset_index(drop=True),
        known_at=KNOWN_AT,
    )
