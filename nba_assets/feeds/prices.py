"""Both price formats for a feed row, with the one the provider gave kept as given.

The arithmetic lives in ``nba_assets.core.odds``; this module adds the feed-side rules: which
format a body is in is a request parameter (the body does not say), and a value that cannot
be a price in that format, or cannot be stored, is rejected rather than converted.
"""

from __future__ import annotations

import math
from typing import Literal

from nba_assets.core.odds import american_to_decimal, decimal_to_american

PriceFormat = Literal["decimal", "american"]

# ``odds_snapshots.price_decimal`` is numeric(10, 4): four places, and a price this long is
# junk rather than a longshot.
DECIMAL_PLACES = 4
MAX_DECIMAL = 10_000.0


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
