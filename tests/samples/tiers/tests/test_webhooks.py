"""PayBridge webhooks: signing, verification and the receiving endpoint."""

import time

from tests.helpers.http import signed_event
from tiersapp.api.main import app
from tiersapp.webhooks import parse_event, sign, verify

SECRET = "whsec_test"


def test_signature_roundtrip():
    payload = b'{"id": "evt_1", "type": "invoice.paid"}'
    header = sign(payload, SECRET, timestamp=1_700_000_000)
    assert header.startswith("t=1700000000,v1=")
    assert verify(payload, header, SECRET, now=1_700_000_060)


def test_tampered_payload_rejected():
    body, headers = signed_event("invoice.paid", SECRET, {"amount": 2900})
    tampered = body.replace(b"2900", b"1")
    assert verify(tampered, headers["Paybridge-Signature"], SECRET) is False


def test_stale_signature_rejected():
    header = sign(b"{}", SECRET, timestamp=1_000)
    assert not verify(b"{}", header, SECRET, tolerance=300, now=1_000 + 301)


def test_parse_event_keeps_data():
    event = parse_event(b'{"id": "evt_9", "type": "charge.refunded", "data": {"charge": "ch_1"}}')
    assert (event.id, event.type) == ("evt_9", "charge.refunded")
    assert event.data["charge"] == "ch_1"


def test_endpoint_accepts_signed_event(client, settings, monkeypatch):
    monkeypatch.setenv("TIERS_WEBHOOK_SECRET", settings.webhook_secret)
    body, headers = signed_event("invoice.paid", settings.webhook_secret)
    response = client.post("/webhooks/paybridge", content=body, headers=headers)
    assert response.status_code == 204
    assert app.state.events[-1].type == "invoice.paid"


def test_endpoint_rejects_unsigned_body(client):
    forged = {"Paybridge-Signature": "t=1,v1=00"}
    response = client.post("/webhooks/paybridge", content=b"{}", headers=forged)
    assert (response.status_code, response.json()) == (400, {"detail": "bad signature"})
    assert not app.state.events


def test_verify_is_fast_enough_for_bursts():
    body, headers = signed_event("usage.reported", SECRET, {"units": 12})
    header = headers["Paybridge-Signature"]
    started = time.perf_counter()
    for _ in range(20_000):
        verify(body, header, SECRET)
    per_call = (time.perf_counter() - started) / 20_000
    assert per_call < 50e-6
