"""Client for the PayBridge card gateway (REST, JSON)."""

import uuid
from decimal import Decimal

import requests


class PaymentError(Exception):
    def __init__(self, code: str, message: str = ""):
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code


class PaymentGateway:
    def __init__(self, base_url: str, api_key: str, timeout: float = 10.0, session: requests.Session | None = None):
        if not api_key:
            raise ValueError("PayBridge api_key is required")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.http = session or requests.Session()

    def _headers(self, idempotency_key: str | None) -> dict:
        return {
            "Authorization": f"Bearer {self.api_key}",
            "Idempotency-Key": idempotency_key or uuid.uuid4().hex,
        }

    def charge(self, amount: Decimal, currency: str, token: str, idempotency_key: str | None = None) -> dict:
        try:
            response = self.http.post(
                f"{self.base_url}/charges",
                json={"amount": int(Decimal(amount) * 100), "currency": currency.lower(), "source": token},
                headers=self._headers(idempotency_key),
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise PaymentError("gateway_timeout", str(exc)) from exc
        body = response.json()
        if response.status_code == 402:
            raise PaymentError(body.get("decline_code", "card_declined"), body.get("message", ""))
        response.raise_for_status()
        return body

    def refund(self, charge_id: str, amount: Decimal, idempotency_key: str) -> dict:
        response = self.http.post(
            f"{self.base_url}/refunds",
            json={"charge": charge_id, "amount": int(Decimal(amount) * 100)},
            headers=self._headers(idempotency_key),
            timeout=self.timeout,
        )
        response.raise_for_status()
        return response.json()

    def health(self) -> bool:
        return self.http.get(f"{self.base_url}/health", timeout=self.timeout).ok
