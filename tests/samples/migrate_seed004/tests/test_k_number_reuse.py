"""k number reuse (unit)."""

from tests.test_k_number import VALID

from medapp.utils import is_k_number


def test_imported_constant_is_valid():
    assert is_k_number(VALID)
