"""market_consensus: the fair probability the whole market agrees on, book by book devigged.

For every two-way market at every book (moneyline home/away; spread home at p with away at
-p; total over/under at the same p) the two prices are devigged together, and the books'
fair probabilities for the first side (home or over) are combined per (game, market, line)
into a weighted median, with sharp books weighted ``sharp_weight`` against ``retail_weight``.

Why these choices:

* **Devig method: Shin** (``nba_assets.core.devig.DEFAULT_METHOD``). The favourite-longshot
  bias means books load more margin on the long shot than proportional normalisation
  assumes; Shin's insider model captures that skew and has the better calibration record
  (Štrumbelj 2014). On two outcomes it equals the additive method, so it is also cheap and
  closed-form. Any method in ``nba_assets.core.devig.METHODS`` can be configured.
* **Weighted median**, not mean: one stale or mispriced book moves a mean by its whole error
  and a median not at all, and the books we most want to find value at are exactly the ones
  that deviate. When the cumulative weight lands exactly on half, the two middle values are
  averaged, so two equally weighted books give their mean and home/away stay symmetric
  (the away/under consensus is 1 minus the home/over one, so each market's pair sums to 1).
* **Sharp books weighted up**: books that take large limits from informed bettors move
  first and carry most of the information in a price; 3:1 lets one sharp book outvote two
  retail ones while a unanimous retail crowd still moves the median.

A book quoting only one side of a market (one-sided outcome) has nothing to devig against:
it is left out of the consensus and returned in ``ConsensusResult.unpaired``, although its
price can still be scored against the other books' consensus.

Grouping is by (game, market, line) over whatever the board holds (normally one latest price
per book); with ``per_snapshot=True`` it is by (game, market, line, snapshot_time) too, for a
history where all books of one poll share a snapshot time. A book that lists the same
outcome twice in one group is an error: reduce the history to a board first
(:func:`nba_assets.analytics.boards.latest_board`).

Performance: everything is integer codes and numpy; there is no per-row Python. Keys are
packed and densified by lookup table (:mod:`nba_assets.analytics.keys`); the books of a
group form one row of a (group x book) matrix, so pairing is a single scatter and the
weighted median a short row-wise sort. The matrix work runs in blocks of ~64k cells: on
this workload whole-array passes spend most of their time faulting in fresh memory for
temporaries, and cache-sized blocks measured 5-8 times faster.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from nba_assets.analytics.columns import MARKETS, OUTCOMES, require_columns
from nba_assets.analytics.keys import (
    category_codes,
    combine_codes,
    dense_codes,
    grid_units,
    line_codes,
    pack,
    snapshot_codes,
)
from nba_assets.core.devig import DEFAULT_METHOD, METHODS, devig_two_way

ALGORITHM = "market_consensus"
BOARD_COLUMNS = ("game_id", "book_id", "market", "outcome", "point", "price_decimal", "tier")
_TIE_TOLERANCE = 1e-9
_BLOCK_CELLS = 1 << 16


@dataclass(frozen=True, slots=True)
class ConsensusConfig:
    """The consensus recipe; ``version`` tags value scores computed from it.

    ``max_cells`` bounds the (group x book) slot array; larger boards are processed in
    group ranges.
    """

    version: str = "market_consensus-1.0"
    method: str = DEFAULT_METHOD
    sharp_weight: float = 3.0
    retail_weight: float = 1.0
    per_snapshot: bool = False
    max_cells: int = 1 << 24

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"unknown devig method {self.method!r}; valid: {METHODS}")
        if self.sharp_weight <= 0 or self.retail_weight <= 0:
            raise ValueError("book weights must be positive")


DEFAULT_CONSENSUS = ConsensusConfig()


@dataclass(frozen=True)
class ConsensusResult:
    """The consensus per (group, outcome) plus per-board-row lookups for scoring.

    ``row_group`` maps each board row to its consensus group and ``row_side`` to its side
    (0 home/over, 1 away/under); the ``group_*`` arrays are indexed by group, and a group
    where no book quoted both sides has ``group_books`` 0 and a NaN fair probability.
    """

    consensus: pd.DataFrame
    unpaired: pd.DataFrame
    row_group: NDArray[np.int64] = field(repr=False)
    row_side: NDArray[np.int8] = field(repr=False)
    group_fair: NDArray[np.float64] = field(repr=False)
    group_weight: NDArray[np.float64] = field(repr=False)
    group_dispersion: NDArray[np.float64] = field(repr=False)
    group_books: NDArray[np.int64] = field(repr=False)

    def row_lookup(self) -> tuple[NDArray, NDArray, NDArray]:
        """(fair_prob, total_weight, dispersion) per board row; NaN where no consensus."""
        g = self.row_group
        fair0 = self.group_fair[g]
        fair = np.where(self.row_side == 0, fair0, 1.0 - fair0)
        ok = self.group_books[g] > 0
        weight = np.where(ok, self.group_weight[g], np.nan)
        dispersion = np.where(ok, self.group_dispersion[g], np.nan)
        return fair, weight, dispersion


def _book_weights(
    board: pd.DataFrame, book: NDArray, n_books: int, cfg: ConsensusConfig
) -> tuple[NDArray, NDArray]:
    """Weight and sharpness per book code, read from one row of each book (tier is per book).

    The first rows of a board almost always show every book, so they are searched first and
    the whole column only when some book is missing there.
    """
    some_row = np.full(n_books, -1, dtype=np.int64)
    for stop in (min(book.size, 1 << 16), book.size):
        some_row[book[:stop][::-1]] = np.arange(stop)[::-1]
        if some_row.min(initial=0) >= 0:
            break
    tiers = board["tier"].iloc[some_row].astype(str).str.lower().to_numpy()
    sharp = tiers == "sharp"
    return np.where(sharp, cfg.sharp_weight, cfg.retail_weight), sharp


def _weighted_median(fair: NDArray, weight: NDArray) -> NDArray:
    """Row-wise weighted median of a (group x book) matrix; NaN entries have weight 0."""
    order = np.argsort(fair, axis=1)
    f = np.take_along_axis(fair, order, axis=1)
    w = np.take_along_axis(weight, order, axis=1)
    cw = np.cumsum(w, axis=1)
    total = cw[:, -1]
    half = 0.5 * total
    idx = np.argmax(cw >= half[:, None] - _TIE_TOLERANCE * total[:, None], axis=1)
    rows = np.arange(fair.shape[0])
    value = f[rows, idx]
    nxt = np.minimum(idx + 1, fair.shape[1] - 1)
    tie = (np.abs(cw[rows, idx] - half) <= _TIE_TOLERANCE * total) & (nxt > idx)
    tie &= w[rows, nxt] > 0
    return np.where(tie, 0.5 * (value + f[rows, nxt]), value)


@dataclass(slots=True)
class _Groups:
    """Per-group outputs, filled block by block."""

    fair: NDArray
    total: NDArray
    dispersion: NDArray
    books: NDArray
    sharp: NDArray
    rep: NDArray

    @classmethod
    def empty(cls, n: int) -> _Groups:
        return cls(
            fair=np.full(n, np.nan),
            total=np.zeros(n),
            dispersion=np.full(n, np.nan),
            books=np.zeros(n, dtype=np.int64),
            sharp=np.zeros(n, dtype=np.int64),
            rep=np.zeros(n, dtype=np.int64),
        )


def _block(
    first: NDArray, second: NDArray, q: NDArray, weights: NDArray, sharp: NDArray,
    method: str, out: _Groups, at: slice,
) -> NDArray:  # fmt: skip
    """Devig and combine one block of (group x book) slots; return its one-sided rows."""
    has0, has1 = first >= 0, second >= 0
    paired = has0 & has1
    lonely = has0 ^ has1
    fair = np.full(first.shape, np.nan)
    if paired.any():
        fair[paired] = devig_two_way(q[first[paired]], q[second[paired]], method)[0]
    weight = np.where(paired, weights, 0.0)
    total = weight.sum(axis=1)
    filled = np.where(paired, fair, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (weight * filled).sum(axis=1) / total
        var = (weight * (filled - mean[:, None]) ** 2).sum(axis=1) / total
    out.fair[at] = _weighted_median(fair, weight)
    out.total[at] = total
    out.dispersion[at] = np.sqrt(np.maximum(var, 0.0))
    out.books[at] = paired.sum(axis=1)
    out.sharp[at] = (paired & sharp).sum(axis=1)
    out.rep[at] = np.maximum(first, second).max(axis=1)
    return np.where(has0, first, second)[lonely]


def _group_range(
    rows: NDArray, cell: NDArray, side: NDArray, q: NDArray, g0: int, g_count: int,
    weights: NDArray, sharp: NDArray, method: str, out: _Groups,
) -> list[NDArray]:  # fmt: skip
    """Consensus of groups [g0, g0 + g_count): one scatter into slots, then cache-sized blocks.

    Each side of each (group, book) cell gets one slot in a side-major array, so the two
    sides' row numbers come out as two contiguous (group x book) matrices.
    """
    n_books = weights.size
    cells = g_count * n_books
    slot = np.full(2 * cells, -1, dtype=rows.dtype)
    slot[side.astype(np.int64) * cells + cell] = rows
    if np.count_nonzero(slot >= 0) != rows.size:
        raise ValueError(
            "a (game, book, market, outcome, point) key appears more than once in one "
            "consensus group; pass one price per key (see boards.latest_board)"
        )
    first = slot[:cells].reshape(g_count, n_books)
    second = slot[cells:].reshape(g_count, n_books)
    step = max(1, _BLOCK_CELLS // n_books)
    lonely = []
    for b0 in range(0, g_count, step):
        b1 = min(g_count, b0 + step)
        at = slice(g0 + b0, g0 + b1)
        lonely.append(_block(first[b0:b1], second[b0:b1], q, weights, sharp, method, out, at))
    return lonely


def market_consensus(
    board: pd.DataFrame, config: ConsensusConfig = DEFAULT_CONSENSUS
) -> ConsensusResult:
    """Devig every two-way market at every book and take the weighted-median consensus.

    ``board``: game_id, book_id, market, outcome, point, price_decimal, tier (and
    snapshot_time when ``per_snapshot``). ``consensus`` has one row per (game, market,
    outcome, point[, snapshot_time]) with at least one paired book: fair_prob, n_books,
    n_sharp, total_weight, dispersion (weighted sd of the books' fair probabilities).
    """
    require_columns(board, BOARD_COLUMNS, "odds board")
    n = len(board)
    market = category_codes(board["market"], MARKETS, "market")
    outcome = category_codes(board["outcome"], OUTCOMES, "outcome")
    if np.any((market == 2) != (outcome >= 2)):
        raise ValueError("totals must have over/under outcomes and other markets home/away")
    side = outcome & 1
    line, per_point = grid_units(board["point"].to_numpy(dtype=np.float64))
    np.negative(line, out=line, where=(market == 1) & (side == 1))
    line[market == 0] = 0

    parts = [dense_codes(board["game_id"].to_numpy(dtype=np.int64))]
    stamps = None
    if config.per_snapshot:
        require_columns(board, ("snapshot_time",), "odds board")
        stamps = pd.DatetimeIndex(pd.to_datetime(board["snapshot_time"], utc=True))
        parts.append(snapshot_codes(stamps))
    parts.append((market, 3))
    owner, n_owners = combine_codes(parts)
    group, n_groups = line_codes(owner, n_owners, line)
    book, n_books = dense_codes(board["book_id"].to_numpy(dtype=np.int64))
    weights, sharp = _book_weights(board, book, n_books, config)
    price = board["price_decimal"].to_numpy(dtype=np.float64)
    if n and not (price.min() > 1.0 and price.max() < np.inf):
        raise ValueError("price_decimal must be finite and > 1")
    q = 1.0 / price

    out = _Groups.empty(n_groups)
    lonely: list[NDArray] = []
    index_type = np.int32 if n < 2**31 else np.int64
    step = max(1, config.max_cells // max(n_books, 1))
    for g0 in range(0, n_groups, step):
        g_count = min(step, n_groups - g0)
        if g_count == n_groups:
            rows = np.arange(n, dtype=index_type)
            cell, row_side = pack(group, n_books, book), side
        else:
            rows = np.flatnonzero((group >= g0) & (group < g0 + g_count)).astype(index_type)
            cell, row_side = pack(group[rows] - g0, n_books, book[rows]), side[rows]
        lonely += _group_range(
            rows, cell, row_side, q, g0, g_count, weights, sharp, config.method, out
        )

    one_sided = np.sort(np.concatenate(lonely)) if lonely else np.zeros(0, dtype=np.int64)
    unpaired = board.iloc[one_sided].assign(reason="one_sided").reset_index(drop=True)
    return ConsensusResult(
        consensus=_consensus_frame(board, market, line / per_point, out, stamps, config),
        unpaired=unpaired,
        row_group=group.astype(np.int64),
        row_side=side.astype(np.int8),
        group_fair=out.fair,
        group_weight=out.total,
        group_dispersion=out.dispersion,
        group_books=out.books,
    )


def _consensus_frame(
    board: pd.DataFrame, market: NDArray, point: NDArray, out: _Groups,
    stamps: pd.DatetimeIndex | None, config: ConsensusConfig,
) -> pd.DataFrame:  # fmt: skip
    """Two rows (both outcomes) per group that has at least one paired book."""
    keep = np.flatnonzero(out.books > 0)
    rep = out.rep[keep]
    m = market[rep].astype(np.int64)
    base_line = point[rep]
    frames = []
    for s in (0, 1):
        frame = pd.DataFrame(
            {
                "game_id": board["game_id"].to_numpy()[rep],
                "market": pd.Categorical.from_codes(m, categories=list(MARKETS)),
                "outcome": pd.Categorical.from_codes(
                    np.where(m == 2, 2 + s, s), categories=list(OUTCOMES)
                ),
                "point": np.where((m == 1) & (s == 1), -base_line, base_line) + 0.0,
            }
        )
        if stamps is not None:
            frame["snapshot_time"] = stamps[rep]
        fair = out.fair[keep]
        frame["fair_prob"] = fair if s == 0 else 1.0 - fair
        frame["n_books"] = out.books[keep]
        frame["n_sharp"] = out.sharp[keep]
        frame["total_weight"] = out.total[keep]
        frame["dispersion"] = out.dispersion[keep]
        frame["method"] = config.method
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
