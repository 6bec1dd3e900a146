"""The Odds API v4 as the sandbox answers it: routes, parameters, costs and error bodies.

Shapes follow the recorded payloads: events with ``bookmakers[].markets[].outcomes[]``,
historical envelopes snapped to a 5-minute grid, scores as strings. Costs follow the
provider's published rules (1 per market per region; historical 10x; scores 2 with
``daysFrom``; events free; empty answers free).
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import Any

from nba_assets.feeds.sandbox._stable import iso_z, parse_instant
from nba_assets.feeds.sandbox.books import REGIONS, books_in
from nba_assets.feeds.sandbox.faults import corrupt_bookmaker
from nba_assets.feeds.sandbox.league import SandboxLeague
from nba_assets.feeds.sandbox.odds import MARKETS, market_open, render_event
from nba_assets.feeds.sandbox.replies import BadParameter, Call, Reply
from nba_assets.feeds.sandbox.rosters import odds_api_name
from nba_assets.feeds.sandbox.schedule import SandboxGame

SPORT = "basketball_nba"
SNAPSHOT_SECONDS = 300
_EVENTS_HORIZON = timedelta(days=14)
_SCORES_HORIZON = timedelta(days=2)
_SPORTS = [
    {
        "key": SPORT,
        "group": "Basketball",
        "title": "NBA",
        "description": "US Basketball",
        "active": True,
        "has_outrights": False,
    }
]


def error(status: int, code: str, message: str) -> Reply:
    return Reply(status, {"message": message, "error_code": code})


def handle(league: SandboxLeague, call: Call) -> Reply:
    if not call.text("apiKey"):
        return error(401, "INVALID_KEY", "API key is not valid")
    parts = [p for p in call.path.split("/") if p]
    historical = len(parts) > 1 and parts[1] == "historical"
    if historical:
        parts = [parts[0], *parts[2:]]
    try:
        return _route(league, call, parts, historical)
    except BadParameter as exc:
        return error(exc.status, exc.code or "INVALID_PARAMETER", exc.message)


def _route(league: SandboxLeague, call: Call, parts: list[str], historical: bool) -> Reply:
    if parts == ["v4", "sports"] and not historical:
        return Reply(200, _SPORTS)
    if len(parts) < 4 or parts[1] != "sports":
        return error(404, "NOT_FOUND", f"Unknown endpoint {call.path}")
    if parts[2] != SPORT:
        return error(404, "UNKNOWN_SPORT", f"Unknown sport: {parts[2]}")
    tail = parts[3:]
    if historical:
        at = _snapshot(call)
        if tail == ["odds"]:
            return _envelope(call, at, *_odds(league, call, at, historical=True))
        if tail == ["events"]:
            events = _events(league, call, at)
            return _envelope(call, at, events, 1 if events else 0)
        if len(tail) == 3 and tail[0] == "events" and tail[2] == "odds":
            reply = _event_odds(league, call, tail[1], at, historical=True)
            if reply.status != 200:
                return reply
            return _envelope(call, at, reply.body, reply.cost)
    else:
        now = call.now
        if tail == ["odds"]:
            events, cost = _odds(league, call, now, historical=False)
            return Reply(200, events, cost)
        if tail == ["events"]:
            return Reply(200, _events(league, call, now))
        if tail == ["scores"]:
            return _scores(league, call, now)
        if len(tail) == 3 and tail[0] == "events" and tail[2] == "odds":
            return _event_odds(league, call, tail[1], now, historical=False)
    return error(404, "NOT_FOUND", f"Unknown endpoint {call.path}")


def _snapshot(call: Call) -> datetime:
    """The latest 5-minute snapshot at or before ``date`` (and never after the clock)."""
    text = call.text("date")
    if text is None:
        raise BadParameter("Missing the date parameter", "MISSING_HISTORICAL_TIMESTAMP")
    try:
        wanted = parse_instant(text)
    except ValueError:
        raise BadParameter(f"Invalid date: {text}", "INVALID_HISTORICAL_TIMESTAMP") from None
    epoch = int(min(wanted, call.now).timestamp())
    return datetime.fromtimestamp(epoch - epoch % SNAPSHOT_SECONDS, UTC)


def _envelope(call: Call, at: datetime, data: Any, cost: int) -> Reply:
    step = timedelta(seconds=SNAPSHOT_SECONDS)
    following = at + step
    body = {
        "timestamp": iso_z(at),
        "previous_timestamp": iso_z(at - step),
        "next_timestamp": iso_z(following) if following <= call.now else None,
        "data": data,
    }
    return Reply(200, body, cost)


def _choice(call: Call, name: str, allowed: tuple[str, ...], default: str, code: str) -> str:
    value = (call.text(name) or default).lower()
    if value not in allowed:
        raise BadParameter(f"Invalid {name}: {value}", code)
    return value


def _selection(call: Call) -> tuple[list[str], frozenset[str], int]:
    """Markets, bookmaker keys and the number of regions charged for."""
    markets = call.listed("markets") or ["h2h"]
    for market in markets:
        if market not in MARKETS:
            raise BadParameter(f"Invalid market: {market}", "INVALID_MARKET")
    wanted_books = call.listed("bookmakers")
    if wanted_books:
        return markets, frozenset(wanted_books), math.ceil(len(wanted_books) / 10)
    regions = call.listed("regions") or ["us"]
    for region in regions:
        if region not in REGIONS:
            raise BadParameter(f"Invalid region: {region}", "INVALID_REGION")
    return markets, frozenset(b.key for b in books_in(regions)), len(set(regions))


def _window(call: Call) -> tuple[datetime | None, datetime | None]:
    bounds = []
    for name, code in (
        ("commenceTimeFrom", "INVALID_COMMENCE_TIME_FROM"),
        ("commenceTimeTo", "INVALID_COMMENCE_TIME_TO"),
    ):
        text = call.text(name)
        try:
            bounds.append(parse_instant(text) if text else None)
        except ValueError:
            raise BadParameter(f"Invalid {name}: {text}", code) from None
    return bounds[0], bounds[1]


def _keep(call: Call, game: SandboxGame, window: tuple[datetime | None, datetime | None]) -> bool:
    start, end = window
    ids = call.listed("eventIds")
    return (
        (start is None or game.tip_off >= start)
        and (end is None or game.tip_off <= end)
        and (not ids or game.odds_event_id in ids)
    )


def _render(
    league: SandboxLeague,
    call: Call,
    game: SandboxGame,
    at: datetime,
    markets: list[str],
    books: frozenset[str],
) -> dict[str, Any] | None:
    american = _choice(
        call, "oddsFormat", ("decimal", "american"), "decimal", "INVALID_ODDS_FORMAT"
    )
    unix = _choice(call, "dateFormat", ("iso", "unix"), "iso", "INVALID_DATE_FORMAT") == "unix"
    event = render_event(
        league.price_path(game),
        int(at.timestamp()),
        markets,
        books,
        american_odds=american == "american",
        unix=unix,
    )
    if event is not None and call.faults.odds:
        for book in event["bookmakers"]:
            kinds = call.faults.corruptions_for(game.slate, book["key"])
            if kinds:
                corrupt_bookmaker(book, kinds, american=american == "american")
    return event


def _odds(
    league: SandboxLeague, call: Call, at: datetime, *, historical: bool
) -> tuple[list[dict[str, Any]], int]:
    markets, books, regions = _selection(call)
    window = _window(call)
    events = []
    for game in league.open_games(at):
        if _keep(call, game, window):
            event = _render(league, call, game, at, markets, books)
            if event is not None:
                events.append(event)
    cost = len(markets) * regions * (10 if historical else 1)
    return events, cost if events else 0


def _event_odds(
    league: SandboxLeague, call: Call, event_id: str, at: datetime, *, historical: bool
) -> Reply:
    try:
        game = league.game(event_id)
    except KeyError:
        game = None
    if game is None or at >= game.tip_off:
        return error(404, "EVENT_NOT_FOUND", "Event not found. The event may have expired.")
    markets, books, regions = _selection(call)
    event = None
    if market_open(game) <= at.timestamp():
        event = _render(league, call, game, at, markets, books)
    if event is None:
        event = {**league.price_path(game).header, "bookmakers": []}
    returned = {m["key"] for b in event["bookmakers"] for m in b["markets"]}
    return Reply(200, event, len(returned) * regions * (10 if historical else 1))


def _header(game: SandboxGame, call: Call) -> dict[str, Any]:
    unix = _choice(call, "dateFormat", ("iso", "unix"), "iso", "INVALID_DATE_FORMAT") == "unix"
    return {
        "id": game.odds_event_id,
        "sport_key": SPORT,
        "sport_title": "NBA",
        "commence_time": game.tip_epoch if unix else iso_z(game.tip_off),
        "home_team": odds_api_name(game.home_id),
        "away_team": odds_api_name(game.away_id),
    }


def _events(league: SandboxLeague, call: Call, at: datetime) -> list[dict[str, Any]]:
    """Live and upcoming events (no odds), as the free ``/events`` endpoint lists them."""
    window = _window(call)
    out = []
    for game in league.games_between(at - timedelta(hours=4), at + _EVENTS_HORIZON):
        if game.tip_off <= at and league.state(game, at).final:
            continue
        if _keep(call, game, window):
            out.append(_header(game, call))
    return out


def _scores(league: SandboxLeague, call: Call, at: datetime) -> Reply:
    """Live and upcoming games, plus games completed in the last ``daysFrom`` days."""
    text = call.text("daysFrom")
    days = 0
    if text is not None:
        if not text.isdigit() or not 1 <= int(text) <= 3:
            raise BadParameter("daysFrom must be between 1 and 3", "INVALID_SCORES_DAYS_FROM")
        days = int(text)
    unix = _choice(call, "dateFormat", ("iso", "unix"), "iso", "INVALID_DATE_FORMAT") == "unix"
    start = at - timedelta(days=days) if days else at - timedelta(hours=4)
    out = []
    for game in league.games_between(start, at + _SCORES_HORIZON):
        if not _keep(call, game, (None, None)):
            continue
        state = league.state(game, at)
        if not days and state.final:
            continue
        home, away = odds_api_name(game.home_id), odds_api_name(game.away_id)
        scores = None
        updated: datetime | None = None
        if state.started:
            scores = [
                {"name": home, "score": str(state.home_score)},
                {"name": away, "score": str(state.away_score)},
            ]
            updated = league.final_at(game) if state.final else at.replace(second=0, microsecond=0)
        item = _header(game, call)
        item["completed"] = state.final
        item["home_team"] = item.pop("home_team")
        item["away_team"] = item.pop("away_team")
        item["scores"] = scores
        item["last_update"] = (
            None if updated is None else (int(updated.timestamp()) if unix else iso_z(updated))
        )
        out.append(item)
    return Reply(200, out, 2 if days else 1)
