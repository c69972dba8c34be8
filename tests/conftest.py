"""Fixtures shared by the project's tests."""

from __future__ import annotations

from tests.services import postgres, redis_url, scratch_database, scratch_redis

__all__ = ["postgres", "redis_url", "scratch_database", "scratch_redis"]
