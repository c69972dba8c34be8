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


def test_restock_by_sku(db_session, sample_product):
    InventoryService(db_session).restock("MUG-0001", 5)
    assert db_session.get(Product, sample_product.id).stock == 15


def test_restock_unknown_sku(db_session):
    with pytest.raises(LookupError):
        InventoryService(db_session).restock("NOPE-0000", 1)


def test_reservation_is_visible_to_other_services(db_session, sample_product):
    InventoryService(db_session).reserve(sample_product, 10)
    with pytest.raises(OutOfStock):
        InventoryService(db_session).reserve(sample_product, 1)


def test_low_stock_excludes_inactive_products(db_session, sample_product, product_factory):
    product_factory(sku="OLD-0001", stock=1, active=False)
    sample_product.stock = 3
    assert [p.sku for p in InventoryService(db_session).low_stock()] == ["MUG-0001"]
