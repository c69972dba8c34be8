"""``@pytest.fixture(name=...)`` and ``from pytest import fixture as fx``."""

import pytest
from pytest import fixture as fx


@pytest.fixture(name="renamed")
def _renamed_impl():
    return "value-of-renamed"


@fx
def aliased():
    return "aliased"


@fx(name="aliased_and_renamed")
def _aliased_impl(renamed):
    return f"{renamed}+alias"


def test_renamed(renamed):
    assert renamed == "value-of-renamed"


def test_aliased(aliased, aliased_and_renamed):
    assert aliased == "aliased"
    assert aliased_and_renamed == "value-of-renamed+alias"


def test_python_name_is_not_a_fixture(_renamed_impl):  # ERROR: fixture '_renamed_impl' not found
    pass
