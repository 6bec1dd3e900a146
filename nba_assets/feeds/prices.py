"""Both price formats for a feed row, with the one the provider gave kept as given.

The arithmetic lives in ``nba_assets.core.odds``; this module adds the feed-side rules: which
format a body is in is a request parameter (the body does not say), and a value that cannot
be a price in that format, or cannot be stored, is rejected rather than converted.

``both_prices`` is the rule for one price. Normalisers converting many prices test each one
with the cheap ``plainly_valid`` as they read it (asking ``both_prices`` only when that test
is inconclusive, so a bad price is rejected in place with the same message) and convert the
whole batch at once with ``both_prices_array``, which gives exactly ``both_prices``'s values.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from nba_assets.core.odds import (
    american_to_decimal,
    american_to_decimal_array,
    decimal_to_american,
    decimal_to_american_array,
)

PriceFormat = Literal["decimal", "american"]

# ``odds_snapshots.price_decimal`` is numeric(10, 4): four places, and a price this long is
# junk rather than a longshot.
DECIMAL_PLACES = 4
MAX_DECIMAL = 10_000.0

# Within these bounds a price needs no rounding to decide it: a decimal of at least 1.0001
# rounds to more than 1, and an American whole number in these ranges converts to a decimal
# in [1.0001, 10000].
_MIN_PLAIN_DECIMAL = 1.0001
_MAX_PLAIN_AMERICAN = (MAX_DECIMAL - 1.0) * 100.0
_MIN_PLAIN_AMERICAN = -100.0 / (_MIN_PLAIN_DECIMAL - 1.0)


def both_prices(price: float, given: PriceFormat) -> tuple[float, int]:
    """(decimal, american) for a price in the ``given`` format.

    Raises ValueError when the value cannot be a price in that format, which usually means
    the request's ``oddsFormat`` and the normaliser's ``price_format`` disagree.
    """
    if not math.isfinite(price):
        raise ValueError(f"price {price} is not finite")
    if given == "decimal":
        if not 1.0 < round(price, DECIMAL_PLACES) <= MAX_DECIMAL:
            raise ValueError(f"decimal price {price} is not in (1, {MAX_DECIMAL:g}]")
        return price, decimal_to_american(price)
    if given == "american":
        if price != round(price) or abs(price) < 100:
            raise ValueError(f"american price {price} is not a whole number beyond +/-100")
        decimal = american_to_decimal(price, places=DECIMAL_PLACES)
        if not 1.0 < decimal <= MAX_DECIMAL:
            raise ValueError(f"american price {price} is beyond the stored range")
        return decimal, int(price)
    raise ValueError(f"unknown price format {given!r}")


def plainly_valid(price: float, given: PriceFormat) -> bool:
    """True only when ``both_prices`` certainly accepts ``price`` (a float): a cheap test.

    False means "ask ``both_prices``": the price may still be valid, just near a bound.
    """
    if given == "decimal":
        return _MIN_PLAIN_DECIMAL <= price <= MAX_DECIMAL
    if given == "american":
        return (
            100.0 <= price <= _MAX_PLAIN_AMERICAN or _MIN_PLAIN_AMERICAN <= price <= -100.0
        ) and price == math.floor(price)
    return False


def _plain_mask(values: NDArray[np.float64], given: PriceFormat) -> NDArray[np.bool_]:
    if given == "decimal":
        return (values >= _MIN_PLAIN_DECIMAL) & (values <= MAX_DECIMAL)
    if given == "american":
        in_range = ((values >= 100.0) & (values <= _MAX_PLAIN_AMERICAN)) | (
            (values >= _MIN_PLAIN_AMERICAN) & (values <= -100.0)
        )
        return in_range & (values == np.floor(values))
    return np.zeros(values.shape, dtype=bool)


def both_prices_array(
    prices: Sequence[float] | NDArray[np.float64], given: PriceFormat
) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """``both_prices`` over a whole batch: (decimal, american) arrays with the same values.

    A value the vectorised test cannot settle goes through ``both_prices`` itself, so an
    invalid price raises the same ValueError (the first one in order).
    """
    values = np.asarray(prices, dtype=np.float64)
    plain = _plain_mask(values, given)
    decimal = np.empty(values.shape, dtype=np.float64)
    american = np.empty(values.shape, dtype=np.int64)
    if given == "decimal":
        decimal[plain] = values[plain]
        american[plain] = decimal_to_american_array(values[plain]).astype(np.int64)
    elif given == "american":
        decimal[plain] = american_to_decimal_array(values[plain], places=DECIMAL_PLACES)
        american[plain] = values[plain].astype(np.int64)
    for i in np.flatnonzero(~plain).tolist():
        decimal[i], american[i] = both_prices(float(values[i]), given)
    return decimal, american
