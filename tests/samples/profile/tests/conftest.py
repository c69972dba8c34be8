import time

import pytest


@pytest.fixture(scope="session")
def catalog():
    """Loads the catalog once for the session (slowly)."""
    time.sleep(0.25)
    return {"apple": 0.5, "pear": 0.75}


def pytest_addoption(parser):
    parser.addoption("--ledger", default=":memory:", help="where the ledger database lives")
