"""What each quality dimension means for each ingest table, and a slate's scores.

Each ``*_measures`` function returns the table's completeness, accuracy, consistency and
timeliness as ``Measure``s (validity is the same for every table: its suite's success);
its docstring says what is counted and why. ``score_slate`` weighs them into one
``quality_scores`` row per table. Feeds are told apart by their source's suffix
(``balldontlie``, ``odds_api``, with or without ``sandbox_``), as in
``nba_assets.warehouse.reads``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd

from nba_assets.analytics.boards import latest_board
from nba_assets.analytics.market_consensus import ConsensusConfig, market_consensus
from nba_assets.analytics.quality import (
    DIMENSIONS,
    FEEDS,
    INGEST_CADENCE,
    MINUTE,
    ODDS_CADENCE,
    QUALITY_SCORES,
    SCORED_TABLES,
    Measure,
    SlateData,
    closing_age,
    due_games,
    feed_of,
    final_by_deadline,
    listed,
    poll_age,
    schedule,
    share,
    utc,
    validity,
    weighted_score,
)
from nba_assets.core.slates import slate_window

MARKETS = ("h2h", "spreads", "totals")
# An implied probability 5 points from the devigged consensus is off the market by more
# than any book's margin (2-3 points a side): a stale, mistyped or misparsed price.
PRICE_TOLERANCE = 0.05
CONSENSUS_MIN_BOOKS = 3  # fewer books make a pair, not a market
CONSENSUS_HOURS = 12  # hourly boards over the half day before the slate's last tip-off
OVERROUND_BOUNDS = (1.0, 1.15)  # below 1 is free money; above 15% no book really charges
TIP_TOLERANCE = timedelta(minutes=5)  # the two feeds' tip-off may differ by rounding
REPORT_WINDOW = timedelta(hours=24)
MIN_PLAYERS = 5  # a side with fewer lines is a partial box score
# Play probability a status may carry under any sensible rule (the rule is versioned).
PROBABILITY_BANDS = {
    "out": (0.0, 0.1),
    "doubtful": (0.0, 0.5),
    "questionable": (0.2, 0.8),
    "day_to_day": (0.2, 0.9),
    "probable": (0.5, 1.0),
    "available": (0.9, 1.0),
}


# games ----------------------------------------------------------------------------------


def games_measures(data: SlateData, expected: pd.DataFrame) -> dict[str, Measure]:
    """Completeness: each game listed by both feeds (the odds feed cannot price a game it
    does not list). Accuracy: where both list it, they agree on teams and tip-off.
    Consistency: tip-off inside the slate's New York day, no team twice in one feed, no
    game final before it started. Timeliness: live, the schedule polled within a cadence;
    past, every game known before its tip-off."""
    games = data.games.assign(feed=data.games["source"].map(feed_of))
    seen = set(zip(games["game_id"], games["feed"], strict=True))
    wanted = [(g, f) for g in expected["game_id"] for f in FEEDS]
    rows = games.drop_duplicates(["game_id", "feed"]).set_index(["game_id", "feed"])
    both = [g for g in expected["game_id"] if all((g, f) in seen for f in FEEDS)]
    agree = []
    for g in both:
        a, b = rows.loc[(g, "stats")], rows.loc[(g, "odds")]
        gap = abs(pd.Timestamp(a["commence_time"]) - pd.Timestamp(b["commence_time"]))
        teams = (a["home_team_id"], a["away_team_id"]) == (b["home_team_id"], b["away_team_id"])
        agree.append(teams and gap <= TIP_TOLERANCE)
    start, end = slate_window(data.slate)
    tips = utc(games["commence_time"])
    home = games["feed"] + ":" + games["home_team_id"].astype(str)
    away = games["feed"] + ":" + games["away_team_id"].astype(str)
    plays = pd.concat([home, away]).value_counts()
    early_final = games["status"].isin(["in_progress", "final"]) & (
        utc(games["observed_at"]) < tips
    )
    sane = (tips >= start) & (tips < end) & (home.map(plays) == 1) & (away.map(plays) == 1)
    sane &= ~early_final
    if data.live:
        timely = poll_age(data, f"/v1/games?dates[]={data.slate.isoformat()}")
    else:
        first = games.groupby("game_id")["first_observed_at"].min().reindex(expected["game_id"])
        known = utc(first.to_numpy()).to_numpy() < utc(expected["commence_time"]).to_numpy()
        timely = share(known, late=listed(expected.loc[~known, "game_id"]))
    missing = [f"{g}:{f}" for g, f in wanted if (g, f) not in seen]
    return {
        "completeness": share((p in seen for p in wanted), missing=listed(missing)),
        "accuracy": share(
            agree, disagree=listed(g for g, ok in zip(both, agree, strict=True) if not ok)
        ),
        "consistency": share(sane, inconsistent=listed(games.loc[~sane, "game_id"])),
        "timeliness": timely,
    }


# odds_snapshots -------------------------------------------------------------------------


def _pairs(odds: pd.DataFrame) -> pd.DataFrame:
    """Each book's two-way market per line and snapshot (spread home at p with away at -p),
    with its sides counted and its overround."""
    line = odds["point"].where(odds["outcome"] != "away", -odds["point"]).rename("line")
    keys = [odds["game_id"], odds["book_id"], odds["market"], line, odds["snapshot_time"]]
    grouped = (1 / odds["price_decimal"]).groupby(keys, sort=False)
    return pd.DataFrame({"sides": grouped.count(), "overround": grouped.sum()}).reset_index()


def odds_accuracy(
    odds: pd.DataFrame, books: pd.DataFrame, tips: pd.DataFrame, now: datetime
) -> Measure:
    """Share of prices whose implied probability is within ``PRICE_TOLERANCE`` of the
    market_consensus fair probability of their outcome (devigged, sharp-weighted median).

    Boards are taken hourly (each book's latest market at that instant, for games not yet
    started), so a book is compared with the market as it stood rather than with prices
    hours apart; a group with fewer than three paired books has no consensus to judge by.
    The implied probability keeps the book's margin, so a price inflated by a runaway
    overround is off the market too."""
    tip = utc(tips.set_index("game_id")["commence_time"])
    if odds.empty or tip.empty:
        return Measure(None, {"prices": 0})
    priced = odds.merge(books[["book_id", "tier"]], on="book_id", how="left")
    priced["tier"] = priced["tier"].fillna("retail")
    last = min(tip.max(), pd.Timestamp(now)).floor("h")
    boards = []
    for mark in (last - pd.Timedelta(hours=h) for h in range(CONSENSUS_HOURS)):
        board = latest_board(priced, mark.to_pydatetime())
        boards.append(board[board["game_id"].map(tip) > mark].assign(snapshot_time=mark))
    stacked = pd.concat(boards, ignore_index=True)
    if stacked.empty:
        return Measure(None, {"prices": 0})
    result = market_consensus(stacked, ConsensusConfig(per_snapshot=True))
    judged = result.group_books[result.row_group] >= CONSENSUS_MIN_BOOKS
    implied = 1 / stacked["price_decimal"].to_numpy(dtype=float)
    gap = np.abs(implied - result.row_lookup()[0])[judged]
    off = stacked.loc[judged].loc[gap > PRICE_TOLERANCE, "book_id"].value_counts().sort_index()
    by_book = {str(book): int(n) for book, n in off.items()}
    return share(gap <= PRICE_TOLERANCE, off_market_prices_by_book=by_book)


def odds_measures(data: SlateData, expected: pd.DataFrame) -> dict[str, Measure]:
    """Completeness: every game x every book that priced the week x every market, quoted on
    both sides at least once. Accuracy: see ``odds_accuracy``. Consistency: every quoted
    two-way market has both sides on mirrored lines, an overround within bounds and sane
    points (h2h at 0, half-point grid, totals positive). Timeliness: live, the newest price
    or poll within 15 minutes while games are upcoming; otherwise each started game's last
    pre-game price (the close) at most 15 minutes old at tip-off."""
    odds = data.odds
    books = data.books.loc[data.books["expected"].astype(bool), "book_id"].tolist()
    # No book priced anything all week: still one book's worth of units, all missing.
    books = books or sorted(odds["book_id"].unique().tolist()) or [-1]
    sides = odds.groupby(["game_id", "book_id", "market"])["outcome"].nunique()
    units = pd.MultiIndex.from_product(
        [expected["game_id"], books, MARKETS], names=["game_id", "book_id", "market"]
    )
    quoted = sides.reindex(units, fill_value=0) == 2
    missing = [f"{g}:{b}:{m}" for g, b, m in quoted[~quoted].index]
    pairs = _pairs(odds)
    line, market = pairs["line"], pairs["market"]
    on_grid = np.isclose((line * 2) % 1, 0) & ((market != "totals") | (line > 0))
    points = np.where(market == "h2h", line == 0, on_grid)
    bounded = pairs["overround"].between(*OVERROUND_BOUNDS)
    sane = (pairs["sides"] == 2) & bounded & points
    consistency = share(
        sane,
        one_sided=int((pairs["sides"] != 2).sum()),
        overround_out_of_bounds=int((~bounded).sum()),
        bad_points=int((~points).sum()),
    )
    tips = utc(expected["commence_time"])
    if data.live and (tips > data.at).any():
        newest = odds["snapshot_time"].max() if len(odds) else None
        timely = poll_age(data, "/v4/sports/basketball_nba/odds", ODDS_CADENCE)
        if newest is not None and data.at - newest <= ODDS_CADENCE:
            age = round((data.at - newest) / MINUTE)
            timely = Measure(100.0, {"newest_price_age_minutes": age})
    else:
        started = expected[tips <= data.at].set_index("game_id")["commence_time"]
        captured = odds[["game_id", "snapshot_time"]].rename(columns={"snapshot_time": "at"})
        timely = closing_age(utc(started), captured, ODDS_CADENCE)
    return {
        "completeness": share(quoted, units=len(units), books=len(books), missing=listed(missing)),
        "accuracy": odds_accuracy(odds, data.books, expected, data.now),
        "consistency": consistency,
        "timeliness": timely,
    }


# game_results and player_stats -----------------------------------------------------------


def _sides(lines: pd.DataFrame, expected: pd.DataFrame) -> pd.DataFrame:
    """Box-score lines of the slate's games with ``side``: home, away, or None for a team
    that did not play in that game."""
    teams = expected[["game_id", "home_team_id", "away_team_id"]]
    lines = lines.merge(teams, on="game_id", how="inner")
    side = np.where(lines["team_id"] == lines["home_team_id"], "home", None)
    side = np.where(lines["team_id"] == lines["away_team_id"], "away", side)
    return lines.assign(side=side)


def _team_points(lines: pd.DataFrame) -> pd.DataFrame:
    """Points per game and side from the box score (games with lines for both sides)."""
    sums = lines.dropna(subset=["side"]).pivot_table(
        index="game_id", columns="side", values="pts", aggfunc="sum"
    )
    return sums.reindex(columns=["home", "away"]).dropna()


def _result_problems(r: Any, box: pd.DataFrame) -> str:
    """What is wrong with one final score: quarters that do not add up to it, a tie, or a
    box score whose team points differ ("" when nothing is)."""
    scores = (r.home_score, r.away_score)
    wrong = [
        side
        for side, score in zip(("home", "away"), scores, strict=True)
        if (periods := getattr(r, f"{side}_periods")) is not None
        and len(periods)
        and sum(periods) != score
    ]
    wrong += ["tied"] if scores[0] == scores[1] else []
    game = r.game_id
    wrong += ["box score"] if game in box.index and tuple(box.loc[game]) != scores else []
    return f"{game} {r.source}: {', '.join(wrong)}" if wrong else ""


def results_measures(data: SlateData, expected: pd.DataFrame) -> dict[str, Measure]:
    """Completeness: every due game has a final score. Accuracy: where both feeds report a
    final (BallDontLie and The Odds API's scores), they agree on both scores.
    Consistency: quarter scores add up to the final, no tie, and the box score's team
    points sum to it. Timeliness: each final known before the morning run that needs it
    (live: the scores feed asked within 30 minutes once games are due)."""
    due = due_games(data, expected)
    results = data.results
    finals = results.loc[
        results["final"].astype(bool) & results["game_id"].isin(expected["game_id"])
    ]
    complete = due["game_id"].isin(finals["game_id"])
    per_game = finals.groupby("game_id")
    compared = per_game[["home_score", "away_score"]].nunique()[per_game["source"].nunique() > 1]
    agree = (compared <= 1).all(axis=1)
    box = _team_points(_sides(data.box, expected))
    problems = [_result_problems(r, box) for r in finals.itertuples(index=False)]
    seen = per_game["completed_at"].min().reindex(due["game_id"]).dropna()
    return {
        "completeness": share(complete, missing=listed(due.loc[~complete, "game_id"])),
        "accuracy": share(agree, disagree=listed(agree.index[~agree])),
        "consistency": share((not p for p in problems), problems=listed(p for p in problems if p)),
        "timeliness": final_by_deadline(data, due, seen, f"/v1/games?dates[]={data.slate}"),
    }


def box_measures(data: SlateData, expected: pd.DataFrame) -> dict[str, Measure]:
    """Completeness: every due game has lines for at least five players a side.
    Accuracy: each team's points in the box score equal its final score (the second
    account of the same game). Consistency: each line adds up (points from field goals,
    threes and free throws, makes within attempts, rebounds from offensive and defensive)
    and belongs to a team of its game. Timeliness: as for results."""
    lines = _sides(data.box, expected)
    due = due_games(data, expected)
    per_side = lines.dropna(subset=["side"]).groupby(["game_id", "side"])["player_id"].nunique()
    sides = per_side[per_side >= MIN_PLAYERS].reset_index().groupby("game_id")["side"].nunique()
    complete = due["game_id"].map(sides).fillna(0) == 2
    ranked = data.results.assign(_rank=data.results["source"].map(feed_of) != "stats")
    finals = ranked.loc[ranked["final"].astype(bool)].sort_values(["game_id", "_rank"])
    finals = finals.drop_duplicates("game_id")
    points = _team_points(lines).join(finals.set_index("game_id"), how="inner")
    agree = (points["home"] == points["home_score"]) & (points["away"] == points["away_score"])
    sane = (
        (lines["pts"] == 2 * lines["fgm"] + lines["fg3m"] + lines["ftm"])
        & (lines["fgm"] <= lines["fga"])
        & (lines["fg3m"] <= lines["fg3a"])
        & (lines["fg3m"] <= lines["fgm"])
        & (lines["ftm"] <= lines["fta"])
        & (lines["reb"] == lines["oreb"] + lines["dreb"])
        & lines["side"].notna()
    )
    seen = lines.groupby("game_id")["observed_at"].max().reindex(due["game_id"]).dropna()
    return {
        "completeness": share(complete, missing=listed(due.loc[~complete.to_numpy(), "game_id"])),
        "accuracy": share(agree, disagree=listed(points.index[~agree])),
        "consistency": share(sane, inconsistent=listed(lines.loc[~sane, "player_id"])),
        "timeliness": final_by_deadline(data, due, seen, f"/v1/stats?dates[]={data.slate}"),
    }


# injuries -------------------------------------------------------------------------------


def injuries_measures(data: SlateData, expected: pd.DataFrame) -> dict[str, Measure]:
    """Completeness: every game had the injury report read in the 24 hours before its
    tip-off (or before now, for one still to come): the model needs the report it would
    have had. Accuracy: players the last report before tip-off had out did not play (the
    box score is the second account). Consistency: each report's play probability lies in
    its status's band and its player resolves to a team. Timeliness: live, the report read
    within 30 minutes; past, its age at each tip-off."""
    polls = data.polls[data.polls["endpoint"].str.startswith("/v1/player_injuries")]
    tips = utc(expected.set_index("game_id")["commence_time"])
    moments = tips.clip(upper=data.at).to_numpy()
    asked = np.sort(utc(polls["requested_at"]).to_numpy())
    since = np.searchsorted(asked, moments - REPORT_WINDOW, side="left")
    until = np.searchsorted(asked, moments, side="right")
    covered = until > since
    reports = data.injuries.sort_values("reported_at")
    played = data.box.loc[data.box["minutes"] > 0, ["game_id", "player_id"]]
    verdicts, wrong = [], []
    for game in expected[expected["game_id"].isin(data.box["game_id"])].itertuples(index=False):
        known = reports[reports["reported_at"] < game.commence_time]
        status = known.drop_duplicates("player_id", keep="last")
        out = status[
            (status["status"] == "out")
            & status["team_id"].isin([game.home_team_id, game.away_team_id])
        ]
        did_play = out["player_id"].isin(played.loc[played["game_id"] == game.game_id, "player_id"])
        verdicts += (~did_play).tolist()
        wrong += out.loc[did_play, "player_id"].tolist()
    recent = reports[
        utc(reports["reported_at"]) >= pd.Timestamp(slate_window(data.slate)[0]) - REPORT_WINDOW
    ]
    # An unknown status has an empty band.
    lo = recent["status"].map(lambda s: PROBABILITY_BANDS.get(s, (1.0, 0.0))[0]).astype(float)
    hi = recent["status"].map(lambda s: PROBABILITY_BANDS.get(s, (1.0, 0.0))[1]).astype(float)
    probability = recent["play_probability"].astype(float)
    banded = (probability >= lo) & (probability <= hi) & recent["team_id"].notna()
    if data.live:
        timely = poll_age(data, "/v1/player_injuries")
    else:
        captured = pd.merge(
            expected[["game_id"]], polls.rename(columns={"requested_at": "at"}), how="cross"
        )
        timely = closing_age(tips, captured, INGEST_CADENCE)
    return {
        "completeness": share(covered, uncovered=listed(tips.index[~covered])),
        "accuracy": share(verdicts, out_but_played=listed(wrong)),
        "consistency": share(banded, inconsistent=listed(recent.loc[~banded, "player_id"])),
        "timeliness": timely,
    }


MEASURES: dict[str, Callable[[SlateData, pd.DataFrame], dict[str, Measure]]] = {
    "games": games_measures,
    "odds_snapshots": odds_measures,
    "game_results": results_measures,
    "player_stats": box_measures,
    "injuries": injuries_measures,
}


def score_slate(data: SlateData) -> pd.DataFrame:
    """One ``quality_scores`` row per scored table of the slate (none for a slate without
    games, or a table with nothing measurable yet). Scores are rounded to hundredths, so
    a recomputation over unchanged data yields the same row and adds no version."""
    expected = schedule(data.games)
    rows = []
    for table in SCORED_TABLES if len(expected) else ():
        measures = {**MEASURES[table](data, expected), "validity": validity(data, table)}
        dims = {d: None if m.score is None else round(m.score, 2) for d, m in measures.items()}
        score = weighted_score(dims)
        if score is None:
            continue
        rows.append(
            {
                "slate_date": data.slate,
                "table_name": table,
                **{d: dims[d] for d in DIMENSIONS},
                "score": round(score, 2),
                "details": {d: measures[d].detail for d in DIMENSIONS},
                "computed_at": data.now,
            }
        )
    frame = pd.DataFrame(rows, columns=list(QUALITY_SCORES))
    return frame.astype({d: float for d in (*DIMENSIONS, "score")})
