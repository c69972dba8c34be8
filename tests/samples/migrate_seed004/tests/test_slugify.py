"""slugify (unit)."""

from medapp.utils import slugify


def test_slugify_lowercases():
    assert slugify("Pulse OXIMETER") == "pulse-oximeter"


def test_slugify_strips_punctuation():
    assert slugify("  K-123 / v2! ") == "k-123-v2"


def test_slugify_empty():
    assert slugify("") == ""
