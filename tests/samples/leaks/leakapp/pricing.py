"""Price quotes, cached in-process to spare the catalog service."""

_quote_cache = {}


def quote(catalog, sku):
    if sku not in _quote_cache:
        _quote_cache[sku] = catalog.price_of(sku)
    return _quote_cache[sku]


def invalidate(sku):
    _quote_cache.pop(sku, None)


def flush_cache():
    _quote_cache.clear()


def cached_skus():
    return sorted(_quote_cache)
