"""Billing run: invoices, VAT, coupons and charging, end to end through the services."""

from decimal import Decimal

import pytest

from tests.utils.factories import build_customer, build_subscription
from tests.utils.fakes import DecliningGateway, FakeGateway, InMemoryInvoiceRepository
from tiersapp.models import Plan, SubscriptionStatus
from tiersapp.pricing import prorate, proration_delta
from tiersapp.services import BillingService

pytestmark = pytest.mark.integration


@pytest.fixture
def plan_catalog():
    catalog = {}
    for code, price, limit in [("free", "0.00", 1_000), ("pro", "29.00", 50_000), ("enterprise", "499.00", 1_000_000)]:
        catalog[code] = Plan(code=code, name=code.title(), monthly_price=Decimal(price), unit_limit=limit)
    return catalog


@pytest.fixture
def billing(plan_catalog):
    return BillingService(InMemoryInvoiceRepository(), FakeGateway(), plan_catalog)


def test_invoice_includes_vat_for_customer_country(billing, plan_catalog):
    customer = build_customer(country="FR")
    invoice = billing.invoice_for(customer, build_subscription(customer=customer, plan=plan_catalog["pro"]))
    assert invoice.amount == Decimal("29.00")
    assert invoice.tax == Decimal("5.80")
    assert invoice.total == Decimal("34.80")


def test_declined_charge_leaves_invoice_unpaid(plan_catalog):
    billing = BillingService(InMemoryInvoiceRepository(), DecliningGateway(), plan_catalog)
    subscription = build_subscription(plan=plan_catalog["enterprise"])
    invoice = billing.invoice_for(subscription.customer, subscription)
    assert billing.charge(invoice) is False
    assert not invoice.paid


def test_billing_run_skips_cancelled(billing, plan_catalog):
    live = build_subscription(plan=plan_catalog["pro"], id=11)
    gone = build_subscription(plan=plan_catalog["pro"], id=12, status=SubscriptionStatus.CANCELLED)
    issued = billing.run([live, gone])
    assert [invoice.subscription_id for invoice in issued] == [11]
    assert billing.gateway.charges[0][2].startswith("inv_")


def test_coupon_applies_once_per_customer(billing, plan_catalog):
    customer = build_customer()
    subscription = build_subscription(customer=customer, plan=plan_catalog["pro"])
    first = billing.invoice_for(customer, subscription, coupon="WELCOME10")
    second = billing.invoice_for(customer, subscription, coupon="WELCOME10")
    assert first.amount == Decimal("26.10")
    assert second.amount == Decimal("29.00")


def test_proration_credit_on_downgrade():
    previous_price = Decimal("99.00")
    target_price = Decimal("29.00")
    remaining = 10
    credit = proration_delta(previous_price, target_price, remaining, 30)
    assert credit == Decimal("-23.33")
    assert credit.is_signed() is True
    refunded = prorate(target_price, remaining, 30) - prorate(previous_price, remaining, 30)
    assert refunded == credit
