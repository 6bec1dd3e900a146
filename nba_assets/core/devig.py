"""Removing the bookmaker's margin: from quoted prices to fair outcome probabilities.

Implied probabilities (1/decimal) sum to more than 1 because the book builds in a margin, and
how that margin is spread over the outcomes is a modelling assumption, not a fact. Each method
here is one such assumption; all of them return probabilities that sum to 1, handle any n >= 2
outcomes, and coincide when the market has no margin:

* ``multiplicative`` (proportional, "basic normalisation"): p_i = q_i / sum(q). Margin is
  proportional to the implied probability. The common industry baseline; parameter: overround.
* ``additive``: p_i = q_i - (sum(q) - 1) / n, the same absolute margin on every outcome.
  On long shots in n-way markets this can go negative; such outcomes are clipped to
  ``ADDITIVE_FLOOR`` and the result renormalised. Parameter: margin per outcome (pre-clip).
* ``power``: p_i = q_i ** k with k solved so the p_i sum to 1. Long shots lose proportionally
  more margin than favourites. Parameter: k.
* ``shin``: Shin's (1992, 1993) model of a book facing a fraction z of insider money,
  p_i = (sqrt(z^2 + 4 (1 - z) q_i^2 / sum(q)) - z) / (2 (1 - z)) with z solved so the p_i sum
  to 1 (closed form for two outcomes, numeric otherwise). Parameter: z. For two outcomes Shin
  is algebraically identical to ``additive`` (Clarke, Kovalchik & Ingram 2017, and checked
  in the tests); they differ from three outcomes on.
* ``worst_case``: see :func:`worst_case_floors` and the note below.

The default is ``shin``. Margin is not spread evenly in practice: the favourite-longshot bias
means long shots are overpriced, so the true long-shot probability is *below* its proportional
share, and multiplicative, which ignores this, systematically flatters long shots. Shin derives
the skew from a model of why books shade prices (to protect against informed bettors) rather
than assuming a functional form, and Štrumbelj (2014) found its probabilities better calibrated
than normalisation across sports. Power is a close alternative (preferred by Clarke et al.
2017); multiplicative stays available as the baseline everyone else quotes.

Worst case. Value betting asks, for one outcome, "is this price good even under the least
favourable reading of the market?", i.e. the *lowest* fair probability any method gives that
outcome (its floor). Floors cannot form a distribution: they sum to less than 1 whenever the
methods disagree, because lowering one outcome's probability raises another's. So
``worst_case`` returns the floors scaled up by the smallest common factor that makes them sum
to 1: p_i = floor_i / sum(floors). That is the unique distribution minimising the largest
relative excess over the floors, which is the relative error it can add to any bet's expected
value (EV = p * price - 1 scales with p). The parameter reports that bound,
1 / sum(floors) - 1: no outcome's probability exceeds its most pessimistic reading by more
than this fraction. For a single bet's go/no-go decision use :func:`worst_case_floors`
directly; use ``worst_case`` when you need a whole conservative distribution. The simpler
rule "use whichever method gives the favourite least" was rejected: with any margin on a
two-way market that is always multiplicative, so it would only alias the baseline and protect
bets on favourites while being the *most* generous reading for long shots, where the
favourite-longshot bias makes false value most common. A long shot that additive clips gets
a floor near ``ADDITIVE_FLOOR``: if one reading of the market prices it as worthless, the
worst case does not argue otherwise.

Books whose implied probabilities sum to less than 1 (best prices taken across several books)
are accepted by every method; margin is then added rather than removed, and Shin's z is
negative, a mathematical extension of the insider model rather than an insider share.

The scalar :func:`devig` and the vectorised :func:`devig_two_way` run the same column-wise
code, one array per outcome, so they cannot drift apart and a frame never has to be stacked.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce

import numpy as np
from numpy.typing import ArrayLike, NDArray

from nba_assets.core.odds import implied_probability

FloatArray = NDArray[np.float64]
Columns = list[FloatArray]
_Method = Callable[[Columns, FloatArray], tuple[Columns, FloatArray]]

DEFAULT_METHOD = "shin"

# Additive clipping target. Small enough not to distort any realistic price (a 1e-12 chance
# is a decimal price of 1e12), large enough that logs and ratios downstream stay finite.
ADDITIVE_FLOOR = 1e-12

# Newton on the power exponent converges monotonically and quadratically (see _power); the
# cap only bounds the cost of pathological rows. |sum - 1| below this means every
# probability is within the same distance of its converged value.
_NEWTON_MAX_ITER = 100
_NEWTON_TOLERANCE = 1e-14
# Bisection on Shin's z over a unit-width bracket reaches double precision in ~53 halvings;
# the cap only matters for NaN rows, which never narrow.
_BISECT_MAX_ITER = 64


@dataclass(frozen=True, slots=True)
class DevigResult:
    """Fair probabilities of one market plus what was needed to reproduce them.

    ``parameter`` is kept because it is the interpretable quantity behind each method (Shin's
    insider share z, the power exponent k, ...) and is what analyses track across books.
    """

    probabilities: tuple[float, ...]
    method: str
    parameter: float
    overround: float


def _total(columns: Columns) -> FloatArray:
    return reduce(np.add, columns)


def _normalise(columns: Columns) -> Columns:
    total = _total(columns)
    return [column / total for column in columns]


def _multiplicative(q: Columns, total: FloatArray) -> tuple[Columns, FloatArray]:
    return [column / total for column in q], total


def _additive(q: Columns, total: FloatArray) -> tuple[Columns, FloatArray]:
    margin = (total - 1.0) / len(q)
    return _normalise([np.maximum(column - margin, ADDITIVE_FLOOR) for column in q]), margin


def _power(q: Columns, total: FloatArray) -> tuple[Columns, FloatArray]:
    """Newton on f(k) = sum(q_i^k) - 1, which is convex and decreasing in k.

    On such a function every Newton iterate after the first lands at or left of the root and
    then climbs to it monotonically, so no bracketing is needed. The root is always positive
    (f(0) = n - 1 > 0); the only excursion is a first step past zero when the market has
    negative margin (f(1) < 0), so such steps halve k instead until it is left of the root.
    """
    logs = [np.log(column) for column in q]
    k = np.ones_like(total)
    for _ in range(_NEWTON_MAX_ITER):
        powered = [np.exp(k * log) for log in logs]
        excess = _total(powered) - 1.0
        if not np.any(np.abs(excess) > _NEWTON_TOLERANCE):
            break
        slope = reduce(np.add, [p * log for p, log in zip(powered, logs, strict=True)])
        proposal = k - excess / slope
        k = np.where(proposal <= 0.0, 0.5 * k, proposal)
    return _normalise([np.exp(k * log) for log in logs]), k


def _shin_probabilities(q: Columns, total: FloatArray, z: FloatArray) -> Columns:
    """Shin's p_i(z), in the form that avoids cancellation for the sign of z.

    For z >= 0 the textbook numerator sqrt(z^2 + x) - z cancels catastrophically on long
    shots, so it is rationalised to 2 q_i^2 / sum(q) / (sqrt(z^2 + x) + z).
    """
    result = []
    with np.errstate(divide="ignore", invalid="ignore"):
        for column in q:
            ratio = column * column / total
            root = np.sqrt(z * z + 4.0 * (1.0 - z) * ratio)
            stable = 2.0 * ratio / (root + z)
            textbook = (root - z) / (2.0 * (1.0 - z))
            result.append(np.where(z >= 0.0, stable, textbook))
    return result


def _shin_two_way_z(q1: FloatArray, q2: FloatArray, total: FloatArray) -> FloatArray:
    """Closed form from summing the two p_i(z) to 1 and solving the resulting quadratic."""
    spread = (q1 - q2) ** 2
    return (total - 1.0) * (total - spread) / (total * (1.0 - spread))


def _shin_z_bisect(q: Columns, total: FloatArray) -> FloatArray:
    """Root of sum(p_i(z)) = 1 by bisection, for markets with three or more outcomes.

    With margin the root lies in [0, 1): the sum is sqrt(total) >= 1 at z = 0 and
    sum(q_i^2) / total < 1 at z = 1. Without margin (arbitrage across books) z is negative,
    a mathematical extension of the model, and lies in (-1, 0): at z = -1 every p_i is
    (sqrt(1 + 8 q_i^2 / total) + 1) / 4 > 1/2, so the sum already exceeds 1.
    """

    def excess(z: FloatArray) -> FloatArray:
        return _total(_shin_probabilities(q, total, z)) - 1.0

    negative = total < 1.0
    lo = np.where(negative, -1.0, 0.0)
    hi = np.where(negative, 0.0, 1.0)
    for _ in range(_BISECT_MAX_ITER):
        mid = 0.5 * (lo + hi)
        right = excess(mid) > 0.0
        lo = np.where(right, mid, lo)
        hi = np.where(right, hi, mid)
        if not np.any(hi - lo > 4.0 * np.finfo(np.float64).eps):
            break
    return 0.5 * (lo + hi)


def _shin(q: Columns, total: FloatArray) -> tuple[Columns, FloatArray]:
    z = _shin_two_way_z(q[0], q[1], total) if len(q) == 2 else _shin_z_bisect(q, total)
    return _normalise(_shin_probabilities(q, total, z)), z


_CANDIDATES: tuple[_Method, ...] = (_multiplicative, _additive, _power, _shin)


def _floors(q: Columns, total: FloatArray) -> Columns:
    candidates = [method(q, total)[0] for method in _CANDIDATES]
    return [reduce(np.minimum, [candidate[i] for candidate in candidates]) for i in range(len(q))]


def _worst_case(q: Columns, total: FloatArray) -> tuple[Columns, FloatArray]:
    floors = _floors(q, total)
    mass = _total(floors)
    return [floor / mass for floor in floors], 1.0 / mass - 1.0


_DISPATCH: dict[str, _Method] = {
    "multiplicative": _multiplicative,
    "additive": _additive,
    "power": _power,
    "shin": _shin,
    "worst_case": _worst_case,
}
METHODS: tuple[str, ...] = tuple(_DISPATCH)


def _resolve(method: str) -> _Method:
    try:
        return _DISPATCH[method]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown devig method {method!r}; valid methods are {', '.join(METHODS)}"
        ) from None


def _market_columns(decimals: Sequence[float]) -> Columns:
    prices = list(decimals)
    if len(prices) < 2:
        raise ValueError(f"a market needs at least 2 outcomes to devig, got {prices!r}")
    return [np.array([implied_probability(price)]) for price in prices]


def devig(decimals: Sequence[float], method: str = DEFAULT_METHOD) -> DevigResult:
    """Fair probabilities of one market's outcomes, in the order the prices were given."""
    solve = _resolve(method)
    q = _market_columns(decimals)
    total = _total(q)
    probabilities, parameter = solve(q, total)
    return DevigResult(
        probabilities=tuple(float(p[0]) for p in probabilities),
        method=method,
        parameter=float(parameter[0]),
        overround=float(total[0]),
    )


def worst_case_floors(decimals: Sequence[float]) -> tuple[float, ...]:
    """Each outcome's lowest fair probability over the four modelling methods.

    Deliberately *not* a distribution (it sums to at most 1): it answers the per-bet question
    "does this price still have value if the least favourable method is right?".
    """
    q = _market_columns(decimals)
    return tuple(float(floor[0]) for floor in _floors(q, _total(q)))


def _implied_column(values: ArrayLike, name: str, allow_nan: bool) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    # Two reductions instead of a boolean mask, which would cost as much as the devig itself.
    if not allow_nan and array.size and array.min() > 0.0 and array.max() < 1.0:
        return array
    valid = (array > 0.0) & (array < 1.0)
    if allow_nan:
        valid |= np.isnan(array)
    if not valid.all():
        bad = np.flatnonzero(~valid)
        first = int(bad[0])
        raise ValueError(
            f"{name} must be implied probabilities in (0, 1), got {float(array.flat[first])!r} "
            f"at flat index {first} ({bad.size} invalid value(s) in total)"
        )
    return array


def devig_two_way(
    p1_implied: ArrayLike,
    p2_implied: ArrayLike,
    method: str = DEFAULT_METHOD,
    *,
    allow_nan: bool = False,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Vectorised :func:`devig` for two-outcome markets: (fair1, fair2, parameter) per row.

    Takes implied probabilities rather than prices because frames already carry them and the
    reciprocal would otherwise be computed twice. Loops run over solver iterations only,
    never over rows. ``allow_nan`` passes rows with a missing side through as NaN.
    """
    solve = _resolve(method)
    q1 = _implied_column(p1_implied, "p1_implied", allow_nan)
    q2 = _implied_column(p2_implied, "p2_implied", allow_nan)
    if q1.shape != q2.shape:
        raise ValueError(f"p1_implied and p2_implied shapes differ: {q1.shape} vs {q2.shape}")
    total = q1 + q2
    (fair1, fair2), parameter = solve([q1, q2], total)
    return fair1, fair2, np.asarray(parameter, dtype=np.float64)
