"""Integer keys for large frames: dense codes by lookup table, mixed-radix packing.

Grouping ten million odds rows by (game, snapshot, market, line, book) with pandas means
hashing tuples; here every component becomes a small integer code and composite keys are
packed into one int64, densified through a lookup table (a scatter, a cumulative sum and a
gather) whenever the key's span is within a few times the row count. A hash factorisation
is only the fallback for sparse spans.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from numpy.typing import NDArray

# Lookup tables are used while a key's span is at most this many times the row count (plus
# a constant), so memory stays proportional to the input.
_LUT_SPAN_PER_ROW = 6
_LUT_SPAN_FLOOR = 1 << 22


def category_codes(values: pd.Series, categories: tuple[str, ...], what: str) -> NDArray:
    """Integer codes of a string column in ``categories`` order; unknown values raise.

    A categorical column is recoded through its (few) categories, which is what makes a
    10-million-row board cheap; plain strings are hashed once.
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        raw, seen = values.cat.codes.to_numpy(), values.cat.categories.astype(str)
    else:
        raw, seen = pd.factorize(values)
    remap = np.append(pd.Index(categories).get_indexer(pd.Index(seen).astype(str)), -1)
    codes = remap.astype(np.int8)[raw]
    if codes.size and codes.min() < 0:
        bad = sorted(set(values[codes < 0].astype(str)))[:5]
        raise ValueError(f"{what} has values outside {categories}: {bad}")
    return codes


def dense_codes(values: NDArray[np.integer]) -> tuple[NDArray[np.integer], int]:
    """Codes 0..k-1 of an integer array (same value, same code, in value order) and k.

    With a small span: mark the values present in a boolean table, number the marked slots
    and read every value's number back. Only touched pages of the table are ever faulted
    in, so even a span of tens of millions costs little more than the scatter and gather.
    Codes are int32 whenever they fit, halving the memory traffic of everything after.
    """
    n = values.size
    if n == 0:
        return np.zeros(0, dtype=np.int32), 0
    lo, hi = int(values.min()), int(values.max())
    span = hi - lo + 1
    if span <= lut_limit(n):
        shifted = values - lo if lo else values
        present = np.zeros(span, dtype=bool)
        present[shifted] = True
        uniques = np.flatnonzero(present)
        lut = np.empty(span, dtype=np.int32 if uniques.size < 2**31 else np.int64)
        lut[uniques] = np.arange(uniques.size, dtype=lut.dtype)
        return lut[shifted], int(uniques.size)
    codes, uniques = pd.factorize(values, sort=True)
    return codes, len(uniques)


def lut_limit(n: int) -> int:
    return _LUT_SPAN_PER_ROW * n + _LUT_SPAN_FLOOR


def pack(key: NDArray[np.integer], radix: int, codes: NDArray[np.integer]) -> NDArray[np.int64]:
    """``key * radix + codes`` computed in int64 whatever the input widths."""
    packed = np.multiply(key, radix, dtype=np.int64)
    packed += codes
    return packed


def combine_codes(parts: list[tuple[NDArray[np.integer], int]]) -> tuple[NDArray, int]:
    """Codes of the tuple of several codes: a mixed-radix key below a returned bound.

    The key is re-densified only when packing the next part would outgrow a lookup table,
    so each step is at most one scatter and one gather rather than a hash. The result is
    not necessarily dense, only bounded (< the returned size, itself within a table's reach).
    """
    key, size = parts[0]
    limit = lut_limit(key.size)
    for codes, radix in parts[1:]:
        if size * radix > limit:
            key, size = dense_codes(key)
        key = pack(key, radix, codes)
        size = size * radix
    if size > limit:
        key, size = dense_codes(key)
    return key, size


def grid_units(point: NDArray[np.float64]) -> tuple[NDArray[np.int64], int]:
    """Points as integers: half points when every value is on the half-point grid, else tenths.

    US books quote spreads and totals in half points; the warehouse allows tenths.
    """
    doubled = point * 2.0
    units = np.rint(doubled)
    if np.array_equal(units, doubled):
        return units.astype(np.int64), 2
    return np.rint(point * 10.0).astype(np.int64), 10


def line_codes(
    owner: NDArray[np.integer], n_owners: int, line: NDArray[np.int64]
) -> tuple[NDArray, int]:
    """Dense codes of (owner, line) where each owner has only a few nearby lines.

    Lines are taken relative to their owner's lowest line, which keeps the packed span small
    enough for a lookup table even though a season's lines span hundreds of points.
    """
    if line.size == 0:
        return np.zeros(0, dtype=np.int32), 0
    low = np.full(n_owners, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(low, owner, line)
    rel = line - low[owner]
    radix = int(rel.max()) + 1
    if radix == 1:
        return dense_codes(owner)
    return dense_codes(pack(owner, radix, rel))


def snapshot_codes(stamps: pd.DatetimeIndex) -> tuple[NDArray, int]:
    """Dense codes of snapshot instants, via whole seconds when they allow a lookup table."""
    ticks = np.asarray(stamps.asi8, dtype=np.int64)
    per_second = int(pd.Timedelta(seconds=1) / pd.Timedelta(1, unit=stamps.unit))
    if per_second > 1 and ticks.size:
        ticks = ticks - ticks.min()
        seconds = ticks // per_second
        if np.array_equal(seconds * per_second, ticks):
            ticks = seconds
    return dense_codes(ticks)
