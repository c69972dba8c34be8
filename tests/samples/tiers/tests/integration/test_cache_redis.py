"""PlanCache and RateLimiter against a real Redis."""

from decimal import Decimal

import pytest

from tiersapp.api.schemas import PlanOut
from tiersapp.cache import PlanCache, RateLimiter
from tiersapp.models import Plan


@pytest.fixture
def basic_plan(db_session):
    tier = Plan(code="basic", name="Basic", monthly_price=Decimal("9.00"), seats=1)
    db_session.add(tier)
    db_session.flush()
    db_session.refresh(tier)
    return tier


def test_plan_cached_after_first_load(clean_redis, basic_plan):
    loads = []
    cache = PlanCache(clean_redis, ttl=120)

    def load(code):
        loads.append(code)
        return PlanOut.model_validate(basic_plan).model_dump(mode="json")

    cache.get_or_load("basic", load)
    cache.get_or_load("basic", load)
    assert loads == ["basic"]
    assert clean_redis.ttl("plan:basic") > 0


def test_invalidate_removes_key(clean_redis):
    cache = PlanCache(clean_redis)
    cache.set_plan("pro", {"code": "pro"})
    cache.invalidate("pro")
    assert clean_redis.exists("plan:pro") == 0


def test_rate_limit_window_expires(clean_redis):
    limiter = RateLimiter(clean_redis, limit=1, window=1)
    assert limiter.hit("cus_9")
    assert not limiter.hit("cus_9")
    assert clean_redis.pttl("rl:cus_9") <= 1000
