"""Fixtures shared by the project's tests."""

from __future__ import annotations

from tests.services import postgres, redis_url

__all__ = ["postgres", "redis_url"]
