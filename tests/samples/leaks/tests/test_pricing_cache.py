from leakapp import pricing


class CountingCatalog:
    def __init__(self, prices):
        self.prices = prices
        self.lookups = 0

    def price_of(self, sku):
        self.lookups += 1
        return self.prices[sku]


def test_quotes_are_cached():
    pricing.flush_cache()
    catalog = CountingCatalog({"TEA-001": 8.5})
    assert pricing.quote(catalog, "TEA-001") == 8.5
    assert pricing.quote(catalog, "TEA-001") == 8.5
    assert catalog.lookups == 1


def test_invalidate_drops_a_quote():
    pricing.quote(CountingCatalog({"TEA-001": 8.5}), "TEA-001")
    pricing.invalidate("TEA-001")
    assert "TEA-001" not in pricing.cached_skus()


def test_price_change_is_quoted():
    catalog = CountingCatalog({"TEA-001": 9.0})
    assert pricing.quote(catalog, "TEA-001") == 9.0
