"""The Odds API bodies -> ``odds_snapshots``, ``games`` and ``game_results`` rows.

Pure functions of decoded JSON. Validation goes piece by piece (event, then bookmaker, then
market) so one malformed book or market is quarantined while the rest of the slate lands.
A market is the smallest unit kept or rejected: its sides were priced together, and a
half-market would look to the devig code like a real one-sided price.

Outcomes are assigned home/away by matching names to the event's teams, never by position:
the provider does not order outcomes by side (the 2022 capture lists the away team first).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

import pandas as pd
from pydantic import TypeAdapter, ValidationError

from nba_assets.core.slates import game_id_for, require_aware, season_of, slate_date
from nba_assets.core.teams import Franchise, resolve_team
from nba_assets.feeds.errors import PayloadError
from nba_assets.feeds.odds_api.models import (
    FEATURED_MARKETS,
    HistoricalEnvelope,
    OddsBookmakerHeader,
    OddsEventHeader,
    OddsMarket,
    ScoresEvent,
)
from nba_assets.feeds.prices import PriceFormat, both_prices, both_prices_array, plainly_valid
from nba_assets.feeds.records import NormalizedBatch, Rejects, build_frame, frame_from_columns
from nba_assets.feeds.schema import UtcDatetime, describe_validation_error

ODDS = "odds_snapshots"
GAMES = "games"
RESULTS = "game_results"
# ``odds_snapshots.point`` is numeric(5, 1).
_MAX_ABS_POINT = 9_999.0
# ``game_results`` scores are smallint; anything near that is junk, not basketball.
_MAX_SCORE = 999

_E = TypeVar("_E", bound=OddsEventHeader)


@dataclass(frozen=True, slots=True)
class _Game:
    game_id: int
    slate: date
    home: Franchise
    away: Franchise


def normalize_odds(
    payload: Any,
    *,
    observed_at: datetime,
    price_format: PriceFormat = "decimal",
    endpoint: str | None = None,
) -> NormalizedBatch:
    """Rows for ``odds_snapshots`` and ``games`` from ``/odds``, ``/events`` or a historical body.

    ``payload`` is a list of events or a historical envelope (``data`` a list, or one event
    for event-level odds). ``snapshot_time`` is the envelope's ``timestamp`` when there is
    one, else ``observed_at`` (the poll time). ``price_format`` must be the ``oddsFormat`` the
    request asked for: the body does not say, and a mismatch is quarantined per market.
    """
    observed_at = require_aware(observed_at, "observed_at")
    snapshot_time, events = _unwrap(payload, observed_at, endpoint)
    rejects = Rejects(endpoint)
    odds_rows: list[_OddsRow] = []
    game_rows: list[dict[str, Any]] = []
    for raw in events:
        books = raw.get("bookmakers") if isinstance(raw, dict) else None
        target = ODDS if books else GAMES
        parsed = _event(raw, OddsEventHeader, target, rejects)
        if parsed is None:
            continue
        event, game = parsed
        if books is not None and not isinstance(books, list):
            rejects.add(target, f"event {event.id}: bookmakers is not a list", raw)
            continue
        status = "in_progress" if event.commence_time <= snapshot_time else "scheduled"
        game_rows.append(_game_row(event, game, status, snapshot_time))
        for book_raw in books or []:
            _bookmaker_rows(book_raw, event, game, price_format, rejects, odds_rows)
    return NormalizedBatch(
        tables={
            ODDS: _odds_frame(odds_rows, snapshot_time, price_format),
            GAMES: _games_frame(game_rows),
        },
        quarantine=rejects.records,
    )


# One odds row as the normaliser collects it: game_id, book_key, book_title, market, outcome,
# point, price as given, last_update, source_event_id. snapshot_time and price_format are
# the batch's; both prices are converted for the whole batch at once.
_OddsRow = tuple[int, str, str, str, str, float, float, datetime | None, str]
_ODDS_ROW_COLUMNS = (
    "game_id",
    "book_key",
    "book_title",
    "market",
    "outcome",
    "point",
    "price",
    "last_update",
    "source_event_id",
)


def _odds_frame(
    rows: list[_OddsRow], snapshot_time: datetime, price_format: PriceFormat
) -> pd.DataFrame:
    """The ``odds_snapshots`` frame of the collected rows, same as ``build_frame`` makes."""
    if not rows:
        return build_frame(ODDS, [])
    columns: dict[str, Any] = dict(
        zip(_ODDS_ROW_COLUMNS, map(list, zip(*rows, strict=True)), strict=True)
    )
    price_decimal, price_american = both_prices_array(columns.pop("price"), price_format)
    columns["snapshot_time"] = [snapshot_time] * len(rows)
    columns["price_decimal"] = price_decimal
    columns["price_american"] = price_american
    columns["price_format"] = [price_format] * len(rows)
    return frame_from_columns(ODDS, columns)


def _games_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    if not rows:
        return build_frame(GAMES, [])
    return frame_from_columns(GAMES, {c: [r[c] for r in rows] for c in rows[0]})


def normalize_scores(
    payload: Any, *, observed_at: datetime, endpoint: str | None = None
) -> NormalizedBatch:
    """Rows for ``games`` and (completed games only) ``game_results`` from ``/scores``.

    ``completed_at`` is the provider's ``last_update`` of the completed game, else the poll
    time. The Odds API gives no quarter scores or overtime count, so ``home_periods``,
    ``away_periods`` and ``periods`` are None.
    """
    observed_at = require_aware(observed_at, "observed_at")
    if not isinstance(payload, list):
        raise PayloadError(
            f"scores: expected a JSON list of events, got {type(payload).__name__}; "
            "quarantine the body and fail the run",
            raw=payload,
            endpoint=endpoint,
        )
    rejects = Rejects(endpoint)
    game_rows: list[dict[str, Any]] = []
    result_rows: list[dict[str, Any]] = []
    for raw in payload:
        parsed = _event(raw, ScoresEvent, GAMES, rejects)
        if parsed is None:
            continue
        event, game = parsed
        game_rows.append(_game_row(event, game, _scores_status(event), observed_at))
        if not event.completed:
            continue
        result = _result_row(event, game, observed_at)
        if isinstance(result, str):
            rejects.add(RESULTS, result, raw)
        else:
            result_rows.append(result)
    return NormalizedBatch(
        tables={GAMES: build_frame(GAMES, game_rows), RESULTS: build_frame(RESULTS, result_rows)},
        quarantine=rejects.records,
    )


def _scores_status(event: ScoresEvent) -> str:
    # ``scores`` stays null until tip-off, so scores on an open game mean it is under way.
    if event.completed:
        return "final"
    return "in_progress" if event.scores else "scheduled"


def _unwrap(payload: Any, observed_at: datetime, endpoint: str | None) -> tuple[datetime, list]:
    if isinstance(payload, list):
        return observed_at, payload
    if isinstance(payload, dict) and "data" in payload:
        try:
            envelope = HistoricalEnvelope.model_validate(payload)
        except ValidationError as exc:
            raise PayloadError(
                describe_validation_error(exc, "historical envelope")
                + "; quarantine the body and fail the run",
                raw=payload,
                endpoint=endpoint,
            ) from None
        # The body's own objects, not the validated copies, so quarantined records are the
        # exact raw input.
        data = payload["data"]
        return envelope.timestamp, [data] if isinstance(data, dict) else data
    raise PayloadError(
        f"odds: expected a JSON list of events or a historical envelope, got "
        f"{type(payload).__name__}; quarantine the body and fail the run",
        raw=payload,
        endpoint=endpoint,
    )


def _event(raw: Any, model: type[_E], target: str, rejects: Rejects) -> tuple[_E, _Game] | None:
    try:
        event = model.model_validate(raw)
    except ValidationError as exc:
        rejects.add(target, describe_validation_error(exc, "event"), raw)
        return None
    game = _resolve_game(event)
    if isinstance(game, str):
        rejects.add(target, game, raw)
        return None
    return event, game


def _resolve_game(event: OddsEventHeader) -> _Game | str:
    """The internal game an event denotes, or the reason it cannot be placed."""
    home = resolve_team(event.home_team)
    away = resolve_team(event.away_team)
    for franchise, name, side in ((home, event.home_team, "home"), (away, event.away_team, "away")):
        if franchise is None:
            return f"event {event.id}: unknown team {name!r} ({side}_team)"
    assert home is not None and away is not None
    if home.team_id == away.team_id:
        return f"event {event.id}: home and away are both {home.full_name}"
    slate = slate_date(event.commence_time)
    return _Game(game_id_for(slate, home.team_id), slate, home, away)


def _game_row(
    event: OddsEventHeader, game: _Game, status: str, observed_at: datetime
) -> dict[str, Any]:
    # The Odds API does not flag playoff or neutral-site games; BallDontLie's rows say so.
    return {
        "game_id": game.game_id,
        "slate_date": game.slate,
        "season": season_of(game.slate),
        "home_team_id": game.home.team_id,
        "away_team_id": game.away.team_id,
        "commence_time": event.commence_time,
        "status": status,
        "postseason": False,
        "neutral_site": False,
        "source_game_id": event.id,
        "observed_at": observed_at,
    }


def _team_side(name: str, event: OddsEventHeader, game: _Game) -> str | None:
    """'home' or 'away' for a team name, by exact name first, then by alias."""
    if name == event.home_team:
        return "home"
    if name == event.away_team:
        return "away"
    franchise = resolve_team(name)
    if franchise is None:
        return None
    return {game.home.team_id: "home", game.away.team_id: "away"}.get(franchise.team_id)


def _bookmaker_rows(
    raw: Any,
    event: OddsEventHeader,
    game: _Game,
    price_format: PriceFormat,
    rejects: Rejects,
    out: list[_OddsRow],
) -> None:
    """Append the rows of every storable featured market of one bookmaker to ``out``."""
    header = _plain_bookmaker(raw)
    if header is None:
        try:
            book = OddsBookmakerHeader.model_validate(raw)
        except ValidationError as exc:
            context = {"event_id": event.id, "bookmaker": raw}
            where = f"event {event.id}: bookmaker"
            rejects.add(ODDS, describe_validation_error(exc, where), context)
            return
        header = (book.key, book.title, book.last_update)
    book_key = header[0]
    markets = raw.get("markets")
    if not isinstance(markets, list):
        context = {"event_id": event.id, "bookmaker": raw}
        rejects.add(ODDS, f"event {event.id} book {book_key}: markets is not a list", context)
        return
    for market_raw in markets:
        key = market_raw.get("key") if isinstance(market_raw, dict) else None
        if isinstance(key, str) and key not in FEATURED_MARKETS:
            continue
        try:
            market = _plain_market(market_raw)
            if market is None:
                model = OddsMarket.model_validate(market_raw)
                market = (
                    model.key,
                    model.last_update,
                    [(o.name, o.price, o.point) for o in model.outcomes],
                )
            out.extend(_market_rows(market, header, event, game, price_format))
        except ValidationError as exc:
            where = f"event {event.id} book {book_key} market {key}"
            market_context = {"event_id": event.id, "bookmaker": book_key, "market": market_raw}
            rejects.add(ODDS, describe_validation_error(exc, where), market_context)
        except ValueError as exc:
            where = f"event {event.id} book {book_key} market {key}"
            market_context = {"event_id": event.id, "bookmaker": book_key, "market": market_raw}
            rejects.add(ODDS, f"{where}: {exc}", market_context)


# A bookmaker header (key, title, last_update) and a market (key, last_update, outcomes as
# (name, price, point)) with exactly the values their pydantic models would hold.
_Header = tuple[str, str, datetime | None]
_Market = tuple[str, datetime | None, list[tuple[str, float, float | None]]]

# The plain-JSON shapes the provider sends are read directly; anything else (a missing or
# mistyped field, a string where a number goes) is left to the pydantic models, which then
# accept or reject it exactly as before. Timestamps are parsed by the models' own type,
# once per distinct string.
_INSTANT = TypeAdapter(UtcDatetime)
_INSTANTS: dict[str, datetime] = {}
_INSTANTS_MAX = 1 << 16
_MISSING: Any = object()
_EXACT_INT = 1 << 53


def _instant(value: Any) -> Any:
    """The optional UtcDatetime a model would hold for ``value``, or ``_MISSING``."""
    if value is None:
        return None
    if type(value) is not str:
        return _MISSING
    found = _INSTANTS.get(value)
    if found is None:
        try:
            found = _INSTANT.validate_python(value)
        except ValidationError:
            return _MISSING
        if len(_INSTANTS) >= _INSTANTS_MAX:
            _INSTANTS.clear()
        _INSTANTS[value] = found
    return found


def _finite(value: Any) -> Any:
    """The FiniteFloat a model would hold for ``value``, or ``_MISSING``."""
    kind = type(value)
    if kind is float:
        return value if value - value == 0.0 else _MISSING
    if kind is int and -_EXACT_INT <= value <= _EXACT_INT:
        return float(value)
    return _MISSING


def _plain_bookmaker(raw: Any) -> _Header | None:
    if type(raw) is not dict:
        return None
    key, title = raw.get("key"), raw.get("title")
    if type(key) is not str or type(title) is not str:
        return None
    last_update = _instant(raw.get("last_update"))
    if last_update is _MISSING:
        return None
    return key, title, last_update


def _plain_market(raw: Any) -> _Market | None:
    if type(raw) is not dict:
        return None
    key, outcomes = raw.get("key"), raw.get("outcomes")
    if type(key) is not str or type(outcomes) is not list:
        return None
    last_update = _instant(raw.get("last_update"))
    if last_update is _MISSING:
        return None
    parsed = []
    for outcome in outcomes:
        if type(outcome) is not dict:
            return None
        name, price = outcome.get("name"), _finite(outcome.get("price"))
        point = outcome.get("point")
        if point is not None:
            point = _finite(point)
        description = outcome.get("description")
        if (
            type(name) is not str
            or price is _MISSING
            or point is _MISSING
            or (description is not None and type(description) is not str)
        ):
            return None
        parsed.append((name, price, point))
    return key, last_update, parsed


_TOTALS_SIDES = {"over": "over", "under": "under"}


def _market_rows(
    market: _Market,
    book: _Header,
    event: OddsEventHeader,
    game: _Game,
    price_format: PriceFormat,
) -> list[_OddsRow]:
    """All rows of one market, or ValueError naming the first outcome that cannot be stored.

    Prices are only tested here (``both_prices`` decides any price the cheap test cannot);
    the batch converts them together.
    """
    key, market_update, outcomes = market
    if not outcomes:
        raise ValueError("market has no outcomes")
    book_key, book_title, book_update = book
    last_update = market_update or book_update
    home, away = event.home_team, event.away_team
    game_id, event_id = game.game_id, event.id
    rows = []
    for name, price, given_point in outcomes:
        if key == "totals":
            side = _TOTALS_SIDES.get(name.strip().lower())
        elif name == home:
            side = "home"
        elif name == away:
            side = "away"
        else:
            side = _team_side(name, event, game)
        if side is None:
            expected = "Over/Under" if key == "totals" else f"home {home!r} or away {away!r}"
            raise ValueError(f"outcome {name!r} matches neither {expected}")
        if key == "h2h":
            point = 0.0
        elif given_point is None:
            raise ValueError(f"{key} outcome {name!r} has no point")
        elif abs(given_point) > _MAX_ABS_POINT:
            raise ValueError(f"point {given_point} is out of range")
        else:
            point = given_point
        if not plainly_valid(price, price_format):
            both_prices(price, price_format)  # raises the reason a bad price is refused
        rows.append((game_id, book_key, book_title, key, side, point, price, last_update, event_id))
    return rows


def _result_row(event: ScoresEvent, game: _Game, observed_at: datetime) -> dict[str, Any] | str:
    """The final score of a completed game, or the reason it cannot be trusted."""
    if not event.scores:
        return f"event {event.id}: completed without scores"
    scores: dict[str, int] = {}
    for line in event.scores:
        side = _team_side(line.name, event, game)
        if side is None:
            return (
                f"event {event.id}: score name {line.name!r} matches neither home "
                f"{event.home_team!r} nor away {event.away_team!r}"
            )
        if line.score is None or not 0 <= line.score <= _MAX_SCORE:
            return f"event {event.id}: {side} score {line.score!r} is not a final score"
        if side in scores:
            return f"event {event.id}: two scores for the {side} team"
        scores[side] = line.score
    if set(scores) != {"home", "away"}:
        return f"event {event.id}: completed with only {sorted(scores)} scores"
    return {
        "game_id": game.game_id,
        "home_score": scores["home"],
        "away_score": scores["away"],
        "home_periods": None,
        "away_periods": None,
        "periods": None,
        "final": True,
        "completed_at": event.last_update or observed_at,
    }
