from decimal import Decimal

import pytest

from shopapp.models import Product
from shopapp.pricing import VIP_DISCOUNT, line_total, order_total, tax_for


@pytest.fixture
def sample_product(db_session):
    product = Product(sku="MUG-0001", name="Coffee mug", price=Decimal("12.50"), stock=10)
    db_session.add(product)
    db_session.flush()
    return product


def test_line_total_for_sample_product(sample_product):
    assert line_total(sample_product.price, 4) == Decimal("50.00")


def test_tax_uses_configured_rate(monkeypatch):
    monkeypatch.setenv("SHOP_TAX_RATE", "0.19")
    assert tax_for(Decimal("100.00")) == Decimal("19.00")


def test_tax_with_explicit_rate():
    assert tax_for(Decimal("19.99"), Decimal("0.07")) == Decimal("1.40")


def test_order_total_without_discount():
    assert order_total(Decimal("20.00"), rate=Decimal("0.10")) == Decimal("22.00")


def test_vip_discount_code():
    assert VIP_DISCOUNT.code == "VIP10"
    assert VIP_DISCOUNT.amount_for(Decimal("80.00")) == Decimal("8.00")
