"""Runtime settings, read from TIERS_* environment variables (and .env in development)."""

from functools import lru_cache

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIERS_", env_file=".env", extra="ignore")

    env: str = "dev"
    database_url: str = "postgresql+psycopg://tiers:tiers@localhost:5432/tiers"
    async_database_url: str = "postgresql://tiers:tiers@localhost:5432/tiers"
    redis_url: str = "redis://localhost:6379/0"
    gateway_url: str = "https://api.paybridge.example/v1"
    gateway_api_key: str = ""
    rates_url: str = "https://rates.tiers.example/v2"
    s3_bucket: str = "tiers-invoices"
    s3_endpoint_url: str | None = None
    export_dir: str = "/var/tmp/tiers/exports"
    webhook_secret: str = "whsec_dev"
    jwt_secret: str = "dev-only-secret"
    default_currency: str = "EUR"
    trial_days: int = 14


@lru_cache
def get_settings() -> Settings:
    return Settings()
