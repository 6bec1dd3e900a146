"""Fuzzing the normalisers with mutated real and synthetic payloads.

Whatever a provider sends, normalisation either raises ``PayloadError`` (only when the
top-level shape is wrong) or returns, and every piece of the body is accounted for: each
event, bookmaker, market or record either becomes rows or becomes a quarantine record with a
reason. Nothing is silently dropped and nothing else escapes.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nba_assets.feeds.balldontlie import normalize_games, normalize_injuries, normalize_stats
from nba_assets.feeds.errors import PayloadError
from nba_assets.feeds.odds_api import normalize_odds, normalize_scores
from nba_assets.feeds.odds_api.models import FEATURED_MARKETS
from nba_assets.feeds.prices import PriceFormat
from nba_assets.feeds.records import TABLE_COLUMNS, NormalizedBatch
from nba_assets_tests.feeds.fakes import (
    bdl_game,
    bdl_injury,
    bdl_stat,
    bookmaker,
    odds_event,
    shared_payload,
    with_nba_names,
)

POLLED = datetime(2024, 1, 15, 23, 0, tzinfo=UTC)

JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        ["", "Over", "Draw", "2024-13-45T99:99:99Z", "2024-01-16T03:30:00", "Nov 31", "36:99"]
    ),
    st.sampled_from(["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "-1", "1e400", "00"]),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
OPS = ("drop", "replace", "rename", "wrap", "empty")

Path = tuple[Any, ...]


def paths(node: Any, here: Path = ()) -> Iterator[Path]:
    yield here
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*here, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*here, index))


def mutate(root: Any, path: Path, op: str, junk: Any) -> Any:
    """``root`` with one node dropped, replaced by junk, renamed, wrapped or emptied."""
    if not path:
        return junk if op != "wrap" else [root]
    parent = root
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    current = parent[last]
    if op == "drop":
        del parent[last]
    elif op == "rename" and isinstance(parent, dict):
        parent[f"{last}_renamed"] = parent.pop(last)
    elif op == "wrap":
        parent[last] = [current]
    elif op == "empty":
        parent[last] = type(current)() if isinstance(current, list | dict | str) else None
    else:
        parent[last] = junk
    return root


def check_frames(batch: NormalizedBatch) -> None:
    for table, frame in batch.tables.items():
        assert list(frame.columns) == list(TABLE_COLUMNS[table])
        for column, kind in TABLE_COLUMNS[table].items():
            if kind == "utc":
                assert str(frame[column].dtype.tz) == "UTC"
    for record in batch.quarantine:
        assert record.reason.strip(), record
        assert record.target_table in TABLE_COLUMNS


def odds_events(payload: Any) -> list[Any]:
    if isinstance(payload, list):
        return payload
    data = payload["data"]
    return [data] if isinstance(data, dict) else data


def check_odds(payload: Any, batch: NormalizedBatch) -> None:
    """Each event, bookmaker and featured market is either in the rows or quarantined."""
    rejected = {id(q.raw) for q in batch.quarantine}
    books = {id(q.raw["bookmaker"]) for q in batch.quarantine if _context(q.raw, "market", False)}
    markets = {id(q.raw["market"]) for q in batch.quarantine if _context(q.raw, "market", True)}
    games = outcomes = 0
    for event in odds_events(payload):
        if id(event) in rejected:
            continue
        games += 1
        for book in event.get("bookmakers") or []:
            if id(book) in books:
                continue
            for market in book["markets"]:
                key = market.get("key") if isinstance(market, dict) else None
                if (isinstance(key, str) and key not in FEATURED_MARKETS) or id(market) in markets:
                    continue
                outcomes += len(market["outcomes"])
    assert len(batch["games"]) == games
    odds = batch["odds_snapshots"]
    assert len(odds) == outcomes
    assert (odds["price_decimal"] > 1).all()
    assert (odds["price_american"].abs() >= 100).all()
    assert set(odds["outcome"]) <= {"home", "away", "over", "under"}
    assert ((odds["market"] == "totals") == odds["outcome"].isin(["over", "under"])).all()
    assert (odds.loc[odds["market"] == "h2h", "point"] == 0).all()


def _context(raw: Any, key: str, present: bool) -> bool:
    return isinstance(raw, dict) and "bookmaker" in raw and (key in raw) == present


def check_records(table: str) -> Callable[[Any, NormalizedBatch], None]:
    """Each top-level record is either a row of ``table`` or a quarantine record for it."""

    def check(payload: Any, batch: NormalizedBatch) -> None:
        records = payload if isinstance(payload, list) else payload["data"]
        rejected = [q for q in batch.quarantine if q.target_table == table]
        assert len(batch[table]) + len(rejected) == len(records)

    return check


def odds_top_level_ok(payload: Any) -> bool:
    return isinstance(payload, list)


def bdl_top_level_ok(payload: Any) -> bool:
    return isinstance(payload, list) or (
        isinstance(payload, dict) and isinstance(payload.get("data"), list)
    )


@dataclass(frozen=True)
class Case:
    name: str
    load: Callable[[], Any]
    normalize: Callable[[Any], NormalizedBatch]
    check: Callable[[Any, NormalizedBatch], None]
    top_level_ok: Callable[[Any], bool]


def odds(price_format: PriceFormat = "decimal") -> Callable[[Any], NormalizedBatch]:
    return partial(normalize_odds, observed_at=POLLED, price_format=price_format)


def shared(name: str, nba: bool = False) -> Callable[[], Any]:
    return lambda: with_nba_names(shared_payload(name)) if nba else shared_payload(name)


SCORES = partial(normalize_scores, observed_at=POLLED)
GAMES = partial(normalize_games, observed_at=POLLED)
STATS = partial(normalize_stats, observed_at=POLLED)
INJURIES = partial(normalize_injuries, observed_at=POLLED, team_ids={14: 14})
TWO_BOOKS = [
    bookmaker("fanduel", "FanDuel", "Los Angeles Lakers", "Boston Celtics"),
    bookmaker("pinnacle", "Pinnacle", "Los Angeles Lakers", "Boston Celtics"),
]

CASES = [
    Case(
        "odds capture 2022-11-23",
        shared("theoddsapi_v4_odds_nba_h2h_spreads_totals_american_2022-11-23.json"),
        odds("american"),
        check_odds,
        odds_top_level_ok,
    ),
    Case(
        "odds docs 2021 (NBA names)",
        shared("theoddsapi_v4_odds_docs_example_nfl_2021.json", nba=True),
        odds("american"),
        check_odds,
        odds_top_level_ok,
    ),
    Case(
        "historical odds docs (NBA names)",
        shared("theoddsapi_v4_historical_odds_envelope_docs_example.json", nba=True),
        odds(),
        check_odds,
        odds_top_level_ok,
    ),
    Case(
        "historical event odds docs (NBA names)",
        shared("theoddsapi_v4_historical_event_odds_envelope_docs_example.json", nba=True),
        odds(),
        check_odds,
        odds_top_level_ok,
    ),
    Case(
        "scores capture 2023-05",
        shared("theoddsapi_v4_scores_nba_comment_capture_2023-05.json"),
        SCORES,
        check_records("games"),
        odds_top_level_ok,
    ),
    Case(
        "bdl games capture 2024-04-04",
        shared("balldontlie_v1_nba_games_capture_2024-04-04.json"),
        GAMES,
        check_records("games"),
        bdl_top_level_ok,
    ),
    Case(
        "bdl injuries user doc",
        shared("balldontlie_nba_player_injuries_user_doc_2025-10.json"),
        INJURIES,
        check_records("injuries"),
        bdl_top_level_ok,
    ),
    Case(
        "synthetic odds",
        lambda: [
            odds_event(bookmakers=copy.deepcopy(TWO_BOOKS)),
            odds_event(event_id="e2", home="Boston Celtics", away="Miami Heat"),
        ],
        odds(),
        check_odds,
        odds_top_level_ok,
    ),
    Case(
        "synthetic bdl games",
        lambda: {"data": [bdl_game(), bdl_game(id=2, status="2024-01-16T03:30:00Z")], "meta": {}},
        GAMES,
        check_records("games"),
        bdl_top_level_ok,
    ),
    Case(
        "synthetic bdl stats",
        lambda: {"data": [bdl_stat(), bdl_stat(id=2, min="")]},
        STATS,
        check_records("player_stats"),
        bdl_top_level_ok,
    ),
    Case(
        "synthetic bdl injuries",
        lambda: [bdl_injury(), bdl_injury(status="Day-To-Day")],
        INJURIES,
        check_records("injuries"),
        bdl_top_level_ok,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_mutated_payloads_never_crash_and_every_reject_is_quarantined(case: Case) -> None:
    base = case.load()
    unmutated = case.normalize(copy.deepcopy(base))
    case.check(base, unmutated)

    @settings(
        max_examples=60,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        payload = copy.deepcopy(base)
        for _ in range(data.draw(st.integers(min_value=1, max_value=4), label="mutations")):
            path = data.draw(st.sampled_from(list(paths(payload))), label="path")
            op = data.draw(st.sampled_from(OPS), label="op")
            payload = mutate(payload, path, op, data.draw(JUNK, label="junk"))
        try:
            batch = case.normalize(payload)
        except PayloadError:
            assert not case.top_level_ok(payload), "PayloadError on a well-shaped body"
            return
        check_frames(batch)
        case.check(payload, batch)

    fuzz()
