"""Plan cache and rate limiter."""

import fakeredis
import pytest
import redis

from tests.utils.fakes import FakeCache
from tiersapp.cache import PlanCache, RateLimiter


@pytest.fixture
def fake_redis():
    server = fakeredis.FakeServer()
    return fakeredis.FakeRedis(server=server, decode_responses=True)


def test_set_then_get_roundtrips(fake_redis):
    cache = PlanCache(fake_redis, ttl=60)
    cache.set_plan("pro", {"code": "pro", "price": "29.00"})
    assert cache.get_plan("pro") == {"code": "pro", "price": "29.00"}
    assert 0 < fake_redis.ttl("plan:pro") <= 60


def test_loader_called_once_on_miss():
    loads = []
    cache = PlanCache(FakeCache())
    for _ in range(3):
        cache.get_or_load("team", lambda code: loads.append(code) or {"code": code})
    assert loads == ["team"]


def test_rate_limiter_blocks_after_limit(fake_redis):
    limiter = RateLimiter(fake_redis, limit=2, window=30)
    results = [limiter.hit("cus_1") for _ in range(3)]
    assert results == [True, True, False]


def test_limiter_against_local_redis():
    client = redis.Redis(host="localhost", port=6379, db=15)
    client.delete("rl:smoke")
    limiter = RateLimiter(client, limit=1, window=5)
    assert limiter.hit("smoke") is True
    assert limiter.hit("smoke") is False
