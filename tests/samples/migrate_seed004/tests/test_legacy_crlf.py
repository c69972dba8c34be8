"""Legacy checks kept with Windows line endings."""

from medapp.utils import slugify


def test_legacy_slug():
    assert slugify("Legacy Device") == "legacy-device"


def test_legacy_slug_digits():
    assert slugify("Model 7") == "model-7"
