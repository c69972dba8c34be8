"""Load checks against the app, the database and Redis. Marked ``load``; nightly only."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

import pytest
import redis
from sqlalchemy import text

from tests.helpers.db import seed_plans
from tests.helpers.http import signed_event
from tiersapp.cache import RateLimiter

pytestmark = pytest.mark.load


def test_plans_endpoint_under_concurrent_load(client, db_session):
    seed_plans(db_session)
    with ThreadPoolExecutor(max_workers=32) as pool:
        futures = [pool.submit(client.get, "/plans") for _ in range(500)]
        statuses = [future.result().status_code for future in as_completed(futures)]
    assert statuses.count(200) == 500


async def test_fifty_concurrent_health_checks(async_client):
    started = time.monotonic()
    responses = await asyncio.gather(*(async_client.get("/health") for _ in range(50)))
    assert {r.status_code for r in responses} == {200}
    assert time.monotonic() - started < 2.0


def test_connection_pool_under_stress(engine):
    def ping(_):
        with engine.connect() as conn:
            return conn.execute(text("SELECT 1")).scalar()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(ping, range(200)))
    assert results == [1] * 200


def test_webhook_burst(client, settings):
    bodies = [signed_event("usage.reported", settings.webhook_secret, {"units": n}) for n in range(300)]
    started = time.perf_counter()
    codes = [client.post("/webhooks/paybridge", content=body, headers=headers).status_code for body, headers in bodies]
    elapsed = time.perf_counter() - started
    assert set(codes) == {204}
    assert elapsed / len(codes) < 0.01


def test_rate_limiter_throughput(settings):
    client = redis.Redis.from_url(settings.redis_url)
    limiter = RateLimiter(client, limit=10_000, window=60)
    started = time.perf_counter()
    allowed = sum(limiter.hit("bench") for _ in range(5_000))
    assert allowed == 5_000
    assert time.perf_counter() - started < 3.0
