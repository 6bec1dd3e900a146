"""Odds conversions: hand-worked prices, exactness, rounding ties and rejection of bad quotes."""

from __future__ import annotations

import math
import re
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nba_assets.core.odds import (
    american_to_decimal,
    american_to_decimal_array,
    american_to_fractional,
    decimal_to_american,
    decimal_to_american_array,
    decimal_to_fractional,
    fractional_to_american,
    fractional_to_decimal,
    hold,
    implied_probability,
    overround,
)

# Integer American quotes; beyond |1e6| no book quotes and float error would approach 0.5.
americans = st.one_of(
    st.integers(min_value=100, max_value=1_000_000),
    st.integers(min_value=-1_000_000, max_value=-100),
)
decimals = st.floats(min_value=1.0001, max_value=10_000.0, allow_nan=False)


@pytest.mark.parametrize(
    ("american", "expected"),
    [
        (-110, 21 / 11),  # 1 + 100/110 = 21/11
        (150, 2.5),
        (-200, 1.5),
        (100, 2.0),
        (-100, 2.0),
        (-250, 1.4),
        (1000, 11.0),
    ],
)
def test_american_to_decimal_hand_values(american: int, expected: float) -> None:
    assert american_to_decimal(american) == pytest.approx(expected, abs=1e-15)


@pytest.mark.parametrize(
    ("decimal", "expected"),
    [
        (2.0, 100),  # even money is always written +100
        (1.5, -200),
        (2.5, 150),
        (1.909, -110),  # -100/0.909 = -110.01
        (1.32, -313),  # -100/0.32 = -312.5 exactly: tie goes away from zero
        (2.005, 101),  # 100.5 exactly: tie goes away from zero
        (1.064, -1563),  # -100/0.064 = -1562.5
        (1.0067, -14925),  # -100/0.0067 = -14925.37
    ],
)
def test_decimal_to_american_hand_values_and_ties(decimal: float, expected: int) -> None:
    assert decimal_to_american(decimal) == expected


def test_decimal_places_round_half_away_from_zero() -> None:
    assert american_to_decimal(-110, places=4) == 1.9091
    assert american_to_decimal(-15000, places=4) == 1.0067  # 1.0066666...
    # 1 + 1/20000 = 1.00005 exactly, a tie at 4 places even though 1.00005 * 1e4 < 10000.5.
    assert fractional_to_decimal("1/20000", places=4) == 1.0001


def test_fractional_hand_values() -> None:
    assert american_to_fractional(-110) == Fraction(10, 11)
    assert american_to_fractional(250) == Fraction(5, 2)
    assert american_to_fractional(-100) == american_to_fractional(100) == 1
    assert fractional_to_american(Fraction(10, 11)) == -110
    assert fractional_to_american("5/2") == 250
    assert fractional_to_american(1) == 100
    assert fractional_to_american(Fraction(8, 25)) == -313  # -100 / 0.32 = -312.5
    assert fractional_to_american(Fraction(201, 200)) == 101  # 100.5
    assert decimal_to_fractional(2.2) == Fraction(6, 5)  # the quoted decimal, not its float
    assert decimal_to_fractional(american_to_decimal(-110), max_denominator=100) == Fraction(10, 11)
    assert fractional_to_decimal("6/5") == 2.2


def test_probability_overround_and_hold_hand_values() -> None:
    assert implied_probability(2.5) == 0.4
    minus_110 = american_to_decimal(-110)
    assert overround([minus_110, minus_110]) == pytest.approx(22 / 21, abs=1e-15)
    assert hold([minus_110, minus_110]) == pytest.approx(1 / 22, abs=1e-15)  # 4.545%
    # 1.50 / 2.70: 2/3 + 10/27 = 28/27, so hold = 1 - 27/28 = 1/28.
    assert overround([1.5, 2.7]) == pytest.approx(28 / 27, abs=1e-15)
    assert hold([1.5, 2.7]) == pytest.approx(1 / 28, abs=1e-15)
    assert overround([2.0, 2.0]) == 1.0
    assert hold([2.0, 2.0]) == 0.0


@given(americans)
def test_american_decimal_american_round_trip_is_exact(american: int) -> None:
    expected = 100 if american == -100 else american
    assert decimal_to_american(american_to_decimal(american)) == expected


@given(americans)
def test_american_fraction_american_round_trip_is_exact(american: int) -> None:
    expected = 100 if american == -100 else american
    assert fractional_to_american(american_to_fractional(american)) == expected


@given(americans)
def test_fractional_and_decimal_routes_agree(american: int) -> None:
    via_fraction = fractional_to_decimal(american_to_fractional(american))
    assert via_fraction == pytest.approx(american_to_decimal(american), rel=1e-15)


@given(st.integers(min_value=1, max_value=10**7), st.integers(min_value=0, max_value=4))
def test_decimal_to_fractional_reads_quoted_decimal_exactly(numerator: int, places: int) -> None:
    profit = Fraction(numerator, 10**places)
    assert decimal_to_fractional(float(1 + profit)) == profit


@given(decimals, decimals)
def test_higher_decimal_means_lower_probability_and_higher_american(a: float, b: float) -> None:
    low, high = sorted((a, b))
    assert implied_probability(low) >= implied_probability(high)
    assert decimal_to_american(low) <= decimal_to_american(high)
    if low < high:
        assert implied_probability(low) > implied_probability(high)


@given(americans, americans)
def test_american_to_decimal_is_monotone(a: int, b: int) -> None:
    low, high = sorted((a, b))
    assert american_to_decimal(low) <= american_to_decimal(high)


@given(decimals)
def test_american_output_is_a_valid_integer_quote(decimal: float) -> None:
    american = decimal_to_american(decimal)
    assert isinstance(american, int)
    assert abs(american) >= 100
    assert american != -100


@settings(max_examples=50)
@given(st.lists(americans, min_size=1, max_size=50))
def test_american_array_matches_scalar_bit_for_bit(values: list[int]) -> None:
    result = american_to_decimal_array(values)
    assert result.tolist() == [american_to_decimal(v) for v in values]


@settings(max_examples=50)
@given(st.lists(decimals, min_size=1, max_size=50))
def test_decimal_array_matches_scalar(values: list[float]) -> None:
    result = decimal_to_american_array(np.array(values))
    assert result.tolist() == [float(decimal_to_american(v)) for v in values]


def test_decimal_array_ties_match_scalar() -> None:
    result = decimal_to_american_array([1.32, 2.005, 1.064, 2.0])
    assert result.tolist() == [-313.0, 101.0, -1563.0, 100.0]


def test_arrays_pass_missing_quotes_through_only_when_allowed() -> None:
    decimal = american_to_decimal_array([-110.0, np.nan, 150.0], allow_nan=True)
    assert math.isnan(decimal[1])
    assert decimal[2] == 2.5
    american = decimal_to_american_array([np.nan, 2.5], allow_nan=True)
    assert math.isnan(american[0])
    assert american[1] == 150.0
    with pytest.raises(ValueError, match=r"nan at flat index 1"):
        american_to_decimal_array([-110.0, np.nan])
    with pytest.raises(ValueError, match=r"0\.5 at flat index 0"):
        decimal_to_american_array([0.5, np.nan], allow_nan=True)


@pytest.mark.parametrize("bad", [1.0, 0.5, -2.0, 0.0, math.nan, math.inf])
def test_invalid_decimal_is_rejected_by_name(bad: float) -> None:
    pattern = "nan" if math.isnan(bad) else re.escape(repr(bad))
    for convert in (decimal_to_american, implied_probability, decimal_to_fractional):
        with pytest.raises(ValueError, match=pattern):
            convert(bad)
    with pytest.raises(ValueError, match=pattern):
        overround([2.0, bad])
    with pytest.raises(ValueError, match=pattern):
        decimal_to_american_array([2.0, bad])


@pytest.mark.parametrize("bad", [99, -99, 0, 50.5, -0.0, math.nan, -math.inf])
def test_invalid_american_is_rejected_by_name(bad: float) -> None:
    pattern = "nan" if math.isnan(bad) else re.escape(repr(bad))
    for convert in (american_to_decimal, american_to_fractional):
        with pytest.raises(ValueError, match=pattern):
            convert(bad)
    with pytest.raises(ValueError, match=pattern):
        american_to_decimal_array([-110, bad])


@pytest.mark.parametrize("bad", [0, Fraction(-1, 2), "-1/2", "abc", "1/0"])
def test_invalid_fractional_is_rejected_by_name(bad: object) -> None:
    with pytest.raises(ValueError, match=re.escape(str(bad))):
        fractional_to_decimal(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=re.escape(str(bad))):
        fractional_to_american(bad)  # type: ignore[arg-type]


def test_wrong_types_are_type_errors_not_silent_parses() -> None:
    with pytest.raises(TypeError, match=re.escape("'2.5'")):
        implied_probability("2.5")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=re.escape("2.5")):
        fractional_to_american(2.5)  # type: ignore[arg-type]


def test_empty_market_is_rejected() -> None:
    with pytest.raises(ValueError, match="none"):
        overround([])
    with pytest.raises(ValueError, match="max_denominator"):
        decimal_to_fractional(2.5, max_denominator=0)
