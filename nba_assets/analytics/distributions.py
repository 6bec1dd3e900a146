"""The normal model of margins and totals that model_edge, value and grading all share.

A game's home margin D and total T are integers; the model treats each as a normal variable
rounded to the nearest integer, which is what gives integer lines their push probability:
P(D == k) is the normal mass in [k - 0.5, k + 0.5). Every spread and total bet is written as
"wins when ``sign * Y > threshold``" for Y the margin or the total:

=================  ======  ===========
bet                 sign   threshold
=================  ======  ===========
spread home at x     +1       -x
spread away at x     -1       -x
over t               +1        t
under t              -1       -t
=================  ======  ===========

so one function prices all four, and a grading rule can never disagree with the pricing
rule. Moneylines have no push (overtime decides), so P(home win) is Φ(mean / sigma).

Probabilities "conditional on no push" (p_win / (p_win + p_loss)) are the ones the value
layer uses: a push refunds the stake, so that is the probability a two-way market prices and
the one whose Kelly fraction is exact (see :mod:`nba_assets.analytics.value`).

The normal CDF uses ``math.erfc`` elementwise rather than a polynomial approximation: the
arrays here are per game or per bet (thousands, not millions), and exact tails matter when
inverting a closing price back to a mean.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
from numpy.typing import ArrayLike, NDArray

FloatArray = NDArray[np.float64]

_SQRT2 = math.sqrt(2.0)
_ERFC = np.frompyfunc(math.erfc, 1, 1)
_INV_CDF = np.frompyfunc(NormalDist().inv_cdf, 1, 1)
# A line counts as integer (so it can push) when within this of a whole number; points are
# stored as numeric(5, 1), so anything closer is float noise.
_INTEGER_TOLERANCE = 1e-6
# Bisection bracket half-width in sigmas and its iteration count: 2 * 12 / 2**50 sigma is
# far below any probability difference a price can express.
_BRACKET_SIGMAS = 12.0
_BISECT_ITERATIONS = 50


def norm_cdf(x: ArrayLike) -> FloatArray:
    """Standard normal CDF, elementwise, exact to double precision in both tails."""
    values = np.asarray(x, dtype=np.float64)
    return np.asarray(0.5 * _ERFC(-values / _SQRT2), dtype=np.float64)


def norm_ppf(p: ArrayLike) -> FloatArray:
    """Inverse normal CDF; NaN and values outside (0, 1) give NaN instead of raising."""
    values = np.asarray(p, dtype=np.float64)
    valid = (values > 0.0) & (values < 1.0)
    out = np.full(values.shape, np.nan)
    if valid.any():
        out[valid] = np.asarray(_INV_CDF(values[valid]), dtype=np.float64)
    return out


def is_integer_line(threshold: ArrayLike) -> NDArray[np.bool_]:
    values = np.asarray(threshold, dtype=np.float64)
    return np.abs(values - np.rint(values)) < _INTEGER_TOLERANCE


def bet_probabilities(
    mean: ArrayLike, sigma: ArrayLike, sign: ArrayLike, threshold: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(P(win), P(push), P(loss)) of bets that win when ``sign * Y > threshold``.

    Y is the rounded normal N(mean, sigma). On an integer threshold k the bet wins when the
    continuous value exceeds k + 0.5 and loses below k - 0.5; on a half-point line the two
    bounds coincide and P(push) is exactly 0.
    """
    m = np.asarray(sign, dtype=np.float64) * np.asarray(mean, dtype=np.float64)
    s = np.asarray(sigma, dtype=np.float64)
    k = np.asarray(threshold, dtype=np.float64)
    half = np.where(is_integer_line(k), 0.5, 0.0)
    p_win = norm_cdf((m - k - half) / s)
    p_loss = norm_cdf((k - half - m) / s)
    p_push = np.clip(1.0 - p_win - p_loss, 0.0, 1.0)
    return p_win, p_push, p_loss


def no_push_probability(
    mean: ArrayLike, sigma: ArrayLike, sign: ArrayLike, threshold: ArrayLike
) -> FloatArray:
    """P(win | no push): the probability a two-way market with refunded pushes prices."""
    p_win, _, p_loss = bet_probabilities(mean, sigma, sign, threshold)
    return p_win / (p_win + p_loss)


def implied_mean(
    probability: ArrayLike, sigma: ArrayLike, sign: ArrayLike, threshold: ArrayLike
) -> FloatArray:
    """The mean of Y at which a bet's no-push probability equals ``probability``.

    Inverts :func:`no_push_probability` (strictly increasing in ``sign * mean``) by vectorised
    bisection, because on integer lines the push band makes the inverse non-closed-form. The
    bracket is the half-point closed form's answer plus or minus 12 sigma.
    """
    p = np.asarray(probability, dtype=np.float64)
    s = np.broadcast_to(np.asarray(sigma, dtype=np.float64), p.shape)
    sgn = np.broadcast_to(np.asarray(sign, dtype=np.float64), p.shape)
    k = np.broadcast_to(np.asarray(threshold, dtype=np.float64), p.shape)
    centre = k + s * norm_ppf(p)
    lo = centre - _BRACKET_SIGMAS * s
    hi = centre + _BRACKET_SIGMAS * s
    for _ in range(_BISECT_ITERATIONS):
        mid = 0.5 * (lo + hi)
        above = no_push_probability(mid, s, 1.0, k) > p
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return sgn * 0.5 * (lo + hi)


def shift_line_probability(
    probability: ArrayLike,
    sigma: ArrayLike,
    sign: ArrayLike,
    from_threshold: ArrayLike,
    to_threshold: ArrayLike,
) -> FloatArray:
    """Carry a no-push probability quoted at one line to another line of the same bet side.

    The mean implied by the quoted line is held fixed and the bet is re-priced at the new
    threshold: the "moved point" rule of grading. Same line in, same probability out.
    """
    mean = implied_mean(probability, sigma, sign, from_threshold)
    return no_push_probability(mean, sigma, sign, to_threshold)


def bet_sign_threshold(
    market_code: ArrayLike, outcome_code: ArrayLike, point: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """(sign, threshold) of bets given market codes (0 h2h, 1 spreads, 2 totals) and outcome
    codes (0 home, 1 away, 2 over, 3 under), in the order of ``columns.MARKETS``/``OUTCOMES``.

    Moneylines get the threshold 0 of "the home margin is positive"; they have no push only
    because the league plays overtime, which callers handle (see the module docstring).
    """
    mkt = np.asarray(market_code)
    out = np.asarray(outcome_code)
    x = np.asarray(point, dtype=np.float64)
    sign = np.where(out % 2 == 0, 1.0, -1.0)
    threshold = np.where(mkt == 1, -x, np.where(mkt == 2, sign * x, 0.0))
    return sign, threshold
