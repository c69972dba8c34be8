"""In-memory stand-ins for the repositories, the gateway, the cache and the mailer."""

import itertools
from datetime import date
from decimal import Decimal

from tiersapp.models import SubscriptionStatus
from tiersapp.payments import PaymentError


class InMemorySubscriptionRepository:
    def __init__(self):
        self.rows = {}
        self._ids = itertools.count(1)

    def add(self, subscription):
        subscription.id = subscription.id or next(self._ids)
        self.rows[subscription.id] = subscription
        return subscription

    def get(self, subscription_id):
        return self.rows.get(subscription_id)

    def by_external_id(self, external_id):
        return next((s for s in self.rows.values() if s.external_id == external_id), None)

    def active_for(self, customer_id):
        live = (SubscriptionStatus.TRIAL, SubscriptionStatus.ACTIVE)
        return [s for s in self.rows.values() if s.customer_id == customer_id and s.status in live]

    def cancel(self, subscription, reason=None):
        subscription.status = SubscriptionStatus.CANCELLED
        subscription.cancelled_reason = reason
        return subscription


class InMemoryInvoiceRepository:
    def __init__(self):
        self.invoices = []

    def add(self, invoice):
        invoice.id = len(self.invoices) + 1
        self.invoices.append(invoice)
        return invoice

    def for_customer(self, customer_id):
        return [invoice for invoice in self.invoices if invoice.customer_id == customer_id]


class FakeGateway:
    def __init__(self, decline: bool = False):
        self.decline = decline
        self.charges: list[tuple[Decimal, str, str]] = []

    def charge(self, amount, currency, token, idempotency_key=None):
        if self.decline:
            raise PaymentError("card_declined")
        self.charges.append((Decimal(amount), currency, token))
        return {"id": f"ch_{len(self.charges)}", "status": "succeeded"}


class DecliningGateway(FakeGateway):
    def charge(self, amount, currency, token, idempotency_key=None):
        return {"id": "ch_declined", "status": "failed", "decline_code": "insufficient_funds"}


class FakeCache:
    def __init__(self):
        self.data = {}

    def get(self, key):
        return self.data.get(key)

    def set(self, key, value, ex=None):
        self.data[key] = value

    def delete(self, key):
        self.data.pop(key, None)


class FrozenClock:
    def __init__(self, today: date):
        self._today = today

    def today(self) -> date:
        return self._today


class RecordingMailer:
    def __init__(self):
        self.sent = []

    async def send(self, to, subject, body):
        self.sent.append({"to": to, "subject": subject, "body": body})
