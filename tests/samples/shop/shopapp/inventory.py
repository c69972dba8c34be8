"""Stock reservation."""

from __future__ import annotations

from shopapp.db import Session
from shopapp.models import Product
from shopapp.validators import validate_quantity


class OutOfStock(Exception):
    def __init__(self, sku: str, requested: int, available: int) -> None:
        super().__init__(f"{sku}: requested {requested}, available {available}")
        self.sku = sku
        self.requested = requested
        self.available = available


class InventoryService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def available(self, product: Product) -> int:
        return product.stock if product.active else 0

    def reserve(self, product: Product, quantity: int) -> None:
        validate_quantity(quantity)
        if quantity > self.available(product):
            raise OutOfStock(product.sku, quantity, self.available(product))
        product.stock -= quantity
        self.session.add(product)
        self.session.flush()

    def release(self, product: Product, quantity: int) -> None:
        product.stock += validate_quantity(quantity)
        self.session.add(product)
        self.session.flush()

    def restock(self, sku: str, quantity: int) -> Product:
        product = self.session.query(Product).filter_by(sku=sku).one()
        return self._add(product, quantity)

    def _add(self, product: Product, quantity: int) -> Product:
        product.stock += validate_quantity(quantity)
        self.session.add(product)
        self.session.flush()
        return product

    def low_stock(self, threshold: int = 5) -> list[Product]:
        return (
            self.session.query(Product)
            .filter(lambda p: p.active and p.stock <= threshold)
            .order_by("sku")
            .all()
        )
