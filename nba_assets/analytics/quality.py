"""Data-quality scores: how far each ingest table of a slate can be trusted, 0 to 100.

Five dimensions, each the share (in percent) of things that should hold and do, combined
with fixed weights: completeness 30, accuracy 30, consistency 20, timeliness 10, validity
10. A missing game or a wrong price misleads the models silently, so those two weigh most;
an inconsistent row is usually caught by a check, a late one heals on the next tick, and
most invalid records were already refused (quarantined) before they were stored.

A dimension that cannot be measured (one feed only, so nothing to agree with; no game
finished yet; no expectation suite for the table) is ``None``, neither 0 nor 100: the score
is then the weighted mean of the measured dimensions, so missing evidence moves it neither
way. A score below ``WARN_BELOW`` warns, below ``FAIL_BELOW`` fails.

Pure: frames in, frames out. ``nba_assets.warehouse.quality_reads`` fills ``SlateData``;
suite counts come from the Great Expectations suites the ingest checks already run. What each
dimension means per table, and the per-slate scoring: ``quality_measures``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from nba_assets.core.slates import slate_window

WEIGHTS = {"completeness": 30, "accuracy": 30, "consistency": 20, "timeliness": 10, "validity": 10}
DIMENSIONS = tuple(WEIGHTS)
WARN_BELOW = 85.0
FAIL_BELOW = 70.0
SCORED_TABLES = ("games", "odds_snapshots", "game_results", "player_stats", "injuries")
QUALITY_SCORES = ("slate_date", "table_name", *DIMENSIONS, "score", "details", "computed_at")
ODDS_CADENCE = timedelta(minutes=15)  # run_snapshot
INGEST_CADENCE = timedelta(minutes=30)  # run_ingest, run_results_sync
FEEDS = ("stats", "odds")
CALLED_OFF = ("canceled", "postponed")
GAME_LENGTH = timedelta(hours=3)  # a game is due final this long after tip-off
RESULTS_DUE = timedelta(hours=8)  # after the slate's day: before the 8 am team_stats run
LISTED = 10  # offenders a detail names
MINUTE = pd.Timedelta(minutes=1)


@dataclass(frozen=True)
class SuiteCounts:
    """One suite run on a table's rows of a slate, and the records quarantined on the way."""

    evaluated: int
    successful: int
    rows: int
    quarantined: int = 0


@dataclass(frozen=True)
class SlateData:
    """What the warehouse holds about one slate, shaped as ``quality_reads`` reads it."""

    slate: date
    now: datetime
    live: bool
    games: pd.DataFrame  # latest version per (game, source), plus first_observed_at
    odds: pd.DataFrame  # every stored price of the slate's games
    books: pd.DataFrame  # book_id, tier, expected (priced a game in the week to the slate)
    results: pd.DataFrame  # latest version per (game, source)
    box: pd.DataFrame  # latest line per (game, player, source)
    injuries: pd.DataFrame  # report versions of the weeks before the slate's end
    polls: pd.DataFrame  # successful feed calls: endpoint, requested_at
    suites: Mapping[str, SuiteCounts] = field(default_factory=dict)

    @property
    def at(self) -> pd.Timestamp:
        return pd.Timestamp(self.now)


@dataclass(frozen=True)
class Measure:
    score: float | None
    detail: dict[str, object]


def share(passed: Iterable[bool], **detail: object) -> Measure:
    """Percent of ``passed`` that hold; None when there was nothing to judge."""
    flags = np.fromiter((bool(p) for p in passed), dtype=bool)
    n, ok = int(flags.size), int(flags.sum())
    return Measure(100.0 * ok / n if n else None, {"n": n, "passed": ok, **detail})


def age_scores(age_minutes: Iterable[float], cadence: timedelta) -> np.ndarray:
    """100 while data is at most one cadence old, falling to 0 at four cadences: one
    missed tick can be a slow provider, three in a row mean nobody is polling."""
    c = cadence.total_seconds() / 60
    age = np.asarray(list(age_minutes), dtype=float)
    return np.where(age <= c, 100.0, np.clip((4 * c - age) / (3 * c), 0.0, 1.0) * 100)


def weighted_score(dimensions: Mapping[str, float | None]) -> float | None:
    """The weighted mean of the measured dimensions (with all five: the weighted sum)."""
    measured = {d: s for d, s in dimensions.items() if s is not None}
    if not measured:
        return None
    return sum(WEIGHTS[d] * s for d, s in measured.items()) / sum(WEIGHTS[d] for d in measured)


def verdict(score: float) -> str:
    """``pass``, ``warn`` (below WARN_BELOW) or ``fail`` (below FAIL_BELOW)."""
    return "fail" if score < FAIL_BELOW else "warn" if score < WARN_BELOW else "pass"


def validity(data: SlateData, table: str) -> Measure:
    """The suite's share of expectations met, times the share of offered records that
    passed normalisation: a quarantined record is invalid data too, just caught earlier."""
    suite = data.suites.get(table)
    if suite is None or suite.evaluated == 0:
        return Measure(None, {"suite": None})
    offered = suite.rows + suite.quarantined
    clean = suite.rows / offered if offered else 1.0
    detail = {
        "evaluated": suite.evaluated,
        "successful": suite.successful,
        "rows": suite.rows,
        "quarantined": suite.quarantined,
    }
    return Measure(100.0 * suite.successful / suite.evaluated * clean, detail)


def feed_of(source: str) -> str:
    """``stats`` (BallDontLie) or ``odds`` (The Odds API), live or sandbox alike."""
    if source.endswith("balldontlie"):
        return "stats"
    return "odds" if source.endswith("odds_api") else source


def listed(values: Iterable[object]) -> list[object]:
    """A few offenders, sorted: details are part of a score's content, so the same
    offenders must list the same whatever order the rows were read in."""
    plain = {v.item() if isinstance(v, np.generic) else v for v in values}
    return sorted(plain)[:LISTED]  # type: ignore[type-var]


def utc(values: object) -> pd.Series:
    return pd.Series(pd.to_datetime(values, utc=True))


def schedule(games: pd.DataFrame) -> pd.DataFrame:
    """The games the slate should have: every game either feed lists unless one says it
    was called off, with tip-off and teams from the stats feed where it has the game."""
    if games.empty:
        return games
    off = games.loc[games["status"].isin(CALLED_OFF), "game_id"]
    ranked = games.assign(_rank=games["source"].map(feed_of) != "stats")
    first = ranked.sort_values(["game_id", "_rank"]).drop_duplicates("game_id")
    return first[~first["game_id"].isin(off)].drop(columns="_rank").reset_index(drop=True)


def poll_age(data: SlateData, prefix: str, cadence: timedelta = INGEST_CADENCE) -> Measure:
    """Age of the last successful call of an endpoint: versioned rows are written only when
    something changed, so a quiet table is current when its feed was asked recently."""
    polls = data.polls[data.polls["endpoint"].str.startswith(prefix)]
    if polls.empty:
        return Measure(0.0, {"last_poll_age_minutes": None})
    age = (data.at - polls["requested_at"].max()) / MINUTE
    return Measure(float(age_scores([age], cadence)[0]), {"last_poll_age_minutes": round(age)})


def closing_age(tips: pd.Series, captured: pd.DataFrame, cadence: timedelta) -> Measure:
    """Per game (``tips``: game_id -> tip-off), the age at tip-off of the newest data
    captured for it before then (``captured``: game_id, at); nothing captured scores 0."""
    at = utc(captured["at"])
    before = captured.assign(at=at)[at < captured["game_id"].map(tips)]
    newest = utc(before.groupby("game_id")["at"].max().reindex(tips.index))
    ages = ((utc(tips) - newest) / MINUTE).astype(float).fillna(np.inf)
    scores = age_scores(ages, cadence)
    stale = listed(tips.index[scores < 100])
    return Measure(float(scores.mean()) if len(scores) else None, {"stale_at_tip": stale})


def due_games(data: SlateData, expected: pd.DataFrame) -> pd.DataFrame:
    """Games that should be final by now: all of a past slate, finished ones of today's."""
    if not data.live:
        return expected
    return expected[utc(expected["commence_time"]) + GAME_LENGTH <= data.at]


def final_by_deadline(
    data: SlateData, due: pd.DataFrame, seen: pd.Series, endpoint: str
) -> Measure:
    """Live: the feed asked within a cadence once games are due. Past: each due game's
    final known (``seen``: game_id -> first seen) before the morning run that needs it."""
    if data.live:
        return poll_age(data, endpoint) if len(due) else Measure(None, {"due": 0})
    deadline = pd.Timestamp(slate_window(data.slate)[1]) + RESULTS_DUE
    late = ((utc(seen.to_numpy()) - deadline) / MINUTE).clip(lower=0)
    scores = age_scores(late, INGEST_CADENCE)
    mean = float(scores.mean()) if len(scores) else None
    return Measure(mean, {"games": len(scores), "late": listed(seen.index[scores < 100])})
