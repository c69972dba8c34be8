import time
from decimal import Decimal

import pytest

from shopapp.orders import OrderService
from shopapp.pricing import Discount, order_total

pytestmark = pytest.mark.performance


def test_pricing_throughput():
    discount = Discount("percent", Decimal("15"))
    start = time.perf_counter()
    for cents in range(10_000):
        order_total(Decimal(cents) / 100, discount, rate=Decimal("0.08"))
    assert time.perf_counter() - start < 2.0


def test_checkout_throughput(db_session, gateway, customer_user, product_factory):
    service = OrderService(db_session, gateway)
    product = product_factory(stock=1_000)
    start = time.perf_counter()
    for _ in range(100):
        service.place_order(customer_user, [(product, 1)], "tok_visa")
    assert time.perf_counter() - start < 2.0
