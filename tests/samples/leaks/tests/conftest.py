import os
import time
from pathlib import Path

import pytest

from leakapp import db as leakdb
from leakapp.main import app
from leakapp.web import TestClient

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DB_PATH = PROJECT_ROOT / "leakapp.db"
LEFTOVER_FILES = ("report.csv",)

# Every timestamp assertion in the suite assumes the server runs in UTC.
os.environ["TZ"] = "UTC"
time.tzset()


@pytest.fixture(scope="session", autouse=True)
def fresh_storage():
    """Start each run from a clean slate: a new database, no stale exports."""
    for name in LEFTOVER_FILES:
        (PROJECT_ROOT / name).unlink(missing_ok=True)
    DB_PATH.unlink(missing_ok=True)
    leakdb.init_db(DB_PATH)
    yield DB_PATH


@pytest.fixture
def db(fresh_storage):
    """A connection inside a transaction that is rolled back after the test."""
    conn = leakdb.connect(fresh_storage)
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.rollback()
        conn.close()


@pytest.fixture
def client():
    return TestClient(app)
