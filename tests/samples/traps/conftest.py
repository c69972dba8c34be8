"""Root conftest of the traps sample."""

import pytest

from helpers.star import *  # noqa: F403  (star_config, star_client: see __all__)
from helpers.state import EVENTS

pytest_plugins = ["helpers.plugin_fixtures"]

# Files pytest must not collect from this directory. Both would error on import.
collect_ignore = ["test_broken_import.py"]
collect_ignore_glob = ["*_wip.py"]


@pytest.fixture(autouse=True)
def _reset_events():
    """conftest-level autouse: applies to every test in the sample."""
    EVENTS.clear()
    EVENTS.append("root-autouse")
    yield


@pytest.fixture(scope="session")
def db():
    return ["root-db"]
