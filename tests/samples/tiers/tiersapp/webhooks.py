"""PayBridge webhooks: signatures (t=<ts>,v1=<hmac>) and event parsing."""

import hashlib
import hmac
import json
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    data: dict


def sign(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(payload: bytes, header: str, secret: str, tolerance: int = 300, now: int | None = None) -> bool:
    try:
        parts = dict(item.split("=", 1) for item in header.split(","))
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(payload, secret, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def parse_event(payload: bytes) -> Event:
    body = json.loads(payload)
    return Event(id=body["id"], type=body["type"], data=body.get("data", {}))
