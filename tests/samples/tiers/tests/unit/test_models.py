"""Model tests. They run against SQLite in memory (``memory_session`` in tests/unit/conftest.py)."""

from tests.utils.factories import build_customer, usage_log
from tiersapp.models import Customer, Invoice, Plan, Subscription, SubscriptionStatus, UsageRecord


def test_customer_roundtrip(memory_session):
    customer = Customer(email="ann@example.test", name="Ann Lee", slug="ann-lee")
    memory_session.add(customer)
    memory_session.flush()
    memory_session.expire_all()
    loaded = memory_session.get(Customer, customer.id)
    assert loaded is not None
    assert loaded.email == "ann@example.test"
    assert loaded.slug == "ann-lee"


def test_plan_roundtrip(memory_session):
    plan = Plan(code="team", name="Team", seats=10)
    memory_session.add(plan)
    memory_session.flush()
    memory_session.expire_all()
    stored = memory_session.get(Plan, plan.id)
    assert stored is not None
    assert stored.code == "team"
    assert stored.seats == 10


def test_subscription_defaults_to_trial():
    subscription = Subscription(customer=build_customer(), external_id="sub_1")
    assert subscription.status is SubscriptionStatus.TRIAL
    assert subscription.cancelled_reason is None


def test_invoice_number_format():
    assert Invoice.format_number(2024, 7) == "INV-2024-00007"
    assert Invoice.format_number(2025, 12345).endswith("12345")


def test_deleting_customer_deletes_usage(memory_session):
    customer = build_customer(id=None)
    customer.usage.extend(usage_log(customer_id=None, days=3, units_per_day=10))
    memory_session.add(customer)
    memory_session.flush()
    memory_session.delete(customer)
    memory_session.flush()
    assert memory_session.query(UsageRecord).count() == 0
