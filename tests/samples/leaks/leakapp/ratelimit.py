"""Fixed-window rate limiting per client key."""

import time

from leakapp import config


class RateLimiter:
    def __init__(self, limit=None, window=None):
        self.limit = limit if limit is not None else config.RATE_LIMIT_PER_MINUTE
        self.window = window if window is not None else config.RATE_LIMIT_WINDOW_SECONDS
        self._hits = {}

    def allow(self, key):
        now = time.monotonic()
        start, count = self._hits.get(key, (now, 0))
        if now - start >= self.window:
            start, count = now, 0
        if count >= self.limit:
            return False
        self._hits[key] = (start, count + 1)
        return True
