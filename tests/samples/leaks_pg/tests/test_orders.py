from __future__ import annotations

from decimal import Decimal

from orderdesk.orders import OrderService


def test_checkout_places_order(db_session):
    order = OrderService(db_session).checkout(
        "frank@example.com", [Decimal("19.90"), Decimal("5.10")]
    )
    assert order.id is not None
    assert order.total == Decimal("25.00")
    assert order.status == "placed"
