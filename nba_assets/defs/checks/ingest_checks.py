"""Checks on what the feeds delivered: validity (GX), betting consistency, freshness."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import dagster as dg
import numpy as np
import pandas as pd
from sqlalchemy import Engine

from nba_assets.defs.checks import expectations as gx_suites
from nba_assets.defs.checks.credit_checks import CREDIT_CHECK
from nba_assets.defs.checks.queries import quarantined, read, slate_games, slate_odds, slate_results
from nba_assets.defs.checks.registry import CheckOutcome, TableCheck

OVERROUND_BOUNDS = (1.0, 1.15)
ODDS_MAX_AGE = timedelta(minutes=30)
QUARANTINE_TOLERANCE = 0.01

_ERROR = dg.AssetCheckSeverity.ERROR


def _is_live(slate: date, now: datetime) -> bool:
    from nba_assets.defs.assets.common import is_live

    return is_live(slate, now)


def odds_valid(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    odds = slate_odds(engine, slate)
    bad = quarantined(engine, slate, "odds_snapshots")
    if odds.empty:
        return CheckOutcome(bad == 0, {"rows": 0, "quarantined": bad}, "no odds stored")
    frame = odds.assign(
        point_half_step=np.isclose((odds["point"] * 2) % 1, 0),
        abs_point=odds["point"].abs(),
    )
    result = gx_suites.validate(frame, gx_suites.odds_suite())
    rate = bad / (bad + len(odds))
    passed = result.success and rate <= QUARANTINE_TOLERANCE
    return CheckOutcome(passed, {"rows": len(odds), "quarantined": bad, **result.metadata()})


def odds_consistent(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    """Two-way overround within bounds and no outcome priced on one side only."""
    odds = slate_odds(engine, slate)
    if odds.empty:
        return CheckOutcome(True, {"pairs": 0})
    line = odds["point"].where(odds["outcome"] != "away", -odds["point"])
    keys = [odds["snapshot_time"], odds["game_id"], odds["book_id"], odds["market"], line]
    grouped = odds.assign(p=1 / odds["price_decimal"]).groupby(keys, sort=False)["p"]
    sides, overround = grouped.count(), grouped.sum()
    one_sided = int((sides != 2).sum())
    paired = overround[sides == 2]
    out_of_bounds = paired[(paired < OVERROUND_BOUNDS[0]) | (paired > OVERROUND_BOUNDS[1])]
    metadata = {
        "pairs": len(paired),
        "one_sided": one_sided,
        "overround_out_of_bounds": len(out_of_bounds),
        "overround_median": round(float(paired.median()), 4) if len(paired) else None,
        "overround_max": round(float(paired.max()), 4) if len(paired) else None,
    }
    return CheckOutcome(one_sided == 0 and out_of_bounds.empty, metadata)


def odds_fresh(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    """Live: newest price within 30 minutes while games are upcoming. Past: every game priced."""
    games = slate_games(engine, slate)
    odds = slate_odds(engine, slate)
    priced = set(odds["game_id"].unique())
    expected = set(games["game_id"].unique())
    if _is_live(slate, now):
        upcoming = games[pd.to_datetime(games["commence_time"], utc=True) > now]
        if upcoming.empty:
            return CheckOutcome(True, {"upcoming_games": 0})
        newest = odds["snapshot_time"].max() if not odds.empty else None
        age = (now - newest).total_seconds() / 60 if newest is not None else None
        passed = age is not None and age <= ODDS_MAX_AGE.total_seconds() / 60
        return CheckOutcome(passed, {"upcoming_games": len(upcoming), "newest_age_minutes": age})
    missing = sorted(expected - priced)
    return CheckOutcome(
        not missing, {"games": len(expected), "games_priced": len(priced), "missing": missing}
    )


def results_valid(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    results = slate_results(engine, slate)
    if results.empty:
        return CheckOutcome(True, {"rows": 0})
    frame = results.assign(not_tied=results["home_score"] != results["away_score"])
    result = gx_suites.validate(frame, gx_suites.results_suite())
    return CheckOutcome(result.success, {"rows": len(results), **result.metadata()})


def results_consistent(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    """Quarter scores sum to the final, box scores sum to the team score, feeds agree."""
    results = slate_results(engine, slate)
    if results.empty:
        return CheckOutcome(True, {"games": 0})
    problems: list[str] = []
    for row in results.itertuples(index=False):
        for side in ("home", "away"):
            periods = getattr(row, f"{side}_periods")
            if (
                periods is not None
                and len(periods)
                and sum(periods) != getattr(row, f"{side}_score")
            ):
                problems.append(f"{row.game_id} {row.source}: {side} periods != final")
    lo = int(results["game_id"].min())
    hi = int(results["game_id"].max())
    box = read(
        engine,
        """SELECT s.game_id, s.team_id, sum(s.pts) AS pts FROM (
               SELECT DISTINCT ON (game_id, player_id, source) game_id, team_id, pts
               FROM nba.player_stats WHERE game_id BETWEEN :lo AND :hi
               ORDER BY game_id, player_id, source, version DESC) s
           GROUP BY 1, 2""",
        lo=lo,
        hi=hi,
    )
    if not box.empty:
        homes = (box["game_id"] % 100) == box["team_id"]
        box_scores = box.assign(side=np.where(homes, "home", "away")).pivot_table(
            index="game_id", columns="side", values="pts", aggfunc="sum"
        )
        for row in results.itertuples(index=False):
            if row.game_id in box_scores.index:
                got = box_scores.loc[row.game_id]
                if got.get("home") != row.home_score or got.get("away") != row.away_score:
                    problems.append(f"{row.game_id} {row.source}: box score != final")
    by_game = results.groupby("game_id")[["home_score", "away_score"]].nunique()
    disagree = by_game[(by_game > 1).any(axis=1)].index.tolist()
    problems += [f"{g}: feeds disagree on the score" for g in disagree]
    return CheckOutcome(
        not problems, {"games": results["game_id"].nunique(), "problems": problems[:20]}
    )


def results_complete(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    """Once a slate is over, every game it scheduled has a final score."""
    if _is_live(slate, now):
        return CheckOutcome(True, {"note": "slate still live"})
    games = slate_games(engine, slate)
    scheduled = set(games.loc[games["status"] != "canceled", "game_id"])
    results = slate_results(engine, slate)
    missing = sorted(scheduled - set(results.loc[results["final"], "game_id"]))
    return CheckOutcome(not missing, {"games": len(scheduled), "missing_results": missing})


def games_in_both_feeds(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    games = slate_games(engine, slate)
    sources = games.groupby("game_id")["source"].nunique()
    single = sorted(sources[sources < 2].index.tolist())
    return CheckOutcome(not single, {"games": len(sources), "known_to_one_feed_only": single})


POLL_MAX_AGE = timedelta(minutes=60)


def _polled_within(engine: Engine, endpoint: str, now: datetime) -> CheckOutcome:
    """Rows are stored only when something changes, so freshness is a recent good poll."""
    last = read(
        engine,
        "SELECT max(requested_at) AS at FROM nba.feed_requests"
        " WHERE outcome = 'ok' AND endpoint LIKE :endpoint",
        endpoint=f"%{endpoint}%",
    )["at"].iloc[0]
    if last is None or pd.isna(last):
        return CheckOutcome(False, {"last_successful_poll": None})
    age = (now - pd.Timestamp(last).to_pydatetime()).total_seconds() / 60
    passed = age <= POLL_MAX_AGE.total_seconds() / 60
    return CheckOutcome(passed, {"last_poll_age_minutes": round(age, 1)})


def injuries_fresh(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    """Live slate: the injury report was polled within the hour."""
    if not _is_live(slate, now):
        return CheckOutcome(True, {"note": "past slate: replayed from history"})
    return _polled_within(engine, "/v1/player_injuries", now)


def results_fresh(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    """Live slate: scores were polled within the hour."""
    if not _is_live(slate, now):
        return CheckOutcome(True, {"note": "past slate: see results_complete"})
    return _polled_within(engine, "/v1/games", now)


def injuries_valid(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    from nba_assets.core.slates import slate_window

    start, end = slate_window(slate)
    rows = read(
        engine,
        "SELECT player_id, status, play_probability FROM nba.injuries"
        " WHERE reported_at >= :start - interval '1 day' AND reported_at < :end",
        start=start,
        end=end,
    )
    if rows.empty:
        return CheckOutcome(True, {"rows": 0})
    result = gx_suites.validate(rows, gx_suites.injuries_suite())
    return CheckOutcome(result.success, {"rows": len(rows), **result.metadata()})


INGEST_CHECKS = (
    TableCheck(
        "odds_snapshots",
        "odds_valid",
        "GX suite on prices, markets, points; at most 1% of offered rows quarantined",
        odds_valid,
        True,
        _ERROR,
    ),
    TableCheck(
        "odds_snapshots",
        "odds_consistent",
        f"two-way overround within {OVERROUND_BOUNDS}, no one-sided outcome",
        odds_consistent,
        True,
        _ERROR,
    ),
    TableCheck(
        "odds_snapshots",
        "odds_fresh",
        "live: newest price under 30 minutes old; past: every game of the slate priced",
        odds_fresh,
    ),
    TableCheck(
        "odds_snapshots",
        "games_in_both_feeds",
        "every game of the slate known to both the odds feed and the stats feed",
        games_in_both_feeds,
    ),
    CREDIT_CHECK,
    TableCheck(
        "game_results", "results_valid", "GX suite on final scores", results_valid, True, _ERROR
    ),
    TableCheck(
        "game_results",
        "results_consistent",
        "periods and box scores sum to the final; the two feeds agree",
        results_consistent,
        True,
        _ERROR,
    ),
    TableCheck(
        "game_results",
        "results_complete",
        "every game of a finished slate has a final result",
        results_complete,
    ),
    TableCheck(
        "injuries", "injuries_valid", "GX suite on statuses and play probabilities", injuries_valid
    ),
    TableCheck(
        "injuries", "injuries_fresh", "live: the report polled within the hour", injuries_fresh
    ),
    TableCheck(
        "game_results", "results_fresh", "live: scores polled within the hour", results_fresh
    ),
)


def checks_for(asset: str) -> tuple[TableCheck, ...]:
    return tuple(c for c in INGEST_CHECKS if c.asset == asset)
