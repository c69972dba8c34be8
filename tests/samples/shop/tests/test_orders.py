import time
from decimal import Decimal

import pytest

from shopapp.models import OrderStatus
from shopapp.notifications import outbox
from shopapp.orders import EmptyOrder, OrderService


@pytest.fixture
def service(db_session, gateway):
    return OrderService(db_session, gateway)


def test_place_order_charges_and_confirms(service, customer_user, product_factory):
    keyboard = product_factory(sku="KEY-0001", price=Decimal("49.00"), stock=10)
    order = service.place_order(customer_user, [(keyboard, 2)], token="tok_visa")
    assert order.status is OrderStatus.PAID
    assert order.charge_id.startswith("ch_")
    assert order.total == Decimal("105.84")  # 98.00 + 8% tax
    assert keyboard.stock == 8
    assert outbox[-1].to == customer_user.email


def test_order_currency_follows_settings(service, customer_user, product_factory):
    order = service.create(customer_user, [(product_factory(), 1)])
    assert order.currency == "USD"


def test_empty_order_is_rejected(service, customer_user):
    with pytest.raises(EmptyOrder):
        service.create(customer_user, [])


def test_cancel_pending_order(service, customer_user, product_factory):
    order = service.create(customer_user, [(product_factory(stock=3), 1)])
    service.cancel(order)


def test_cancel_paid_order_refunds(service, gateway, order_factory):
    order = order_factory()
    service.cancel(order)
    assert order.status is OrderStatus.CANCELLED
    assert gateway.refunds == [order.charge_id]


def test_bulk_order_creation_is_fast(service, customer_user, product_factory):
    product = product_factory(stock=10_000)
    start = time.perf_counter()
    for _ in range(200):
        service.create(customer_user, [(product, 1)])
    elapsed = time.perf_counter() - start
    assert product.stock == 9_800
    assert elapsed < 0.5
