"""PayBridge client, with the HTTP layer mocked."""

import unittest
from decimal import Decimal
from unittest.mock import patch

import pytest
import requests
import responses

from tests.helpers.http import gateway_charge
from tiersapp.payments import PaymentError, PaymentGateway

BASE = "https://api.paybridge.example/v1"


@pytest.fixture
def gateway():
    return PaymentGateway(BASE, api_key="sk_test_123", timeout=2)


@responses.activate
def test_charge_posts_amount_in_cents(gateway):
    responses.post(f"{BASE}/charges", json=gateway_charge(amount=2900))
    result = gateway.charge(Decimal("29.00"), "EUR", token="tok_visa")
    assert result["status"] == "succeeded"
    sent = responses.calls[0].request
    assert b'"amount": 2900' in sent.body
    assert sent.headers["Authorization"] == "Bearer sk_test_123"


def test_refund_sends_idempotency_key(gateway, requests_mock):
    requests_mock.post(f"{BASE}/refunds", json={"id": "re_1", "status": "pending"})
    gateway.refund("ch_123", Decimal("5.00"), idempotency_key="refund-ch_123-1")
    assert requests_mock.call_count == 1
    assert requests_mock.last_request.headers["Idempotency-Key"] == "refund-ch_123-1"
    assert requests_mock.last_request.json() == {"charge": "ch_123", "amount": 500}


def test_timeout_becomes_payment_error(gateway):
    with patch("requests.Session.post", side_effect=requests.Timeout("read timed out")) as post:
        error = pytest.raises(PaymentError, gateway.charge, Decimal("9.00"), "EUR", token="tok_visa").value
    assert error.code == "gateway_timeout"
    assert post.call_args.kwargs["timeout"] == 2


@responses.activate
def test_decline_code_is_kept(gateway):
    responses.post(
        f"{BASE}/charges",
        status=402,
        json={"decline_code": "insufficient_funds", "message": "Insufficient funds"},
    )
    with pytest.raises(PaymentError, match="insufficient_funds") as excinfo:
        gateway.charge(Decimal("499.00"), "EUR", token="tok_chargeDeclined")
    assert excinfo.value.code == "insufficient_funds"


def test_sandbox_gateway_is_reachable(settings):
    response = requests.get(f"{settings.gateway_url}/health", timeout=5)
    assert response.status_code == 200


class TestGatewayConfig(unittest.TestCase):
    def test_api_key_is_required(self):
        with self.assertRaises(ValueError):
            PaymentGateway(BASE, api_key="")

    def test_trailing_slash_is_stripped(self):
        gateway = PaymentGateway(BASE + "/", api_key="sk_test_123")
        self.assertEqual(gateway.base_url, BASE)
        self.assertEqual(gateway.timeout, 10.0)
