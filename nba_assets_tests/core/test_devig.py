"""Margin removal: hand-worked markets for every method, properties, and scalar/vector parity."""

from __future__ import annotations

import dataclasses
import math
import re

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from nba_assets.core.devig import (
    ADDITIVE_FLOOR,
    DEFAULT_METHOD,
    METHODS,
    DevigResult,
    _shin_z_bisect,
    devig,
    devig_two_way,
    worst_case_floors,
)

MINUS_110 = 1 + 100 / 110

# 1.50 / 2.70, worked by hand: q = (2/3, 10/27), overround 28/27.
Q1, Q2 = 2 / 3, 10 / 27
TOTAL = 28 / 27
# Multiplicative: q / overround = (18/28, 10/28) = (9/14, 5/14).
MULTIPLICATIVE = (9 / 14, 5 / 14)
# Additive: margin (1/27) / 2 = 1/54 off each: (36/54 - 1/54, 20/54 - 1/54) = (35/54, 19/54).
ADDITIVE = (35 / 54, 19 / 54)
# Shin: z = (T - 1)(T - d^2) / (T (1 - d^2)) with d = q1 - q2 = 8/27, d^2 = 64/729:
# (1/27)(692/729) / ((28/27)(665/729)) = 692 / 18620 = 173/4655. Fair probabilities equal
# additive's, as Clarke, Kovalchik & Ingram (2017) prove for every two-outcome market.
SHIN_Z = 173 / 4655
# Power: (2/3)^k + (10/27)^k = 1 at k = 1.05932305744233 (checked in the test itself).
POWER_K = 1.0593230574423333
POWER = (Q1**POWER_K, Q2**POWER_K)
# Worst case: floors are multiplicative's favourite (9/14) and power's long shot, scaled up.
FLOOR_MASS = 9 / 14 + Q2**POWER_K
WORST_CASE = (9 / 14 / FLOOR_MASS, Q2**POWER_K / FLOOR_MASS)


def shin_textbook(q: list[float], z: float) -> list[float]:
    """Shin's p_i(z) as published, written out independently of the module under test."""
    total = sum(q)
    return [(math.sqrt(z * z + 4 * (1 - z) * qi * qi / total) - z) / (2 * (1 - z)) for qi in q]


@st.composite
def markets(draw: st.DrawFn, min_outcomes: int = 2, max_outcomes: int = 6) -> list[float]:
    """Realistic markets: a fair distribution with an uneven margin (some below 1) per outcome."""
    n = draw(st.integers(min_value=min_outcomes, max_value=max_outcomes))
    weights = draw(st.lists(st.floats(0.02, 1.0), min_size=n, max_size=n))
    margins = draw(st.lists(st.floats(0.97, 1.15), min_size=n, max_size=n))
    fair = [w / sum(weights) for w in weights]
    implied = [p * m for p, m in zip(fair, margins, strict=True)]
    assume(max(implied) < 0.995)
    return [1 / q for q in implied]


@st.composite
def fair_markets(draw: st.DrawFn) -> list[float]:
    n = draw(st.integers(min_value=2, max_value=6))
    weights = draw(st.lists(st.floats(0.02, 1.0), min_size=n, max_size=n))
    return [sum(weights) / w for w in weights]


def test_default_method_is_shin() -> None:
    assert DEFAULT_METHOD == "shin"
    assert devig([1.5, 2.7]).method == "shin"
    assert METHODS == ("multiplicative", "additive", "power", "shin", "worst_case")


@pytest.mark.parametrize("method", METHODS)
def test_minus_110_both_sides_is_a_coin_flip_for_every_method(method: str) -> None:
    result = devig([MINUS_110, MINUS_110], method)
    assert result.probabilities == pytest.approx((0.5, 0.5), abs=1e-15)
    assert result.overround == pytest.approx(22 / 21, abs=1e-15)


def test_minus_110_parameters_by_hand() -> None:
    # Overround 22/21; additive takes (1/21)/2; power solves 2 (11/21)^k = 1; Shin's z for a
    # symmetric market reduces to T - 1; the methods agree so the worst case adds nothing.
    expected = {
        "multiplicative": 22 / 21,
        "additive": 1 / 42,
        "power": math.log(0.5) / math.log(11 / 21),
        "shin": 1 / 21,
        "worst_case": 0.0,
    }
    for method, parameter in expected.items():
        assert devig([MINUS_110, MINUS_110], method).parameter == pytest.approx(
            parameter, abs=1e-12
        )


def test_hand_constants_are_themselves_right() -> None:
    assert abs(Q1**POWER_K + Q2**POWER_K - 1.0) < 1e-15
    assert sum(shin_textbook([Q1, Q2], SHIN_Z)) == pytest.approx(1.0, abs=1e-15)
    assert shin_textbook([Q1, Q2], SHIN_Z) == pytest.approx(ADDITIVE, abs=1e-15)


@pytest.mark.parametrize(
    ("method", "probabilities", "parameter"),
    [
        ("multiplicative", MULTIPLICATIVE, TOTAL),
        ("additive", ADDITIVE, 1 / 54),
        ("power", POWER, POWER_K),
        ("shin", ADDITIVE, SHIN_Z),
        ("worst_case", WORST_CASE, 1 / FLOOR_MASS - 1),
    ],
)
def test_asymmetric_market_by_hand(
    method: str, probabilities: tuple[float, float], parameter: float
) -> None:
    result = devig([1.5, 2.7], method)
    assert result == DevigResult(result.probabilities, method, result.parameter, result.overround)
    assert result.probabilities == pytest.approx(probabilities, abs=1e-12)
    assert result.parameter == pytest.approx(parameter, abs=1e-12)
    assert result.overround == pytest.approx(TOTAL, abs=1e-15)


def test_worst_case_floors_by_hand() -> None:
    floors = worst_case_floors([1.5, 2.7])
    assert floors == pytest.approx((9 / 14, Q2**POWER_K), abs=1e-12)
    assert sum(floors) < 1


def test_three_way_market_satisfies_each_methods_defining_equations() -> None:
    prices = [2.5, 3.1, 4.0]  # 0.4 + 0.3226 + 0.25 = 0.9726: best prices across books
    q = [1 / d for d in prices]
    total = sum(q)
    mult = devig(prices, "multiplicative").probabilities
    assert mult == pytest.approx([qi / total for qi in q], abs=1e-15)
    additive = devig(prices, "additive")
    assert additive.probabilities == pytest.approx([qi - (total - 1) / 3 for qi in q], abs=1e-15)
    power = devig(prices, "power")
    assert power.probabilities == pytest.approx([qi**power.parameter for qi in q], abs=1e-13)
    shin = devig(prices, "shin")
    assert shin.parameter < 0  # a sub-1 book needs negative "insider share"
    assert shin.probabilities == pytest.approx(shin_textbook(q, shin.parameter), abs=1e-13)


def test_four_way_shin_with_margin_satisfies_shin_equations() -> None:
    prices = [1.3, 4.5, 11.0, 51.0]
    q = [1 / d for d in prices]
    shin = devig(prices, "shin")
    assert 0 < shin.parameter < 1
    assert sum(shin_textbook(q, shin.parameter)) == pytest.approx(1.0, abs=1e-13)
    assert shin.probabilities == pytest.approx(shin_textbook(q, shin.parameter), abs=1e-13)


def test_shin_on_a_deeply_sub_one_book_by_hand() -> None:
    # Three outcomes at 10.0: q = 0.1 each, total 0.3, so q^2 / total = 1/30. Symmetry forces
    # p = 1/3, and sqrt(z^2 + (2/15)(1 - z)) - z = (2/3)(1 - z) squares to
    # 20 z^2 - 13 z - 7 = 0, roots 1 and -7/20; z < 1 leaves -0.35.
    result = devig([10.0, 10.0, 10.0], "shin")
    assert result.parameter == pytest.approx(-0.35, abs=1e-13)
    assert result.probabilities == pytest.approx((1 / 3, 1 / 3, 1 / 3), abs=1e-15)


def test_additive_clips_negative_long_shot_and_renormalises() -> None:
    prices = [1.3, 4.5, 11.0, 51.0]
    q = [1 / d for d in prices]
    margin = (sum(q) - 1) / 4  # 0.02549..., more than the long shot's 1/51 = 0.0196
    assert q[3] - margin < 0
    raw = [qi - margin for qi in q[:3]] + [ADDITIVE_FLOOR]
    expected = [r / sum(raw) for r in raw]
    result = devig(prices, "additive")
    assert result.probabilities == pytest.approx(expected, rel=1e-12)
    assert 0 < result.probabilities[3] < 1e-11
    assert result.parameter == pytest.approx(margin, abs=1e-15)


def test_shin_bisection_matches_closed_form_on_two_way_markets() -> None:
    q1 = np.array([Q1, 0.5, 0.9, 0.05, 0.45, 0.6])
    q2 = np.array([Q2, 0.5, 0.2, 0.98, 0.5, 0.3])
    total = q1 + q2
    spread = (q1 - q2) ** 2
    closed = (total - 1) * (total - spread) / (total * (1 - spread))
    np.testing.assert_allclose(_shin_z_bisect([q1, q2], total), closed, rtol=0, atol=1e-14)


@settings(max_examples=60, deadline=None)
@given(markets(), st.sampled_from(METHODS))
def test_every_method_gives_a_distribution(prices: list[float], method: str) -> None:
    result = devig(prices, method)
    assert len(result.probabilities) == len(prices)
    assert math.fsum(result.probabilities) == pytest.approx(1.0, abs=1e-12)
    assert all(0 < p < 1 for p in result.probabilities)
    assert result.overround == pytest.approx(math.fsum(1 / d for d in prices), rel=1e-14)


@settings(max_examples=60, deadline=None)
@given(markets(), st.sampled_from(METHODS))
def test_devig_keeps_the_favourite_the_favourite(prices: list[float], method: str) -> None:
    probabilities = devig(prices, method).probabilities
    for i, j in ((i, j) for i in range(len(prices)) for j in range(len(prices))):
        if prices[i] < prices[j]:
            assert probabilities[i] >= probabilities[j]


@settings(max_examples=60, deadline=None)
@given(fair_markets())
def test_all_methods_agree_without_margin(prices: list[float]) -> None:
    fair = [1 / d for d in prices]
    for method in METHODS:
        assert devig(prices, method).probabilities == pytest.approx(fair, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(markets(max_outcomes=2))
def test_two_way_shin_equals_additive(prices: list[float]) -> None:
    q1, q2 = (1 / d for d in prices)
    shin = devig(prices, "shin").probabilities
    assert shin == pytest.approx(((1 + q1 - q2) / 2, (1 - q1 + q2) / 2), abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(markets())
def test_worst_case_sits_on_or_above_every_floor(prices: list[float]) -> None:
    floors = worst_case_floors(prices)
    for method in METHODS[:4]:
        assert all(
            f <= p + 1e-15 for f, p in zip(floors, devig(prices, method).probabilities, strict=True)
        )
    worst = devig(prices, "worst_case")
    assert worst.parameter == pytest.approx(1 / math.fsum(floors) - 1, abs=1e-12)
    assert all(p >= f for p, f in zip(worst.probabilities, floors, strict=True))
    assert all(
        p <= f * (1 + worst.parameter) + 1e-15
        for p, f in zip(worst.probabilities, floors, strict=True)
    )


@settings(max_examples=30, deadline=None)
@given(st.lists(markets(max_outcomes=2), min_size=1, max_size=25), st.sampled_from(METHODS))
def test_vectorised_two_way_agrees_with_scalar(rows: list[list[float]], method: str) -> None:
    p1 = np.array([1 / r[0] for r in rows])
    p2 = np.array([1 / r[1] for r in rows])
    fair1, fair2, parameter = devig_two_way(p1, p2, method)
    for i, row in enumerate(rows):
        expected = devig(row, method)
        assert (fair1[i], fair2[i]) == pytest.approx(expected.probabilities, abs=1e-9)
        assert parameter[i] == pytest.approx(expected.parameter, abs=1e-9)


@pytest.mark.parametrize("method", METHODS)
def test_vectorised_hand_market(method: str) -> None:
    fair1, fair2, _ = devig_two_way(np.array([Q1, 1 / MINUS_110]), np.array([Q2, 1 / MINUS_110]))
    assert fair1.tolist() == pytest.approx([ADDITIVE[0], 0.5], abs=1e-12)
    assert (fair1 + fair2).tolist() == pytest.approx([1.0, 1.0], abs=1e-15)
    fair1, _, _ = devig_two_way(np.array([Q1]), np.array([Q2]), method)
    expected = {"multiplicative": 9 / 14, "additive": 35 / 54, "shin": 35 / 54}
    expected |= {"power": POWER[0], "worst_case": WORST_CASE[0]}
    assert fair1[0] == pytest.approx(expected[method], abs=1e-12)


@pytest.mark.parametrize("method", METHODS)
def test_extreme_but_valid_markets_stay_distributions(method: str) -> None:
    for prices in ([1.0001, 10_000.0], [1.01, 1.01], [1000.0, 1000.0], [1.05, 30.0, 200.0]):
        result = devig(prices, method)
        assert math.fsum(result.probabilities) == pytest.approx(1.0, abs=1e-12)
        assert all(0 < p < 1 for p in result.probabilities)


def test_vectorised_missing_rows_only_when_allowed() -> None:
    p1 = np.array([0.5, np.nan])
    p2 = np.array([0.55, 0.5])
    for method in METHODS:
        fair1, fair2, parameter = devig_two_way(p1, p2, method, allow_nan=True)
        assert np.isnan(fair1[1]) and np.isnan(fair2[1]) and np.isnan(parameter[1])
        assert fair1[0] + fair2[0] == pytest.approx(1.0, abs=1e-15)
    with pytest.raises(ValueError, match=r"p1_implied .*got nan at flat index 1"):
        devig_two_way(p1, p2)


@pytest.mark.parametrize("bad", [0.0, 1.0, 1.2, -0.1, math.nan, math.inf])
def test_vectorised_rejects_impossible_implied_probability(bad: float) -> None:
    with pytest.raises(
        ValueError, match=rf"p2_implied .*got {re.escape(repr(bad))} at flat index 1"
    ):
        devig_two_way(np.array([0.5, 0.5]), np.array([0.5, bad]))


def test_vectorised_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match=r"\(2,\) vs \(3,\)"):
        devig_two_way(np.full(2, 0.5), np.full(3, 0.5), "multiplicative")


@pytest.mark.parametrize("bad", ["proportional", "Shin", ""])
def test_unknown_method_is_named_with_the_valid_ones(bad: str) -> None:
    with pytest.raises(ValueError, match=rf"'{bad}'.*multiplicative, additive, power, shin"):
        devig([1.5, 2.7], bad)
    with pytest.raises(ValueError, match=rf"'{bad}'"):
        devig_two_way(np.array([0.5]), np.array([0.5]), bad)


@pytest.mark.parametrize("bad", [1.0, 0.9, math.nan])
def test_invalid_price_in_market_is_named(bad: float) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        devig([1.5, bad])
    with pytest.raises(ValueError, match=re.escape(repr(bad))):
        worst_case_floors([bad, 2.0])


def test_one_outcome_is_not_a_market() -> None:
    with pytest.raises(ValueError, match=r"at least 2 outcomes to devig, got \[1\.5\]"):
        devig([1.5])


def test_result_is_immutable() -> None:
    result = devig([1.5, 2.7])
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.method = "power"  # type: ignore[misc]
