from profapp import store


def test_price():
    assert store.price(3, 0.5) == 1.5


def test_price_with_catalog(catalog):
    assert store.price(2, catalog["pear"]) == 1.5


def test_bulk_discount_is_slow():
    assert store.bulk_discount(150) == 0.1
