"""From injury reports and box scores to the points a team is expected to be missing.

Three steps, each a pure function so the model can be replayed as of any instant:

1. :func:`injuries_in_force`: the report that stands for each player at an instant
   (:func:`cleared_from_report` infers the reports that take players off it).
2. :func:`player_values`: what each player is worth per game, from recent box scores.
3. :func:`injury_impact`: per team, the sum of value * (1 - P(plays)).

The status -> probability mapping is configuration (:class:`PlayProbabilityRule`), tagged
with a name and version that the injuries writer stores in ``probability_rule`` so a
probability can always be traced to the rule that produced it.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from nba_assets.analytics.columns import require_columns
from nba_assets.core.slates import SLATE_TZ, require_aware


@dataclass(frozen=True, slots=True)
class PlayProbabilityRule:
    """P(player plays) for each warehouse injury status.

    Out, Doubtful, Questionable and Probable take the percentages the designations have
    conventionally meant (0 / 25 / 50 / 75 %: the NFL once defined them that way and NBA
    bettors still read them so). Available is 1. Day-To-Day is 0.6: it is not an official
    game-day designation but a provider label for minor knocks issued days before a game;
    most such players end up playing, so it sits above a coin flip (Questionable), yet it
    carries less information than a game-day Probable, so below 0.75.
    """

    name: str = "status-default"
    version: str = "1"
    out: float = 0.0
    doubtful: float = 0.25
    questionable: float = 0.5
    probable: float = 0.75
    available: float = 1.0
    day_to_day: float = 0.6

    @property
    def label(self) -> str:
        """What the injuries writer stores in ``probability_rule``."""
        return f"{self.name}@{self.version}"

    def mapping(self) -> dict[str, float]:
        return {
            "out": self.out,
            "doubtful": self.doubtful,
            "questionable": self.questionable,
            "probable": self.probable,
            "available": self.available,
            "day_to_day": self.day_to_day,
        }

    def probability(self, status: str) -> float:
        """P(plays) for a warehouse status or a provider spelling ("Day-To-Day")."""
        key = re.sub(r"[^a-z]+", "_", status.strip().lower()).strip("_")
        try:
            return self.mapping()[key]
        except KeyError:
            raise ValueError(f"unknown injury status {status!r}") from None

    def probabilities(self, statuses: pd.Series) -> np.ndarray:
        keys = statuses.astype(str).str.lower().str.replace(r"[^a-z]+", "_", regex=True)
        values = keys.str.strip("_").map(self.mapping())
        if values.isna().any():
            bad = sorted(set(statuses[values.isna()].astype(str)))
            raise ValueError(f"unknown injury status(es) {bad}")
        return values.to_numpy(dtype=float)


DEFAULT_RULE = PlayProbabilityRule()


@dataclass(frozen=True, slots=True)
class PlayerValueConfig:
    """How box scores turn into a per-game value (points of margin above replacement).

    ``replacement_share``: a replacement player produces this share of the league's Game
    Score per minute, so the baseline subtracted for a player's minutes is what his
    substitute would have produced. ``plus_minus_weight`` blends in raw plus-minus, which
    captures defence and spacing that the box score misses but is noisy. The Game Score
    scale is close to points, and ``nba_assets.analytics.model_edge`` scales it again.
    """

    version: str = "player-value-1.0"
    window_games: int = 15
    half_life_games: float = 8.0
    replacement_share: float = 0.8
    plus_minus_weight: float = 0.3


DEFAULT_PLAYER_VALUE = PlayerValueConfig()
_STAT_COLUMNS = (
    "game_id", "player_id", "team_id", "minutes", "pts", "fgm", "fga", "ftm", "fta",
    "oreb", "dreb", "ast", "stl", "blk", "pf", "turnover",
)  # fmt: skip


def game_score(lines: pd.DataFrame) -> pd.Series:
    """Hollinger's Game Score: a one-number box-score line on roughly the points scale."""
    return (
        lines["pts"]
        + 0.4 * lines["fgm"]
        - 0.7 * lines["fga"]
        - 0.4 * (lines["fta"] - lines["ftm"])
        + 0.7 * lines["oreb"]
        + 0.3 * lines["dreb"]
        + lines["stl"]
        + 0.7 * lines["ast"]
        + 0.7 * lines["blk"]
        - 0.4 * lines["pf"]
        - lines["turnover"]
    ).astype(float)


def _ymd(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def player_values(
    player_stats: pd.DataFrame,
    before_date: date,
    config: PlayerValueConfig = DEFAULT_PLAYER_VALUE,
) -> pd.DataFrame:
    """Per player: team_id, appearances, minutes_avg, plus_minus_avg, value, inputs_as_of.

    Uses lines of games on slates before ``before_date`` only (the slate is encoded in the
    game id). ``value`` is the recency-weighted mean per-appearance contribution
    ``(1 - w) * (GameScore - replacement) + w * plus_minus`` over the player's last
    ``window_games`` appearances, times his availability (the share of his team's last
    ``window_games`` games he appeared in: a player who has not played for weeks is
    already missing from the ratings, so his absence must not be counted twice), floored
    at 0 (a negative estimate is mostly noise, and sitting a player never adds points here).
    """
    require_columns(player_stats, _STAT_COLUMNS, "player_stats")
    lines = player_stats[player_stats["game_id"] // 100 < _ymd(before_date)]
    lines = lines[lines["minutes"] > 0]
    columns = ["player_id", "team_id", "appearances", "minutes_avg", "plus_minus_avg", "value"]
    if lines.empty:
        return pd.DataFrame({c: pd.Series(dtype=float) for c in [*columns, "inputs_as_of"]})
    gmsc = game_score(lines)
    rate = float(gmsc.sum() / lines["minutes"].sum())
    box = gmsc - config.replacement_share * rate * lines["minutes"]
    pm = lines["plus_minus"] if "plus_minus" in lines.columns else pd.Series(np.nan, lines.index)
    pm = pd.to_numeric(pm, errors="coerce")
    w = config.plus_minus_weight
    contribution = np.where(pm.notna(), (1 - w) * box + w * pm.fillna(0.0), box)
    frame = lines.assign(contribution=contribution, pm=pm).sort_values(
        ["player_id", "game_id"], kind="stable"
    )
    recent = frame.groupby("player_id").tail(config.window_games).copy()
    ago = recent.iloc[::-1].groupby("player_id").cumcount().iloc[::-1]
    recent["w"] = 0.5 ** (ago / config.half_life_games)
    recent["wc"] = recent["w"] * recent["contribution"]
    by_player = recent.groupby("player_id")
    out = pd.DataFrame(
        {
            "team_id": by_player["team_id"].last(),
            "appearances": by_player.size(),
            "minutes_avg": by_player["minutes"].mean(),
            "plus_minus_avg": by_player["pm"].mean(),
            "raw": by_player["wc"].sum() / by_player["w"].sum(),
        }
    )
    team_games = lines[["team_id", "game_id"]].drop_duplicates().sort_values("game_id")
    last_team_games = team_games.groupby("team_id").tail(config.window_games)
    window_size = last_team_games.groupby("team_id").size()
    played = last_team_games.merge(frame[["player_id", "team_id", "game_id"]], how="inner")
    played_count = played.groupby(["player_id", "team_id"]).size().rename("n").reset_index()
    out = out.reset_index().merge(played_count, on=["player_id", "team_id"], how="left")
    availability = out["n"].fillna(0) / out["team_id"].map(window_size).astype(float)
    out["value"] = np.maximum(out["raw"], 0.0) * availability.clip(0.0, 1.0)
    if "observed_at" in lines.columns:
        out["inputs_as_of"] = pd.to_datetime(lines["observed_at"], utc=True).max()
    else:
        out["inputs_as_of"] = pd.NaT
    return out[[*columns, "inputs_as_of"]]


# ``status_raw`` of a report the platform infers: the provider's list stopped naming him.
ABSENT_FROM_REPORT = "(absent from report)"


def cleared_from_report(
    standing: pd.DataFrame,
    at: datetime,
    *,
    listed: Collection[int],
    unread_teams: Collection[int] = (),
    complete: bool = True,
) -> pd.DataFrame:
    """Reports, as of ``at``, that players the injury report no longer names are available.

    ``standing`` holds each player's latest known report (``source_player_id``,
    ``team_id``, ``status`` and the other report columns); ``listed`` are the provider ids
    the report read at ``at`` named, rejected records included. The provider publishes
    only who is on the report, never who left it, so leaving shows only as absence. A
    player is cleared when his standing report is active (anything but available), the
    report does not name him, and his team's report was read in full: not when a rejected
    record of his team named no player (``unread_teams``), nor when one named neither
    player nor team (``complete`` False), because that record may have been his.
    """
    require_columns(standing, ("source_player_id", "team_id", "status"), "injury standing")
    at = require_aware(at, "at")
    gone = (standing["status"] != "available") & ~standing["source_player_id"].isin(list(listed))
    if unread_teams:
        team = standing["team_id"]
        gone &= team.notna() & ~team.isin(list(unread_teams))
    return standing[gone & complete].assign(
        status="available",
        status_raw=ABSENT_FROM_REPORT,
        description=None,
        return_date=None,
        return_date_raw=None,
        reported_at=pd.Timestamp(at),
    )


def injuries_in_force(
    injuries: pd.DataFrame,
    at: datetime,
    *,
    max_age: timedelta = timedelta(days=21),
) -> pd.DataFrame:
    """The latest report per player known at ``at`` that still applies.

    Reports after ``at`` are never read. A report stops applying once its ``return_date``
    (New York calendar) has passed, or after ``max_age`` without a newer one: the warehouse
    stores a report only when a status changes, and a player dropped from the provider's
    list leaves no row behind, so an old report cannot stand forever.
    """
    require_columns(injuries, ("player_id", "status", "reported_at"), "injuries")
    at = require_aware(at, "at")
    reported = pd.to_datetime(injuries["reported_at"], utc=True)
    known = injuries[reported <= at].assign(_reported=reported[reported <= at])
    order = ["player_id", "_reported"] + (["version"] if "version" in known.columns else [])
    latest = known.sort_values(order, kind="stable").drop_duplicates("player_id", keep="last")
    fresh = latest["_reported"] >= at - max_age
    if "return_date" in latest.columns:
        today = at.astimezone(SLATE_TZ).date()
        returns = pd.to_datetime(latest["return_date"]).dt.date
        fresh &= returns.isna() | (returns >= today)
    return latest[fresh].drop(columns="_reported").reset_index(drop=True)


def injury_impact(
    injuries_as_of: pd.DataFrame,
    player_values: pd.DataFrame,
    rule: PlayProbabilityRule = DEFAULT_RULE,
) -> pd.DataFrame:
    """Per team with a listed player: ``missing_value`` = sum of value * (1 - P(plays)).

    ``injuries_as_of`` holds one report per player (see :func:`injuries_in_force`); the
    status is mapped with ``rule`` (not the stored ``play_probability``) so the rule that
    tags the model's output is the one that was applied. A player is charged to his team in
    the latest box scores, or to the report's team when he has none (then with value 0).
    """
    require_columns(injuries_as_of, ("player_id", "status"), "injuries")
    require_columns(player_values, ("player_id", "team_id", "value"), "player_values")
    listed = injuries_as_of.assign(p_play=rule.probabilities(injuries_as_of["status"]))
    report_team = listed["team_id"] if "team_id" in listed.columns else np.nan
    listed = listed.assign(report_team=report_team)[["player_id", "p_play", "report_team"]]
    joined = listed.merge(
        player_values[["player_id", "team_id", "value"]], on="player_id", how="left"
    )
    joined["team_id"] = joined["team_id"].fillna(joined["report_team"])
    joined = joined.dropna(subset=["team_id"])
    joined["missing_value"] = joined["value"].fillna(0.0) * (1.0 - joined["p_play"])
    out = joined.groupby("team_id", as_index=False)["missing_value"].sum()
    out["team_id"] = out["team_id"].astype(np.int64)
    return out[["team_id", "missing_value"]]
