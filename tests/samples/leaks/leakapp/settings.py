"""Runtime settings."""

import os
from functools import lru_cache


class Settings:
    # Show tracebacks in 500 responses. Never on in production.
    debug = False

    def __init__(self, currency="EUR", store_name="leakapp"):
        self.currency = currency
        self.store_name = store_name


@lru_cache
def get_settings():
    """Read settings from the environment once per process (FastAPI style)."""
    return Settings(
        currency=os.environ.get("LEAKAPP_CURRENCY", "EUR"),
        store_name=os.environ.get("LEAKAPP_STORE_NAME", "leakapp"),
    )
