"""A key a test writes into the ``--redis-url`` Redis and never deletes: state that outlives
a pytest process, put back by the Redis guard. The pair is named with its state persisting
across runs in the Redis database, and after `leaks` the database holds exactly the keys
and values it had before (db 13 of the local Redis, emptied by the fixture)."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis

from tests.e2e.helpers import leaks_schema_errors, run_process, write_suite

pytestmark = pytest.mark.slow

SESSIONS = """\
import os

import redis


def client():
    return redis.Redis.from_url(os.environ["TA_GUARD_REDIS"])


def test_nobody_is_logged_in():
    assert client().keys("session:*") == []


def test_other():
    assert True


def test_login():
    client().set("session:42", "token")
    client().hset("settings", "theme", "dark")
"""

VICTIM = "tests/test_sessions.py::test_nobody_is_logged_in"
POLLUTER = "tests/test_sessions.py::test_login"


def _contents(url: str) -> dict[object, object]:
    client = redis.Redis.from_url(url)
    try:
        return {key: client.dump(key) for key in client.keys("*")}
    finally:
        client.close()


def test_a_key_left_in_redis_is_a_pair_and_is_put_back(tmp_path: Path, scratch_redis: str) -> None:
    suite = write_suite(
        tmp_path / "suite",
        {"pytest.ini": "[pytest]\ntestpaths = tests\n", "tests/test_sessions.py": SESSIONS},
    )
    client = redis.Redis.from_url(scratch_redis)
    try:
        client.hset("settings", "theme", "light")
        client.set("feature:beta", "off")
    finally:
        client.close()
    before = _contents(scratch_redis)
    result = run_process(
        "leaks",
        "--rounds",
        "2",
        "--seed",
        "1",
        "--format",
        "json",
        "--redis-url",
        scratch_redis,
        cwd=suite,
        env={"TA_GUARD_REDIS": scratch_redis},
        timeout=600,
    )
    assert result.code == 1, result.err
    report = result.json()
    assert leaks_schema_errors(report) == []
    assert [(p["polluter"], p["victim"]) for p in report["pairs"]] == [(POLLUTER, VICTIM)]
    assert report["flaky"] == []
    [victim] = report["victims"]
    state = " ".join(victim["state"])
    assert "redis db 13 key 'session:42'" in state
    assert "persists across runs in redis db 13" in state
    restored = {(r["name"], r["change"], r["restored"]) for r in report["databases_restored"]}
    assert ("'session:42'", "created", True) in restored
    assert ("'settings'", "changed", True) in restored
    assert _contents(scratch_redis) == before
