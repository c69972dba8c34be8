"""Small text helpers: slugs, truncation, money formatting."""

import re
import unicodedata
from decimal import Decimal

_NON_WORD = re.compile(r"[^a-z0-9]+")
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def slugify(value: str) -> str:
    ascii_value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return _NON_WORD.sub("-", ascii_value.lower()).strip("-")


def truncate(value: str, width: int, placeholder: str = "…") -> str:
    if len(value) <= width:
        return value
    cut = value[: width - len(placeholder)].rsplit(" ", 1)[0]
    return cut + placeholder


def format_money(amount: Decimal, currency: str = "EUR", locale: str = "en") -> str:
    symbol = _SYMBOLS.get(currency, currency + " ")
    text = f"{amount:,.2f}"
    if locale == "de":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
        return f"{text} {symbol}"
    return f"{symbol}{text}"
