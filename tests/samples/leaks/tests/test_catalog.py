from leakapp.catalog import PRODUCTS, load_catalog


def test_seed_catalog_matches_products():
    seed = load_catalog("tests/data/catalog.json")
    assert [p["sku"] for p in seed] == [p["sku"] for p in PRODUCTS]
