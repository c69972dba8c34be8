"""Fixtures pulled into the root conftest with ``from helpers.star import *``."""

import pytest

__all__ = ["star_config", "star_client"]


@pytest.fixture
def star_config():
    return {"base_url": "http://shop.test"}


@pytest.fixture
def star_client(star_config):
    return {"url": star_config["base_url"], "connected": True}


@pytest.fixture
def not_exported():
    """Not in __all__: ``import *`` does NOT bring it into the conftest."""
    return "hidden"
