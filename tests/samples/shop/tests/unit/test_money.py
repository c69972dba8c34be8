from decimal import Decimal

import pytest

from shopapp.money import CurrencyMismatch, Money


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("1.005", "1.01"), ("2.5", "2.50"), (3, "3.00")],
)
def test_money_is_rounded_to_cents(raw, expected):
    assert Money.of(raw).amount == Decimal(expected)


def test_adding_different_currencies_fails():
    with pytest.raises(CurrencyMismatch):
        Money.of("1.00", "USD") + Money.of("1.00", "EUR")


def test_allocate_distributes_remainder():
    shares = Money.of("10.00").allocate(3)
    assert [s.amount for s in shares] == [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")]
    assert sum(s.amount for s in shares) == Decimal("10.00")


def test_format_uses_symbol():
    assert Money.of("1234.5", "EUR").format() == "€1,234.50"
    assert Money.of("7", "CHF").format() == "CHF 7.00"
