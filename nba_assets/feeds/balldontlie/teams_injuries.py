"""BallDontLie ``/v1/teams`` and ``/v1/player_injuries`` bodies -> team map and injury rows.

Teams are placed by name through ``core.teams``, never by assuming BallDontLie's ids equal
ours. An injured player usually carries only a BallDontLie ``team_id``, so the injury
report is read through the team map; both normalisers quarantine what they reject, like
every other normaliser. The injury batch also says whom the page named (rejected records
included), because "absent from the report" is only knowable from a page read in full.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pandas as pd
from pydantic import ValidationError

from nba_assets.core.slates import require_aware
from nba_assets.core.teams import Franchise, resolve_team
from nba_assets.feeds.balldontlie.models import BdlInjury, BdlTeam
from nba_assets.feeds.balldontlie.parsing import normalize_injury_status, resolve_return_date
from nba_assets.feeds.records import NormalizedBatch, Rejects, build_frame, record_list
from nba_assets.feeds.schema import describe_validation_error

TEAMS = "teams"
INJURIES = "injuries"
# BallDontLie numbers today's franchises 1-30 and lists defunct ones (Chicago Stags...)
# above that; only an unknown name at a current id is a damaged record.
_CURRENT_TEAM_IDS = 30


def franchise_of(team: BdlTeam) -> Franchise | None:
    """The franchise a BallDontLie team object names (by full name: abbreviations of
    defunct teams collide with today's)."""
    return resolve_team(team.full_name)


@dataclass(frozen=True)
class TeamBatch(NormalizedBatch):
    """A ``/v1/teams`` body read: ``teams`` rows (``source_team_id``, ``team_id``) and rejects."""

    @property
    def mapping(self) -> dict[int, int]:
        """BallDontLie team id -> internal team id."""
        frame = self.tables[TEAMS]
        return dict(zip(frame["source_team_id"].tolist(), frame["team_id"].tolist(), strict=True))


def normalize_teams(payload: Any, *, endpoint: str | None = None) -> TeamBatch:
    """The team map of a ``/v1/teams`` body; every record it cannot use is quarantined.

    A record that fails its model, names no franchise at a current id, or gives an id
    already mapped to another franchise is a reject: the map must not guess, and a dropped
    team would otherwise surface only later as its players' "unknown team id". Defunct
    franchises (ids above 30) are valid records of teams the warehouse does not keep, so
    they are left out without quarantine.
    """
    rejects = Rejects(endpoint)
    mapping: dict[int, int] = {}
    for raw in record_list(payload, TEAMS, endpoint):
        try:
            team = BdlTeam.model_validate(raw)
        except ValidationError as exc:
            rejects.add(TEAMS, describe_validation_error(exc, "team"), raw)
            continue
        franchise = franchise_of(team)
        if franchise is None:
            if team.id <= _CURRENT_TEAM_IDS:
                rejects.add(TEAMS, f"team {team.id}: unknown team {team.full_name!r}", raw)
            continue
        known = mapping.setdefault(team.id, franchise.team_id)
        if known != franchise.team_id:
            reason = f"team {team.id}: {team.full_name!r} conflicts with an earlier record"
            rejects.add(TEAMS, reason, raw)
    frame = pd.DataFrame(
        {"source_team_id": list(mapping), "team_id": list(mapping.values())}, dtype="int64"
    )
    return TeamBatch(tables={TEAMS: frame}, quarantine=rejects.records)


def team_id_map(payload: Any) -> dict[int, int]:
    """BallDontLie team id -> internal team id, from a ``/v1/teams`` body.

    For callers that only need the map (a client's lookup); an asset uses
    :func:`normalize_teams` so the records left out are quarantined.
    """
    return normalize_teams(payload).mapping


@dataclass(frozen=True)
class InjuryBatch(NormalizedBatch):
    """An injury page's rows and rejects, plus what the page covered.

    ``listed``: every BallDontLie player id the page named, rejected records included (a
    rejected player is still on the report). ``unread_teams``: internal teams with a
    rejected record that names no player, so whose players it listed is unknown.
    ``complete`` is False when a rejected record names neither player nor team: then no
    team's report is known in full. Only a player absent from a team's full report may be
    taken off it.
    """

    listed: frozenset[int] = field(default_factory=frozenset)
    unread_teams: frozenset[int] = field(default_factory=frozenset)
    complete: bool = True


def normalize_injuries(
    payload: Any,
    *,
    observed_at: datetime,
    team_ids: Mapping[int, int] | None = None,
    endpoint: str | None = None,
) -> InjuryBatch:
    """Rows for ``injuries`` from ``/v1/player_injuries``.

    BallDontLie gives no report time, so ``reported_at`` is the poll time. ``team_id`` comes
    from the player's ``team`` by name, else from ``team_id`` through ``team_ids``; without
    a map it is None rather than a guess.
    """
    observed_at = require_aware(observed_at, "observed_at")
    rejects = Rejects(endpoint)
    rows: list[dict[str, Any]] = []
    listed: set[int] = set()
    unread: set[int] = set()
    complete = True
    for raw in record_list(payload, "player_injuries", endpoint):
        try:
            injury = BdlInjury.model_validate(raw)
        except ValidationError as exc:
            rejects.add(INJURIES, describe_validation_error(exc, "injury"), raw)
            player_id, team_id = _named_in(raw, team_ids)
            if player_id is not None:
                listed.add(player_id)
            elif team_id is not None:
                unread.add(team_id)
            else:
                complete = False
            continue
        player = injury.player
        listed.add(player.id)
        row = _injury_row(injury, observed_at, team_ids)
        if isinstance(row, str):
            rejects.add(INJURIES, row, raw)
        else:
            rows.append(row)
    return InjuryBatch(
        tables={INJURIES: build_frame(INJURIES, rows)},
        quarantine=rejects.records,
        listed=frozenset(listed),
        unread_teams=frozenset(unread),
        complete=complete,
    )


def _injury_row(
    injury: BdlInjury, observed_at: datetime, team_ids: Mapping[int, int] | None
) -> dict[str, Any] | str:
    """The ``injuries`` row of a validated record, or why it cannot be stored."""
    player = injury.player
    status = normalize_injury_status(injury.status)
    if status is None:
        return f"player {player.id}: unknown injury status {injury.status!r}"
    team_id: int | None = None
    if player.team is not None:
        franchise = franchise_of(player.team)
        if franchise is None:
            return f"player {player.id}: unknown team {player.team.full_name!r}"
        team_id = franchise.team_id
    elif player.team_id is not None and team_ids is not None:
        team_id = team_ids.get(player.team_id)
        if team_id is None:
            return f"player {player.id}: unknown BallDontLie team id {player.team_id}"
    return {
        "source_player_id": player.id,
        "player_first_name": player.first_name,
        "player_last_name": player.last_name,
        "player_position": player.position or None,
        "team_id": team_id,
        "status": status,
        "status_raw": injury.status,
        "description": injury.description,
        "return_date": resolve_return_date(injury.return_date, observed_at),
        "return_date_raw": injury.return_date,
        "reported_at": observed_at,
    }


def _named_in(raw: Any, team_ids: Mapping[int, int] | None) -> tuple[int | None, int | None]:
    """The BallDontLie player id and internal team a record that failed its model still
    names, as far as they can be read; (None, None) when it names neither."""
    player = raw.get("player") if isinstance(raw, dict) else None
    if not isinstance(player, dict):
        return None, None
    player_id = player.get("id")
    if isinstance(player_id, int) and not isinstance(player_id, bool):
        return player_id, None
    team = player.get("team")
    if isinstance(team, dict) and isinstance(team.get("full_name"), str):
        franchise = resolve_team(team["full_name"])
        if franchise is not None:
            return None, franchise.team_id
    source_team = player.get("team_id")
    if isinstance(source_team, int) and not isinstance(source_team, bool) and team_ids:
        return None, team_ids.get(source_team)
    return None, None
