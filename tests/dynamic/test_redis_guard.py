"""The Redis guard: the keys of the ``--redis-url`` Redis as they were before `leaks`, put
back between its runs and at its end (created keys deleted, changed and deleted ones
restored with what is left of their time to live).

The comparison is tested as data; the rest against db 13 of the local Redis, which the
tests empty and take over (skipped where Redis is absent).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import redis

from auditor.dynamic.probes import Change
from auditor.dynamic.probes.redis_guard import changes
from auditor.dynamic.runner.database_guard import REDIS, DatabaseGuard
from auditor.dynamic.runner.result import LeakReport, Pair
from auditor.dynamic.runner.worktree import PERSISTS, mark_persisting


def test_created_keys_go_changed_and_deleted_ones_come_back_expired_ones_do_not() -> None:
    before = {
        b"kept": (b"p1", -1),
        b"changed": (b"p2", -1),
        b"deleted": (b"p3", -1),
        b"expired": (b"p4", 500),
        b"still-living": (b"p5", 60_000),
        b"made-permanent": (b"p6", 60_000),
    }
    now = {
        b"kept": (b"p1", -1),
        b"changed": (b"p2b", -1),
        b"made-permanent": (b"p6", -1),
        b"new": (b"p7", -1),
    }
    created, restore = changes(before, now, elapsed_ms=1_000)
    assert created == [b"new"]
    assert restore == {
        b"changed": "changed",
        b"deleted": "deleted",
        b"made-permanent": "changed",
        b"still-living": "deleted",
    }


def _contents(url: str) -> dict[object, tuple[object, bool]]:
    """Every key's DUMP payload, and whether it has a time to live."""
    client = redis.Redis.from_url(url)
    try:
        return {key: (client.dump(key), client.pttl(key) > 0) for key in client.keys("*")}
    finally:
        client.close()


@pytest.mark.parametrize("in_process", [True, False], ids=["here", "in-the-suites-python"])
def test_keys_are_put_back_and_the_state_persists_in_the_redis_db(
    scratch_redis: str, tmp_path: Path, in_process: bool
) -> None:
    client = redis.Redis.from_url(scratch_redis)
    client.set("config:mode", "production")
    client.hset("user:1", mapping={"name": "Ada", "role": "admin"})
    client.set("cache:short", "x", ex=600)
    before = _contents(scratch_redis)
    guard = DatabaseGuard.start(
        scratch_redis, sys.executable, tmp_path, service=REDIS, in_process=in_process
    )
    assert guard is not None
    assert guard.guarded, guard.notes
    try:
        assert guard.restore("nothing ran") == []
        client.set("session:42", "token")
        client.hset("user:1", "role", "guest")
        client.delete("config:mode")
        found = guard.restore("run 1")
        assert {(e.database, e.kind, e.name, e.change, e.restored) for e in found} == {
            ("redis db 13", "key", "'session:42'", "created", True),
            ("redis db 13", "key", "'user:1'", "changed", True),
            ("redis db 13", "key", "'config:mode'", "deleted", True),
        }
        assert _contents(scratch_redis) == before
        assert client.ttl("cache:short") > 0
        kept = guard.persisting()
        assert kept[("redis-keys", "redis db 13 key 'session:42'")] == ("redis db 13", True)
        assert kept[("redis-keys", "redis db 13 keys")] == ("redis db 13", True)
    finally:
        guard.close()
        client.close()
    leaked = Change("redis-keys", "redis db 13 key 'session:42'", None, "string, 5 bytes")
    report = LeakReport(rootdir="/p", seed=1, rerun="")
    report.pairs = [Pair("t.py::test_a", "t.py::test_b", (leaked,), "pytest", "state")]
    mark_persisting(report, [], None, kept)
    assert report.pairs[0].state_text() == [
        f"{leaked.describe()}; {PERSISTS} in redis db 13 (put back after each run)"
    ]
    assert found[0].describe().startswith("redis db 13: key ")


def test_more_keys_than_the_limit_is_not_guarded(scratch_redis: str, tmp_path: Path) -> None:
    client = redis.Redis.from_url(scratch_redis)
    try:
        client.mset({f"k{n}": n for n in range(5)})
    finally:
        client.close()
    guard = DatabaseGuard.start(
        scratch_redis, sys.executable, tmp_path, service=REDIS, limits={"max_keys": 3}
    )
    assert guard is not None
    assert not guard.guarded
    assert guard.notes == [
        "redis db 13 is NOT guarded (more than 3 keys in redis db 13): keys the suite writes "
        "stay from one run to the next and after `leaks`"
    ]
