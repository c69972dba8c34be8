import sqlite3

import pytest


@pytest.fixture
def ledger(request):
    """The ledger database named by --ledger (in memory unless the run names a file)."""
    connection = sqlite3.connect(request.config.getoption("--ledger"))
    connection.execute("CREATE TABLE entries (amount INTEGER)")
    yield connection
    connection.close()


def test_ledger_balance(ledger):
    ledger.executemany("INSERT INTO entries VALUES (?)", [(5,), (-2,)])
    assert ledger.execute("SELECT sum(amount) FROM entries").fetchone() == (3,)
