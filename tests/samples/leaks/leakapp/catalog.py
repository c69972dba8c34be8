"""Product catalog."""

import json
from pathlib import Path

PRODUCTS = (
    {"sku": "TEA-001", "name": "Sencha Green Tea", "price": 8.5},
    {"sku": "TEA-002", "name": "Earl Grey", "price": 6.0},
    {"sku": "MUG-010", "name": "Stoneware Mug", "price": 12.0},
)


def load_catalog(path):
    with Path(path).open() as fh:
        return json.load(fh)["products"]
