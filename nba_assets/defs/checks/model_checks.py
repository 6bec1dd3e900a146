"""Checks on what the platform computed: ratings, value scores, and no look-ahead."""

from __future__ import annotations

from datetime import date, datetime

import dagster as dg
from sqlalchemy import Engine

from nba_assets.defs.checks import expectations as gx_suites
from nba_assets.defs.checks.queries import game_id_range, read
from nba_assets.defs.checks.registry import CheckOutcome, TableCheck

_ERROR = dg.AssetCheckSeverity.ERROR


def team_stats_valid(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    rows = read(
        engine,
        """SELECT DISTINCT ON (team_id) team_id, net_rating, pace, inputs_as_of
           FROM nba.team_stats WHERE as_of_date = :d ORDER BY team_id, version DESC""",
        d=slate,
    )
    if rows.empty:
        return CheckOutcome(False, {"rows": 0}, "no ratings for the slate")
    result = gx_suites.validate(rows, gx_suites.team_stats_suite())
    return CheckOutcome(result.success, {"rows": len(rows), **result.metadata()})


def team_stats_fresh(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    """Every team playing on the slate has a rating as of that slate."""
    lo, hi = game_id_range(slate)
    missing = read(
        engine,
        """SELECT t.team_id FROM (
               SELECT home_team_id AS team_id FROM nba.games WHERE game_id BETWEEN :lo AND :hi
               UNION SELECT away_team_id FROM nba.games WHERE game_id BETWEEN :lo AND :hi) t
           WHERE NOT EXISTS (SELECT 1 FROM nba.team_stats s
                             WHERE s.team_id = t.team_id AND s.as_of_date = :d)""",
        lo=lo,
        hi=hi,
        d=slate,
    )
    return CheckOutcome(missing.empty, {"teams_without_rating": missing["team_id"].tolist()})


def no_look_ahead(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    """Ratings used only games of earlier slates, finished before the slate began."""
    lo, _ = game_id_range(slate)
    leaks = read(
        engine,
        """SELECT count(*) AS n FROM nba.team_stats s
           WHERE s.as_of_date = :d AND s.inputs_as_of > (
               SELECT min(commence_time) FROM nba.games WHERE game_id BETWEEN :lo AND :lo + 99)""",
        d=slate,
        lo=lo,
    )
    n = int(leaks["n"].iloc[0])
    return CheckOutcome(n == 0, {"ratings_with_inputs_after_first_tip": n})


def value_scores_valid(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    lo, hi = game_id_range(slate)
    rows = read(
        engine,
        """SELECT fair_prob, value_score, kelly_fraction, algorithm, scored_at, snapshot_time
           FROM nba.value_scores WHERE game_id BETWEEN :lo AND :hi""",
        lo=lo,
        hi=hi,
    )
    if rows.empty:
        return CheckOutcome(True, {"rows": 0})
    result = gx_suites.validate(rows, gx_suites.value_scores_suite())
    stale = int((rows["snapshot_time"] > rows["scored_at"]).sum())
    return CheckOutcome(
        result.success and stale == 0,
        {"rows": len(rows), "priced_after_scoring": stale, **result.metadata()},
    )


def value_scores_fresh(engine: Engine, slate: date, now: datetime) -> CheckOutcome:
    """Every game of the slate with odds has been scored by both algorithms."""
    lo, hi = game_id_range(slate)
    missing = read(
        engine,
        """SELECT g.game_id, a.algorithm FROM
               (SELECT DISTINCT game_id FROM nba.odds_snapshots
                WHERE game_id BETWEEN :lo AND :hi) g
               CROSS JOIN (VALUES ('market_consensus'), ('model_edge')) a(algorithm)
           WHERE NOT EXISTS (SELECT 1 FROM nba.value_scores v
                             WHERE v.game_id = g.game_id AND v.algorithm = a.algorithm)""",
        lo=lo,
        hi=hi,
    )
    return CheckOutcome(missing.empty, {"unscored": missing.to_dict("records")[:20]})


MODEL_CHECKS = (
    TableCheck(
        "team_stats",
        "team_stats_valid",
        "GX suite: 30 teams, sane ratings and pace",
        team_stats_valid,
        True,
        _ERROR,
    ),
    TableCheck(
        "team_stats", "team_stats_fresh", "every team of the slate rated as of it", team_stats_fresh
    ),
    TableCheck(
        "team_stats",
        "no_look_ahead",
        "ratings read nothing after the slate began",
        no_look_ahead,
        True,
        _ERROR,
    ),
    TableCheck(
        "value_scores",
        "value_scores_valid",
        "GX suite on probabilities, stakes and scores; no price newer than its scoring instant",
        value_scores_valid,
        True,
        _ERROR,
    ),
    TableCheck(
        "value_scores",
        "value_scores_fresh",
        "every priced game scored by both algorithms",
        value_scores_fresh,
    ),
)


def checks_for(asset: str) -> tuple[TableCheck, ...]:
    return tuple(c for c in MODEL_CHECKS if c.asset == asset)
