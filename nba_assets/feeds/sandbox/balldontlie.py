"""BallDontLie v1 as the sandbox answers it: teams, players, games, stats and injuries.

Lists use cursor pagination (``meta.next_cursor`` is the id of the last item returned and is
left out on the last page). Games show their state as of the clock: the tip-off instant in
``status`` before the game, the quarter while it is played, "Final" once it ends; stat lines
exist only for final games and the injury list is the one published by then.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date
from itertools import islice
from typing import Any, Literal

from nba_assets.feeds.sandbox._stable import iso_ms, iso_z
from nba_assets.feeds.sandbox.injuries import bdl_return_date
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.feeds.sandbox.replies import BadParameter, Call, Reply, parse_day, parse_int
from nba_assets.feeds.sandbox.rosters import bdl_player, bdl_team
from nba_assets.feeds.sandbox.schedule import SandboxGame

DateStyle = Literal["date", "midnight_utc"]
DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
_LINES_PER_GAME = 40


def error(status: int, message: str) -> Reply:
    return Reply(status, {"error": message})


def handle(league: SandboxLeague, call: Call, date_style: DateStyle = "date") -> Reply:
    if not (call.headers.get("authorization") or "").strip():
        return error(401, "Unauthorized")
    parts = [p for p in call.path.split("/") if p][1:]
    try:
        return _route(league, call, parts, date_style)
    except BadParameter as exc:
        return error(exc.status, exc.message)


def _route(league: SandboxLeague, call: Call, parts: list[str], style: DateStyle) -> Reply:
    if not parts:
        return error(404, "Not Found")
    resource, rest = parts[0], parts[1:]
    if resource == "players" and rest == ["active"]:
        rest = []
    single = parse_int(rest[0], resource, 0) if len(rest) == 1 else None
    if len(rest) > 1:
        return error(404, "Not Found")
    if resource == "teams":
        return _teams(call, single)
    if resource == "players":
        return _players(league, call, single)
    if resource == "games":
        return _games(league, call, single, style)
    if resource == "stats" and single is None:
        return _stats(league, call, style)
    if resource == "player_injuries" and single is None:
        return _injuries(league, call)
    return error(404, "Not Found")


def _page(call: Call, items: Iterable[dict[str, Any]]) -> Reply:
    """One cursor page of ``items`` (sorted by ``id``, only ids after ``cursor`` kept)."""
    per_page = max(1, min(MAX_PER_PAGE, parse_int(call.text("per_page"), "per_page", 25)))
    taken = list(islice(items, per_page + 1))
    page = taken[:per_page]
    meta: dict[str, Any] = {"per_page": per_page}
    if len(taken) > per_page:
        meta = {"next_cursor": _cursor_id(page[-1]), "per_page": per_page}
    return Reply(200, {"data": page, "meta": meta})


def _cursor_id(item: dict[str, Any]) -> int:
    return int(item["id"]) if "id" in item else int(item["player"]["id"])


def _cursor(call: Call) -> int:
    return parse_int(call.text("cursor"), "cursor", 0)


def _ints(call: Call, name: str) -> set[int] | None:
    values = call.listed(name)
    if not values:
        return None
    try:
        return {int(v) for v in values}
    except ValueError:
        raise BadParameter(f"{name} must be integers", status=400) from None


def _teams(call: Call, single: int | None) -> Reply:
    if single is not None:
        return (
            Reply(200, {"data": bdl_team(single)}) if 1 <= single <= 30 else error(404, "Not Found")
        )
    conference, division = call.text("conference"), call.text("division")
    teams = [
        bdl_team(t)
        for t in range(1, 31)
        if (conference is None or bdl_team(t)["conference"] == conference)
        and (division is None or bdl_team(t)["division"] == division)
    ]
    return Reply(200, {"data": teams})


def _players(league: SandboxLeague, call: Call, single: int | None) -> Reply:
    if single is not None:
        try:
            return Reply(200, {"data": bdl_player(league.player(single))})
        except KeyError:
            return error(404, "Not Found")
    teams, ids = _ints(call, "team_ids"), _ints(call, "player_ids")
    search = (call.text("search") or "").lower()
    first, last = (call.text("first_name") or "").lower(), (call.text("last_name") or "").lower()
    cursor = _cursor(call)
    return _page(
        call,
        (
            bdl_player(p)
            for p in league.players()
            if p.player_id > cursor
            and (teams is None or p.team_id in teams)
            and (ids is None or p.player_id in ids)
            and (not search or search in p.first_name.lower() or search in p.last_name.lower())
            and (not first or first in p.first_name.lower())
            and (not last or last in p.last_name.lower())
        ),
    )


def game_body(
    league: SandboxLeague, game: SandboxGame, call: Call, style: DateStyle
) -> dict[str, Any]:
    """NBAGame as of the call's clock, team objects nested."""
    body = _game_core(league, game, call, style)
    body["home_team"] = bdl_team(game.home_id)
    body["visitor_team"] = bdl_team(game.away_id)
    return body


def _game_core(
    league: SandboxLeague, game: SandboxGame, call: Call, style: DateStyle
) -> dict[str, Any]:
    state = league.state(game, call.now)
    if not state.started:
        status = iso_z(game.tip_off)
    elif state.final:
        status = "Final"
    else:
        status = state.phase
    day = game.slate.isoformat() if style == "date" else f"{game.slate.isoformat()}T00:00:00.000Z"
    return {
        "id": game.bdl_game_id,
        "date": day,
        "season": game.season,
        "status": status,
        "period": state.period,
        "time": state.clock,
        "postseason": False,
        "home_team_score": state.home_score,
        "visitor_team_score": state.away_score,
        "datetime": iso_ms(game.tip_off),
    }


def _selected_games(league: SandboxLeague, call: Call) -> Iterator[SandboxGame]:
    """Games passing the shared filters (dates, range, seasons, teams, ids), in id order."""
    dates = {parse_day(d, "dates") for d in call.listed("dates")}
    start = parse_day(call.text("start_date"), "start_date") if call.text("start_date") else None
    end = parse_day(call.text("end_date"), "end_date") if call.text("end_date") else None
    seasons, teams = _ints(call, "seasons"), _ints(call, "team_ids")
    ids = _ints(call, "game_ids")
    postseason = (call.text("postseason") or "false").lower() == "true"
    if postseason or (seasons is not None and league.season not in seasons):
        return

    def keep(day: date) -> bool:
        return (
            (not dates or day in dates)
            and (start is None or day >= start)
            and (end is None or day <= end)
        )

    for game in league.games():
        if (
            keep(game.slate)
            and (teams is None or game.home_id in teams or game.away_id in teams)
            and (ids is None or game.bdl_game_id in ids)
        ):
            yield game


def _games(league: SandboxLeague, call: Call, single: int | None, style: DateStyle) -> Reply:
    if single is not None:
        try:
            game = league.game(single)
        except KeyError:
            return error(404, "Not Found")
        return Reply(200, {"data": game_body(league, game, call, style)})
    cursor = _cursor(call)
    return _page(
        call,
        (
            game_body(league, g, call, style)
            for g in _selected_games(league, call)
            if g.bdl_game_id > cursor
        ),
    )


def _stat_base(league: SandboxLeague) -> int:
    return 10_000_000 + (league.season % 100) * 100_000


def _stats(league: SandboxLeague, call: Call, style: DateStyle) -> Reply:
    players = _ints(call, "player_ids")
    cursor = _cursor(call)
    base = _stat_base(league)
    now = int(call.now.timestamp())

    def lines() -> Iterator[dict[str, Any]]:
        for game in _selected_games(league, call):
            first_id = base + game.index * _LINES_PER_GAME
            if first_id + _LINES_PER_GAME <= cursor or league.result(game).final_epoch > now:
                continue
            home, away = league.box_score(game)
            core = _game_core(league, game, call, style)
            core["home_team_id"] = game.home_id
            core["visitor_team_id"] = game.away_id
            for k, line in enumerate([*home, *away]):
                stat_id = first_id + k
                if stat_id <= cursor or (
                    players is not None and line.player.player_id not in players
                ):
                    continue
                yield {
                    "id": stat_id,
                    **line.bdl_fields(),
                    "player": bdl_player(line.player, nested_team=False),
                    "team": bdl_team(line.player.team_id),
                    "game": core,
                }

    return _page(call, lines())


def _injuries(league: SandboxLeague, call: Call) -> Reply:
    teams, ids = _ints(call, "team_ids"), _ints(call, "player_ids")
    cursor = _cursor(call)
    return _page(
        call,
        (
            {
                "player": bdl_player(league.player(r.player_id), nested_team=False),
                "return_date": bdl_return_date(r.return_date),
                "description": r.description,
                "status": r.status,
            }
            for r in league.injury_reports(call.now)
            if r.player_id > cursor
            and (teams is None or r.team_id in teams)
            and (ids is None or r.player_id in ids)
        ),
    )
