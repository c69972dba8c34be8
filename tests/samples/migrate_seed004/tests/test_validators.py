"""validators (unit)."""

import pytest

from medapp.utils import is_k_number


@pytest.mark.parametrize("value", ["K000001", "K999999"])
def test_parametrized_k_numbers(value):
    assert is_k_number(value)
