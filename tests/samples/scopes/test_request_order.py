"""Does the order of a test's arguments change anything? It does not.

``cached_totals`` (module) requests the function-scoped ``order_lines``.
Whether the test asks for ``order_lines`` before or after ``cached_totals``,
pytest: ERROR (ScopeMismatch) for both tests.
"""

import pytest


@pytest.fixture
def order_lines():
    return [3, 4]


@pytest.fixture(scope="module")
def cached_totals(order_lines):  # module -> function: ScopeMismatch
    return sum(order_lines)


def test_lines_first(order_lines, cached_totals):  # ERROR
    assert cached_totals == sum(order_lines)


def test_totals_first(cached_totals, order_lines):  # ERROR
    assert cached_totals == sum(order_lines)
