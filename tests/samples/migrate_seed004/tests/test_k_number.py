"""k number (unit)."""

from medapp.utils import is_k_number

VALID = "K123456"


def test_valid_k_number():
    assert is_k_number(VALID)


def test_short_k_number():
    assert not is_k_number("K123")


def test_lowercase_k_number():
    assert not is_k_number("k123456")
