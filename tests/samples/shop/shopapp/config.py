"""Settings read from the environment (12-factor style)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from decimal import Decimal


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


@dataclass(frozen=True)
class Settings:
    environment: str = field(default_factory=lambda: _env("SHOP_ENV", "development"))
    database_url: str = field(default_factory=lambda: _env("DATABASE_URL", "sqlite://"))
    currency: str = field(default_factory=lambda: _env("SHOP_CURRENCY", "USD"))
    tax_rate: Decimal = field(
        default_factory=lambda: Decimal(_env("SHOP_TAX_RATE", "0.08"))
    )
    payments_mode: str = field(default_factory=lambda: _env("PAYMENTS_MODE", "sandbox"))
    secret_key: str = field(default_factory=lambda: _env("SHOP_SECRET_KEY", "dev-secret"))
    token_ttl_seconds: int = field(
        default_factory=lambda: int(_env("SHOP_TOKEN_TTL", "3600"))
    )

    @property
    def is_production(self) -> bool:
        return self.environment == "production"


def get_settings() -> Settings:
    return Settings()
