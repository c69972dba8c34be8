"""configuration (unit)."""

import pytest

from medapp.core import load_config


@pytest.fixture
def regulatory_config():
    return load_config({"environment": "test"})


def test_override_wins():
    assert load_config({"max_predicates": 9})["max_predicates"] == 9


def test_environment_prefix():
    assert load_config(environ={"MEDAPP_REGION": "eu"})["region"] == "eu"


def test_fixture_environment(regulatory_config):
    assert regulatory_config["environment"] == "test"
