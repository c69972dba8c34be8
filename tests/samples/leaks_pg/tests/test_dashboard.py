from __future__ import annotations

from decimal import Decimal

from orderdesk.models import Order
from orderdesk.orders import sales_total


def test_revenue_is_zero_without_orders(db_session):
    assert sales_total(db_session) == Decimal("0")


def test_pending_order_counts_in_its_session(db_session):
    before = sales_total(db_session)
    db_session.add(Order(customer_email="erin@example.com", total=Decimal("5.00")))
    db_session.flush()
    assert sales_total(db_session) == before + Decimal("5.00")
