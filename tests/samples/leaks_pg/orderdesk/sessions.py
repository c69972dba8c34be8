"""Login sessions in Redis: ``<prefix>session:<token>`` -> email."""

from __future__ import annotations

import secrets

from redis import Redis


class SessionStore:
    def __init__(self, client: Redis, prefix: str = "orderdesk:") -> None:
        self.client = client
        self.prefix = prefix

    def login(self, email: str) -> str:
        token = secrets.token_hex(8)
        self.client.set(f"{self.prefix}session:{token}", email, ex=3600)
        return token

    def logout(self, token: str) -> None:
        self.client.delete(f"{self.prefix}session:{token}")

    def who(self, token: str) -> str | None:
        value = self.client.get(f"{self.prefix}session:{token}")
        return value.decode() if value is not None else None

    def active_count(self) -> int:
        return sum(1 for _ in self.client.scan_iter(match=f"{self.prefix}session:*"))
