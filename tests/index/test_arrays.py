"""Distinct integers by sorting give exactly what ``np.unique`` gives, on any array."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from service.index import unique, unique_first, unique_inverse

ints = hnp.arrays(
    dtype=st.sampled_from([np.int8, np.int32, np.int64]),
    shape=st.integers(min_value=0, max_value=300),
    elements=st.integers(min_value=-100, max_value=100),
)


@given(ints)
def test_unique_is_numpys(values: np.ndarray) -> None:
    found = unique(values)
    assert found.dtype == values.dtype
    assert np.array_equal(found, np.unique(values))


@given(ints)
def test_first_occurrences_are_numpys(values: np.ndarray) -> None:
    found, first = unique_first(values)
    expected, expected_first = np.unique(values, return_index=True)
    assert np.array_equal(found, expected)
    assert np.array_equal(first, expected_first)


@given(ints)
def test_places_are_numpys(values: np.ndarray) -> None:
    found, inverse = unique_inverse(values)
    expected, expected_inverse = np.unique(values, return_inverse=True)
    assert np.array_equal(found, expected)
    assert np.array_equal(inverse, expected_inverse.ravel())
    assert np.array_equal(found[inverse], values)


def test_a_two_dimensional_array_is_read_flat() -> None:
    values = np.array([[3, 1], [3, 2]])
    assert unique(values).tolist() == [1, 2, 3]
    assert unique_first(values)[1].tolist() == [1, 3, 0]
    assert unique_inverse(values)[1].tolist() == [2, 0, 2, 1]
