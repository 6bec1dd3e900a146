"""The shared normal margin/total model: pushes, monotonicity, inversion."""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nba_assets.analytics.distributions import (
    bet_probabilities,
    implied_mean,
    no_push_probability,
    norm_cdf,
    norm_ppf,
    shift_line_probability,
)


def test_cdf_is_exact_in_the_tails_and_ppf_inverts_it() -> None:
    for x in (-1.3, 0.0, 0.5, 2.0):
        assert norm_cdf(x) == pytest.approx(NormalDist().cdf(x), rel=1e-12)
    # Far tail: 0.5 * erfc(8 / sqrt 2); 1 + erf(x) style formulas lose digits here.
    assert norm_cdf(-8.0) == pytest.approx(6.220960574271785e-16, rel=1e-12)
    assert norm_ppf([0.025, 0.5])[0] == pytest.approx(NormalDist().inv_cdf(0.025))
    assert np.isnan(norm_ppf([0.0, 1.0, np.nan])).all()


def test_integer_line_has_a_push_band() -> None:
    win, push, loss = bet_probabilities(3.0, 12.0, 1.0, 3.0)  # home -3 wins when margin > 3
    n = NormalDist(3.0, 12.0)
    assert push == pytest.approx(n.cdf(3.5) - n.cdf(2.5))
    assert win == pytest.approx(1 - n.cdf(3.5))
    assert win + push + loss == pytest.approx(1.0)
    assert bet_probabilities(3.0, 12.0, 1.0, 3.5)[1] == 0.0


@given(
    mean=st.floats(-20, 20),
    sigma=st.floats(5, 25),
    sign=st.sampled_from([-1.0, 1.0]),
    threshold=st.sampled_from([-7.0, -3.5, 0.0, 2.5, 6.0]),
)
def test_implied_mean_inverts_no_push_probability(
    mean: float, sigma: float, sign: float, threshold: float
) -> None:
    p = float(no_push_probability(mean, sigma, sign, threshold))
    if not 1e-9 < p < 1 - 1e-9:
        return
    assert float(implied_mean(p, sigma, sign, threshold)) == pytest.approx(mean, abs=1e-6)
    assert float(shift_line_probability(p, sigma, sign, threshold, threshold)) == pytest.approx(p)


@given(mean=st.floats(-15, 15), sigma=st.floats(6, 20))
def test_cover_probability_decreases_as_the_threshold_rises(mean: float, sigma: float) -> None:
    thresholds = np.arange(-20.0, 20.5, 0.5)
    p = no_push_probability(mean, sigma, 1.0, thresholds)
    step = np.diff(p)
    assert np.all(step <= 1e-15)
    # Strictly, wherever the difference is above double-precision resolution.
    inner = (p[:-1] > 1e-6) & (p[:-1] < 1 - 1e-6)
    assert np.all(step[inner] < 0)
