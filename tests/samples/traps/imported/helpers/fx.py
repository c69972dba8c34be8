"""Fixtures that imported/conftest.py pulls in by name (relative import)."""

import pytest


@pytest.fixture
def thing():
    return {"kind": "thing"}


@pytest.fixture
def other_thing():
    """Defined here but NOT imported into the conftest: invisible to tests."""
    return {"kind": "other"}
