from leakapp.money import format_price
from leakapp.settings import get_settings


def test_prices_render_in_euros():
    assert format_price(9.5) == "9.50 EUR"


def test_currency_can_be_configured(monkeypatch):
    monkeypatch.setenv("LEAKAPP_CURRENCY", "USD")
    get_settings.cache_clear()  # pick up the new environment
    assert format_price(9.5) == "9.50 USD"
