"""config defaults (unit)."""

import pytest

from medapp.core import DEFAULTS, load_config


@pytest.fixture
def regulatory_config():
    return load_config({"environment": "test"})


def test_defaults_kept(regulatory_config):
    assert regulatory_config["fda_timeout"] == DEFAULTS["fda_timeout"]


def test_defaults_not_mutated():
    load_config({"fda_timeout": 1})
    assert DEFAULTS["fda_timeout"] == 30.0
