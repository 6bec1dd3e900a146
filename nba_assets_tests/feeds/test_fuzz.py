"""Fuzzing the normalisers with mutated real and synthetic payloads.

Whatever a provider sends, normalisation either raises ``PayloadError`` (only when the
top-level shape is wrong) or returns, and every piece of the body is accounted for: each
event, bookmaker, market or record either becomes rows or becomes a quarantine record with a
reason. Nothing is silently dropped and nothing else escapes.
"""

from __future__ import annotations

import copy
import csv
import io
import itertools
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path as FilePath
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from nba_assets.core.teams import by_abbreviation
from nba_assets.feeds.archive import ArchiveFormatError, parse_kaggle_text, parse_sbr_text
from nba_assets.feeds.archive.kaggle import REQUIRED as KAGGLE_REQUIRED
from nba_assets.feeds.archive.sbr import REQUIRED as SBR_REQUIRED
from nba_assets.feeds.balldontlie import (
    normalize_games,
    normalize_injuries,
    normalize_stats,
    team_id_map,
)
from nba_assets.feeds.balldontlie.models import BdlTeam
from nba_assets.feeds.balldontlie.normalize import franchise_of
from nba_assets.feeds.errors import PayloadError
from nba_assets.feeds.odds_api import normalize_odds, normalize_scores
from nba_assets.feeds.odds_api.models import FEATURED_MARKETS
from nba_assets.feeds.prices import PriceFormat
from nba_assets.feeds.records import TABLE_COLUMNS, NormalizedBatch
from nba_assets_tests.feeds.archive.snippets import KAGGLE_HEADER, SBR_HEADER, kaggle_row, sbr_row
from nba_assets_tests.feeds.fakes import (
    CELTICS,
    LAKERS,
    PAYLOADS,
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
        "historical events docs (NBA names)",
        shared("theoddsapi_v4_historical_events_envelope_docs_example.json", nba=True),
        odds(),
        check_odds,
        odds_top_level_ok,
    ),
    Case(
        "historical odds 2021 official page (empty data)",
        shared("theoddsapi_v4_historical_odds_envelope_2021_official_page.json"),
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


# -- /v1/teams: the BallDontLie id -> franchise map -----------------------------------------


def _capture_teams() -> dict[str, Any]:
    """A ``/v1/teams`` page made of the real team objects of the recorded games capture."""
    games = shared_payload("balldontlie_v1_nba_games_capture_2024-04-04.json")
    records = games if isinstance(games, list) else games["data"]
    teams = {t["id"]: t for g in records for t in (g["home_team"], g["visitor_team"])}
    return {"data": list(teams.values()), "meta": {"per_page": 100}}


def _valid_team(raw: Any) -> tuple[int, int] | None:
    """(BallDontLie id as validated, internal team) when a record is a valid team of a
    known franchise, else None."""
    try:
        team = BdlTeam.model_validate(raw)
    except ValidationError:
        return None
    franchise = franchise_of(team)
    return (team.id, franchise.team_id) if franchise else None


@pytest.mark.parametrize(
    "load",
    [
        pytest.param(_capture_teams, id="capture teams"),
        pytest.param(
            lambda: {"data": [copy.deepcopy(LAKERS), copy.deepcopy(CELTICS)]}, id="synthetic"
        ),
    ],
)
def test_mutated_team_pages_map_every_good_team_and_nothing_else(
    load: Callable[[], Any],
) -> None:
    """``team_id_map`` never crashes on a team page, maps every valid team whose id is not
    shared with another record, and maps nothing a valid record does not say.

    It has no quarantine output (a bad team record is dropped; players of that team are
    quarantined by the injuries normaliser as an unknown team id), so that part of the fuzz
    property cannot be asserted here.
    """
    base = load()
    assert team_id_map(copy.deepcopy(base)) == dict(filter(None, map(_valid_team, base["data"])))

    @settings(max_examples=60, deadline=None, database=None)
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        payload = copy.deepcopy(base)
        for _ in range(data.draw(st.integers(min_value=1, max_value=4), label="mutations")):
            path = data.draw(st.sampled_from(list(paths(payload))), label="path")
            op = data.draw(st.sampled_from(OPS), label="op")
            payload = mutate(payload, path, op, data.draw(JUNK, label="junk"))
        try:
            mapping = team_id_map(payload)
        except PayloadError:
            assert not bdl_top_level_ok(payload), "PayloadError on a well-shaped body"
            return
        records = payload if isinstance(payload, list) else payload["data"]
        valid = [team for team in map(_valid_team, records) if team is not None]
        ids = Counter(i for i, _ in valid)
        for team_id, franchise in valid:
            if ids[team_id] == 1:
                assert mapping[team_id] == franchise
        assert set(mapping) <= set(ids)
        assert set(mapping.values()) <= {f for _, f in valid}

    fuzz()


# -- archives: SBR season files and the Kaggle file, row by row -----------------------------

ARCHIVE_TABLES = ("games", "game_results", "odds_snapshots")
CELL_JUNK = st.one_of(
    st.sampled_from(
        ["", " ", "NL", "pk", "PK", "-", "N/A", "nan", "inf", "1e400", "-0", "½", "116", "0229",
         "1301", "1955.5", "-650", "0", "7.5.1", "True", "home", "Gotham", "N", "V", "H"]
    ),
    st.integers(min_value=-3000, max_value=3000).map(str),
    st.text(alphabet="0123456789.-+pkNLVH ,\"'", max_size=6),
)  # fmt: skip
# "two_cells" writes the same junk into one column of two neighbouring rows: a typo copied
# down, as an SBR game's Date is on both of its rows.
ROW_OPS = (
    "cell",
    "two_cells",
    "two_cells",
    "drop_cell",
    "extra_cell",
    "drop_row",
    "dup_row",
    "swap",
)

Row = tuple[int | None, list[str]]  # (index of the original row it still equals, or None)


def _typo(data: st.DataObject, text: str) -> str:
    """``text`` as a hand-typed archive might have it: a character dropped, doubled,
    swapped with its neighbour or replaced by a digit."""
    if not text:
        return data.draw(CELL_JUNK, label="junk")
    i = data.draw(st.integers(min_value=0, max_value=len(text) - 1), label="at")
    kind = data.draw(st.sampled_from(["drop", "double", "swap", "digit"]), label="typo")
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "double":
        return text[: i + 1] + text[i:]
    if kind == "swap" and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + data.draw(st.sampled_from("0123456789"), label="digit") + text[i + 1 :]


def _bad_value(data: st.DataObject, original: str) -> str:
    return (
        _typo(data, original)
        if data.draw(st.booleans(), label="typo?")
        else data.draw(CELL_JUNK, label="junk")
    )


@dataclass(frozen=True)
class Archive:
    name: str
    load: Callable[[], list[list[str]]]
    parse: Callable[[str], NormalizedBatch]
    unit: int  # rows per game: 1 (Kaggle) or 2 (SBR visitor/home pair)
    required: tuple[str, ...]


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _real_rows(*parts: str, count: int) -> Callable[[], list[list[str]]]:
    """The header and first ``count`` data rows of a real archive file under ../shared."""

    def load() -> list[list[str]]:
        path = PAYLOADS.parent / "real" / FilePath(*parts)
        if not path.is_file():
            pytest.skip(f"real archive {path} is absent (../shared not available)")
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return list(itertools.islice(csv.reader(handle), count + 1))

    return load


def _rows_of(text: str) -> Callable[[], list[list[str]]]:
    return lambda: list(csv.reader(io.StringIO(text)))


def _synthetic_sbr() -> str:
    teams = [("Philadelphia", "Boston"), ("GoldenState", "LAClippers"), ("Miami", "Orlando"),
             ("NewYork", "SanAntonio"), ("Utah", "Dallas"), ("Brooklyn", "Denver")]  # fmt: skip
    rows = [SBR_HEADER]
    for n, (away, home) in enumerate(teams):
        day = f"10{16 + n // 2}"
        rows.append(sbr_row(day, 501 + 2 * n, "V", away, (25, 25, 25, 20), 95, "211", "212", "150"))
        rows.append(sbr_row(day, 502 + 2 * n, "H", home, (25, 25, 25, 30), 105, "4", "4.5", "-170"))
    return "\n".join(rows)


def _synthetic_kaggle() -> str:
    games = [("phi", "bos"), ("gs", "lac"), ("mia", "orl"), ("ny", "sa"), ("utah", "dal")]
    return "\n".join(
        [KAGGLE_HEADER]
        + [
            kaggle_row(2019, f"2018-10-{16 + n}", away, home, (95, 105), "home", "4.5", "211.5",
                       ("150", "-170"))
            for n, (away, home) in enumerate(games)
        ]
    )  # fmt: skip


ARCHIVES = [
    Archive(
        "sbr 2018-19 real",
        _real_rows("sbr_archive", "nba odds 2018-19.csv", count=24),
        lambda text: parse_sbr_text(text, 2018),
        2,
        SBR_REQUIRED,
    ),
    Archive(
        "kaggle real",
        _real_rows("kaggle_nba_2008_2025", "nba_2008-2025.csv", count=16),
        parse_kaggle_text,
        1,
        KAGGLE_REQUIRED,
    ),
    Archive(
        "sbr synthetic",
        _rows_of(_synthetic_sbr()),
        lambda text: parse_sbr_text(text, 2018),
        2,
        SBR_REQUIRED,
    ),
    Archive(
        "kaggle synthetic", _rows_of(_synthetic_kaggle()), parse_kaggle_text, 1, KAGGLE_REQUIRED
    ),
]


def _table_rows(batch: NormalizedBatch) -> Counter[tuple[str, tuple[str, ...]]]:
    return Counter(
        (table, tuple(map(str, row)))
        for table in ARCHIVE_TABLES
        for row in batch[table].itertuples(index=False)
    )


def _mutate_rows(data: st.DataObject, rows: list[Row], columns: list[int]) -> list[Row]:
    """Up to four edits of the data rows; a cell edit picks one of the parsed ``columns``."""
    for _ in range(data.draw(st.integers(min_value=1, max_value=4), label="mutations")):
        if not rows:
            break
        i = data.draw(st.integers(min_value=0, max_value=len(rows) - 1), label="row")
        origin, cells = rows[i]
        op = data.draw(st.sampled_from(ROW_OPS), label="op")
        j = data.draw(st.sampled_from(columns), label="column")
        if op == "cell" and j < len(cells):
            rows[i] = (None, [*cells[:j], _bad_value(data, cells[j]), *cells[j + 1 :]])
        elif op == "two_cells" and j < len(cells) and i + 1 < len(rows):
            junk = _bad_value(data, cells[j])
            for k in (i, i + 1):
                copied = list(rows[k][1])
                if j < len(copied):
                    copied[j] = junk
                rows[k] = (None, copied)
        elif op == "drop_cell" and j < len(cells):
            rows[i] = (None, cells[:j] + cells[j + 1 :])
        elif op == "extra_cell":
            rows[i] = (None, [*cells, data.draw(CELL_JUNK, label="junk")])
        elif op == "drop_row":
            del rows[i]
        elif op == "dup_row":
            rows.insert(i, (origin, list(cells)))
        elif op == "swap" and i + 1 < len(rows):
            rows[i], rows[i + 1] = rows[i + 1], rows[i]
    return rows


def _kept_units(archive: Archive, rows: list[Row]) -> list[tuple[int, ...]]:
    """Games whose rows are all untouched and still together: one row (Kaggle), or a
    visitor row directly followed by its home row (SBR)."""
    if archive.unit == 1:
        return [(origin,) for origin, _ in rows if origin is not None]
    return [
        (a, b)
        for (a, _), (b, _) in itertools.pairwise(rows)
        if a is not None and b == a + 1 and a % 2 == 0
    ]


def _accounted(archive: Archive, rows: list[Row], batch: NormalizedBatch) -> None:
    """Every data row is a game's or in a quarantined record, and every game has a result
    row or a quarantined result."""
    rejects = Counter(q.target_table for q in batch.quarantine)
    games = len(batch["games"])
    if archive.unit == 1:
        assert games + rejects["games"] == sum(1 for _, cells in rows if cells)
    else:
        lines = sum(len(q.raw["lines"]) for q in batch.quarantine if q.target_table == "games")
        data_rows = sum(1 for _, cells in rows if any(c.strip() for c in cells))
        assert 2 * games + lines == data_rows
    assert len(batch["game_results"]) + rejects["game_results"] == games


@pytest.mark.parametrize("archive", ARCHIVES, ids=lambda a: a.name)
def test_mutated_archive_rows_never_crash_and_good_rows_are_kept(archive: Archive) -> None:
    """Whatever a season file holds, the parser returns (or refuses a file without its
    required columns), every rejected row is quarantined with a reason, every row is
    accounted for, and the games whose own rows were not touched come out exactly as they
    do from a file of their rows alone."""
    header, *body = archive.load()
    unit = archive.unit
    alone = [
        _table_rows(archive.parse(_csv([header, *body[i : i + unit]])))
        for i in range(0, len(body), unit)
    ]
    columns = [header.index(c) for c in archive.required]
    clean = archive.parse(_csv([header, *body]))
    assert not clean.quarantine
    assert _table_rows(clean) == sum(alone, Counter())

    @settings(
        max_examples=50,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def fuzz(data: st.DataObject) -> None:
        rows = _mutate_rows(data, [(i, list(cells)) for i, cells in enumerate(body)], columns)
        head = list(header)
        if data.draw(st.booleans(), label="touch header") and data.draw(
            st.booleans(), label="really"
        ):
            j = data.draw(st.integers(min_value=0, max_value=len(head) - 1), label="column")
            head[j] = data.draw(CELL_JUNK, label="name")
        try:
            batch = archive.parse(_csv([head, *(cells for _, cells in rows)]))
        except ArchiveFormatError:
            assert not set(archive.required) <= {h.strip() for h in head}
            return
        check_frames(batch)
        for record in batch.quarantine:
            assert record.target_table in ARCHIVE_TABLES
        _accounted(archive, rows, batch)
        if head == header:
            expected = sum((alone[u[0] // unit] for u in _kept_units(archive, rows)), Counter())
            missing = expected - _table_rows(batch)
            assert not missing, f"good rows lost or changed: {list(missing)[:3]}"

    fuzz()


def test_one_mistyped_sbr_date_does_not_move_every_later_game_a_year() -> None:
    """SBR dates carry no year: the year rolls over when the month first decreases. A
    single typo ("116" for "1116") must not put every later game of the season a year late,
    silently; each later game keeps the date it has alone."""
    rows = [
        SBR_HEADER,
        sbr_row("1116", 501, "V", "Philadelphia", (21, 21, 24, 21), 87, "208.5", "211.5", "170"),
        sbr_row("1116", 502, "H", "Boston", (21, 26, 30, 28), 105, "5", "4.5", "-200"),
        sbr_row("116", 503, "V", "Miami", (21, 21, 24, 21), 87, "208.5", "211.5", "170"),
        sbr_row("116", 504, "H", "Orlando", (21, 26, 30, 28), 105, "5", "4.5", "-200"),
        sbr_row("1117", 505, "V", "Utah", (21, 21, 24, 21), 87, "208.5", "211.5", "170"),
        sbr_row("1117", 506, "H", "Dallas", (21, 26, 30, 28), 105, "5", "4.5", "-200"),
    ]
    games = parse_sbr_text("\n".join(rows), 2018)["games"].set_index("home_team_id")
    assert games.loc[by_abbreviation("BOS").team_id, "slate_date"] == date(2018, 11, 16)
    assert games.loc[by_abbreviation("DAL").team_id, "slate_date"] == date(2018, 11, 17)
