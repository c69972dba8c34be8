"""Test data creation helpers.

Not a test module, despite the name: pytest collects it (it matches
``test_*.py``), finds no test functions, and skips ``TestDataFactory`` with a
PytestCollectionWarning because the class has an ``__init__``.
"""

import itertools
from decimal import Decimal

from shopapp.auth import hash_password
from shopapp.models import Order, OrderLine, OrderStatus, Product, User


class TestDataFactory:
    """Creates related objects in one session and remembers them for cleanup."""

    _ids = itertools.count(1)

    def __init__(self, session):
        self.session = session
        self.created = []

    def _save(self, obj):
        self.session.add(obj)
        self.session.flush()
        self.created.append(obj)
        return obj

    def create_user(self, **kwargs):
        n = next(self._ids)
        kwargs.setdefault("email", f"factory{n}@shop.example")
        kwargs.setdefault("hashed_password", hash_password("factory-password"))
        return self._save(User(**kwargs))

    def create_product(self, **kwargs):
        n = next(self._ids)
        kwargs.setdefault("sku", f"FAC-{n:04d}")
        kwargs.setdefault("name", f"Factory product {n}")
        kwargs.setdefault("price", Decimal("10.00"))
        kwargs.setdefault("stock", 100)
        return self._save(Product(**kwargs))

    def create_order(self, user, items, status=OrderStatus.PAID):
        lines = [OrderLine(product_id=p.id, quantity=q, unit_price=p.price) for p, q in items]
        order = self._save(Order(user_id=user.id, lines=lines, status=status))
        for line in lines:
            line.order_id = order.id
            self._save(line)
        return order

    def cleanup_all(self):
        for obj in reversed(self.created):
            self.session.delete(obj)
        self.session.flush()
        self.created.clear()
