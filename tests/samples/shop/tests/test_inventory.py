from decimal import Decimal

import pytest

from shopapp.inventory import InventoryService, OutOfStock
from shopapp.models import Product


@pytest.fixture
def sample_product(db_session):
    product = Product(sku="MUG-0001", name="Coffee mug", price=Decimal("12.50"), stock=10)
    db_session.add(product)
    db_session.flush()
    return product


@pytest.fixture
def inventory(db_session):
    return InventoryService(db_session)


def test_reserve_decrements_stock(inventory, sample_product):
    inventory.reserve(sample_product, 3)
    assert sample_product.stock == 7


def test_reserve_more_than_available(inventory, sample_product):
    with pytest.raises(OutOfStock) as excinfo:
        inventory.reserve(sample_product, 11)
    assert excinfo.value.available == 10
    assert sample_product.stock == 10


def test_release_restores_stock(inventory, sample_product):
    inventory.reserve(sample_product, 4)
    inventory.release(sample_product, 4)
    assert sample_product.stock == 10


def test_inactive_product_has_no_stock(inventory, sample_product):
    sample_product.active = False
    assert inventory.available(sample_product) == 0


def test_low_stock_report(inventory, product_factory):
    product_factory(sku="LOW-0002", stock=2)
    product_factory(sku="LOW-0001", stock=0)
    product_factory(sku="BIG-0001", stock=50)
    assert [p.sku for p in inventory.low_stock()] == ["LOW-0001", "LOW-0002"]
