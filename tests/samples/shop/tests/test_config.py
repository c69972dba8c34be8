from decimal import Decimal

from shopapp.config import Settings, get_settings


def test_default_currency_is_usd():
    assert get_settings().currency == "USD"


def test_default_tax_rate():
    assert Settings().tax_rate == Decimal("0.08")


def test_tax_rate_from_environment(monkeypatch):
    monkeypatch.setenv("SHOP_TAX_RATE", "0.2")
    assert Settings().tax_rate == Decimal("0.2")


def test_suite_runs_in_test_environment(settings):
    assert settings.environment == "test"
    assert not settings.is_production


def test_token_ttl_override(monkeypatch):
    monkeypatch.setenv("SHOP_TOKEN_TTL", "60")
    assert get_settings().token_ttl_seconds == 60
