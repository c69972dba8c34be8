"""HTTP helpers: signed webhook bodies, canned gateway payloads, waiting for a service."""

import json
import time

import requests

from tiersapp.webhooks import sign


def signed_event(event_type: str, secret: str, data: dict | None = None, timestamp: int | None = None):
    """Return (body, headers) for a PayBridge webhook call."""
    body = json.dumps({"id": "evt_1", "type": event_type, "data": data or {}}).encode()
    return body, {"Paybridge-Signature": sign(body, secret, timestamp), "Content-Type": "application/json"}


def gateway_charge(status: str = "succeeded", amount: int = 2900, **extra) -> dict:
    return {"id": "ch_123", "object": "charge", "status": status, "amount": amount, **extra}


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    """Poll a health endpoint until it answers 200 (used against docker-compose services)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not come up within {timeout}s")
        time.sleep(0.5)
