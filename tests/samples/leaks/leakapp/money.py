"""Money formatting."""

from leakapp.settings import get_settings


def format_price(amount):
    return f"{amount:.2f} {get_settings().currency}"
