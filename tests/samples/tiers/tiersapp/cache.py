"""Redis-backed plan cache and a fixed-window rate limiter."""

import json


class PlanCache:
    def __init__(self, redis, ttl: int = 300, prefix: str = "plan:"):
        self.redis = redis
        self.ttl = ttl
        self.prefix = prefix

    def get_plan(self, code: str) -> dict | None:
        raw = self.redis.get(self.prefix + code)
        return json.loads(raw) if raw is not None else None

    def set_plan(self, code: str, data: dict) -> None:
        self.redis.set(self.prefix + code, json.dumps(data), ex=self.ttl)

    def invalidate(self, code: str) -> None:
        self.redis.delete(self.prefix + code)

    def get_or_load(self, code: str, loader) -> dict | None:
        cached = self.get_plan(code)
        if cached is None:
            cached = loader(code)
            if cached is not None:
                self.set_plan(code, cached)
        return cached


class RateLimiter:
    def __init__(self, redis, limit: int, window: int = 60):
        self.redis = redis
        self.limit = limit
        self.window = window

    def hit(self, key: str) -> bool:
        count = self.redis.incr(f"rl:{key}")
        if count == 1:
            self.redis.expire(f"rl:{key}", self.window)
        return count <= self.limit
