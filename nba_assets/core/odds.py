"""Price conventions: American, decimal and fractional odds, and the book's margin.

Every feed quotes prices in its own convention, and the warehouse stores decimal odds because
they are the only form where implied probability is a plain reciprocal and payout is a plain
product. The conversions here are the single place where conventions meet, so they are strict:
an invalid price (decimal <= 1, |american| < 100, NaN or infinity) raises ``ValueError`` naming
the value rather than silently producing a probability outside (0, 1).

Rounding rules, fixed here so that every asset rounds the same way:

* American prices are integers. Conversions *to* American round half away from zero (so
  decimal 1.32, exactly -312.5, quotes as -313). Floating-point noise must not decide a tie,
  so a value within one part in 1e9 of a half is treated as that half.
* Decimal prices are returned as the exact float by default; pass ``places`` to round (half
  away from zero, same tie tolerance) when a display or a feed contract wants, say, 4 places.
* Fractional odds are exact ``Fraction`` values. A float decimal price is read as the decimal
  number it prints as (``2.2`` is 6/5, not the binary approximation of 1.2).
* +100 and -100 are the same price (even money, decimal 2.0); conversions emit +100.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from fractions import Fraction
from numbers import Rational, Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Relative distance from a half below which a value counts as the half when rounding. Exact
# conversions put American prices no further than ~1e-12 relative from their true value for
# any |american| <= 1e6, while genuinely non-tied quotes are at least 1e-7 relative away.
_TIE_TOLERANCE = 1e-9


def _round_half_away(value: float) -> float:
    magnitude = abs(value)
    return math.copysign(math.floor(magnitude + 0.5 + magnitude * _TIE_TOLERANCE), value)


def _round_half_away_array(values: NDArray[np.float64]) -> NDArray[np.float64]:
    magnitude = np.abs(values)
    return np.copysign(np.floor(magnitude + 0.5 + magnitude * _TIE_TOLERANCE), values)


def _real(value: object, what: str) -> float:
    if type(value) is float:  # the common case, without the ABC check
        return value
    if not isinstance(value, Real):
        raise TypeError(f"{what} must be a real number, got {value!r}")
    return float(value)


def _check_decimal(decimal: object) -> float:
    value = _real(decimal, "decimal odds")
    if not (1.0 < value < math.inf):
        raise ValueError(f"decimal odds must be finite and > 1, got {decimal!r}")
    return value


def _check_american(american: object) -> float:
    value = _real(american, "american odds")
    if not (100.0 <= abs(value) < math.inf):
        raise ValueError(f"american odds must be finite with |american| >= 100, got {american!r}")
    return value


def _exact(value: float) -> Fraction:
    """Read a float as the decimal literal it prints as: that is what the bookmaker quoted."""
    return Fraction(repr(value))


def _check_fractional(fractional: Fraction | Rational | str) -> Fraction:
    if isinstance(fractional, bool) or not isinstance(fractional, Rational | str):
        raise TypeError(
            f"fractional odds must be a Fraction, int or 'n/d' string, got {fractional!r}"
        )
    try:
        value = Fraction(fractional)
    except (ValueError, ZeroDivisionError) as exc:
        raise ValueError(f"fractional odds must look like 'n/d', got {str(fractional)!r}") from exc
    if value <= 0:
        raise ValueError(f"fractional odds must be > 0, got {str(fractional)!r}")
    return value


def american_to_decimal(american: float, *, places: int | None = None) -> float:
    """Decimal price of an American quote; ``places`` rounds only when a consumer needs it.

    Kept unrounded by default because a rounded decimal no longer round-trips to the American
    integer it came from: -15000 is 1.0066666..., and 1.0067 converts back to -14925.
    """
    value = _check_american(american)
    decimal = 1.0 + value / 100.0 if value > 0 else 1.0 - 100.0 / value
    if places is None:
        return decimal
    scale = 10.0**places
    return _round_half_away(decimal * scale) / scale


def decimal_to_american(decimal: float) -> int:
    """Nearest integer American quote; ties round away from zero (see the module docstring)."""
    value = _check_decimal(decimal)
    american = (value - 1.0) * 100.0 if value >= 2.0 else -100.0 / (value - 1.0)
    return int(_round_half_away(american))


def american_to_fractional(american: float) -> Fraction:
    """Exact fractional odds (profit per unit staked): +150 is 3/2, -110 is 10/11."""
    value = _exact(_check_american(american))
    return value / 100 if value > 0 else Fraction(100) / -value


def fractional_to_american(fractional: Fraction | Rational | str) -> int:
    """American quote computed in exact arithmetic, so 10/11 gives -110 with no float error."""
    value = _check_fractional(fractional)
    american = value * 100 if value >= 1 else -100 / value
    magnitude = math.floor(abs(american) + Fraction(1, 2))
    return magnitude if american > 0 else -magnitude


def decimal_to_fractional(decimal: float, *, max_denominator: int | None = None) -> Fraction:
    """Exact fractional odds of a decimal quote, optionally snapped to a readable fraction.

    ``max_denominator`` exists because decimals derived from American prices are repeating
    (1.9090909090909092); ``max_denominator=100`` recovers the 10/11 a trader would write.
    """
    value = _exact(_check_decimal(decimal)) - 1
    if max_denominator is None:
        return value
    if max_denominator < 1:
        raise ValueError(f"max_denominator must be >= 1, got {max_denominator!r}")
    return value.limit_denominator(max_denominator)


def fractional_to_decimal(
    fractional: Fraction | Rational | str, *, places: int | None = None
) -> float:
    """Decimal price of fractional odds; exact up to the final float rounding."""
    decimal = float(1 + _check_fractional(fractional))
    if places is None:
        return decimal
    scale = 10.0**places
    return _round_half_away(decimal * scale) / scale


def implied_probability(decimal: float) -> float:
    """Probability at which the quoted price is a fair bet, margin included."""
    return 1.0 / _check_decimal(decimal)


def overround(decimals: Iterable[float]) -> float:
    """Sum of implied probabilities over a market's outcomes (1.0 means no margin).

    ``math.fsum`` keeps the sum correctly rounded, so a margin-free market reads as exactly 1
    instead of 0.9999999999999999, which matters to callers comparing against 1.
    """
    probabilities = [implied_probability(decimal) for decimal in decimals]
    if not probabilities:
        raise ValueError("overround needs at least one price, got none")
    return math.fsum(probabilities)


def hold(decimals: Iterable[float]) -> float:
    """The book's theoretical margin: its share of total stakes if action is balanced.

    This is 1 - 1/overround rather than overround - 1 because stakes, not probabilities, are
    what the book keeps: a -110/-110 market has overround 1.0476 but holds 4.545%.
    """
    return 1.0 - 1.0 / overround(decimals)


def _raise_first_invalid(values: NDArray[np.float64], valid: NDArray[np.bool_], rule: str) -> None:
    bad = np.flatnonzero(~valid)
    if bad.size:
        first = int(bad[0])
        raise ValueError(
            f"{rule}, got {float(values.flat[first])!r} at flat index {first} "
            f"({bad.size} invalid value(s) in total)"
        )


def american_to_decimal_array(
    american: ArrayLike, *, allow_nan: bool = False, places: int | None = None
) -> NDArray[np.float64]:
    """Vectorised :func:`american_to_decimal` for whole price columns.

    ``allow_nan`` lets a missing quote stay missing (NaN in, NaN out) so a frame with gaps
    does not have to be split and re-joined; every other invalid value still raises.
    ``places`` rounds as the scalar function does. Results are bit-identical to it.
    """
    values = np.asarray(american, dtype=np.float64)
    magnitude = np.abs(values)
    valid = (magnitude >= 100.0) & (magnitude < np.inf)
    if allow_nan:
        valid |= np.isnan(values)
    _raise_first_invalid(values, valid, "american odds must be finite with |american| >= 100")
    with np.errstate(divide="ignore", invalid="ignore"):
        decimal = np.where(values > 0, 1.0 + values / 100.0, 1.0 - 100.0 / values)
    if places is None:
        return decimal
    scale = 10.0**places
    return _round_half_away_array(decimal * scale) / scale


def decimal_to_american_array(
    decimal: ArrayLike, *, allow_nan: bool = False
) -> NDArray[np.float64]:
    """Vectorised :func:`decimal_to_american`, same rounding, same results.

    Returns float64 holding integral values rather than int64 because a missing quote
    (``allow_nan``) has to stay representable and pandas columns stay float anyway.
    """
    values = np.asarray(decimal, dtype=np.float64)
    valid = (values > 1.0) & (values < np.inf)
    if allow_nan:
        valid |= np.isnan(values)
    _raise_first_invalid(values, valid, "decimal odds must be finite and > 1")
    with np.errstate(divide="ignore", invalid="ignore"):
        american = np.where(values >= 2.0, (values - 1.0) * 100.0, -100.0 / (values - 1.0))
    return _round_half_away_array(american)
