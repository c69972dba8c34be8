"""Builders for model objects.

``build_*`` return unsaved objects (no database). ``create_*`` add them to the
session they are given and flush.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import factory

from tiersapp.models import Customer, Invoice, Plan, Subscription, SubscriptionStatus, UsageRecord

_ids = itertools.count(1)


class PlanFactory(factory.Factory):
    class Meta:
        model = Plan

    code = factory.Sequence(lambda n: f"plan-{n}")
    name = factory.LazyAttribute(lambda plan: plan.code.title())
    monthly_price = Decimal("29.00")
    seats = 1
    unit_limit = 50_000


def build_customer(**overrides) -> Customer:
    number = next(_ids)
    fields = {
        "id": number,
        "email": f"customer{number}@example.test",
        "name": f"Customer {number}",
        "slug": f"customer-{number}",
        "country": "DE",
    }
    fields.update(overrides)
    return Customer(**fields)


def build_subscription(customer=None, plan=None, **overrides) -> Subscription:
    customer = customer or build_customer()
    plan = plan or PlanFactory()
    subscription = Subscription(customer=customer, plan=plan, external_id=f"sub_{next(_ids):06d}", **overrides)
    subscription.customer_id = customer.id
    return subscription


def build_subscription_row(status="trial", **overrides) -> Subscription:
    """A subscription with ids only, for inserting next to existing customers and plans."""
    overrides.setdefault("plan_id", 1)
    return Subscription(status=SubscriptionStatus(status), external_id=f"sub_{next(_ids):06d}", **overrides)


def build_invoice(amount="19.00", paid=True, issued_on=None, **overrides) -> Invoice:
    number = next(_ids)
    return Invoice(
        number=Invoice.format_number(2024, number),
        customer_id=overrides.pop("customer_id", 1),
        amount=Decimal(amount),
        tax=Decimal("0"),
        issued_on=issued_on or date(2024, 3, 1),
        paid=paid,
        **overrides,
    )


def usage_log(customer_id: int, days: int, units_per_day: int, start: date = date(2024, 1, 1)) -> list[UsageRecord]:
    return [
        UsageRecord(customer_id=customer_id, day=start + timedelta(days=offset), units=units_per_day)
        for offset in range(days)
    ]


def create_customer(session, **overrides) -> Customer:
    overrides.setdefault("id", None)
    customer = build_customer(**overrides)
    session.add(customer)
    session.flush()
    return customer


def create_subscription(session, customer, plan, **overrides) -> Subscription:
    subscription = build_subscription(customer=customer, plan=plan, **overrides)
    session.add(subscription)
    session.flush()
    return subscription


def create_invoice(session, **overrides) -> Invoice:
    customer_id = overrides.pop("customer_id", None) or create_customer(session).id
    invoice = build_invoice(customer_id=customer_id, **overrides)
    session.add(invoice)
    session.flush()
    return invoice
