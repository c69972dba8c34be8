"""confidence (unit)."""

import pytest

from medapp.utils import confidence_bucket


def test_high():
    assert confidence_bucket(0.9) == "high"


def test_medium():
    assert confidence_bucket(0.5) == "medium"


def test_out_of_range():
    with pytest.raises(ValueError):
        confidence_bucket(1.5)
