"""Tests for the text helpers in tiersapp.text.

The slug tests create real customers because slug uniqueness is enforced by
the database (see tests/helpers/db.py).
"""

from decimal import Decimal

from tests.helpers.db import count_rows, make_user
from tiersapp.models import Customer
from tiersapp.text import format_money, slugify, truncate


def test_slugify_roundtrip():
    customer = make_user("Zoë Müller-Lüdenscheidt")
    assert customer.slug == "zoe-muller-ludenscheidt"
    assert slugify(customer.name) == customer.slug


def test_duplicate_names_get_numbered_slugs():
    first = make_user("Acme GmbH", email="a1@acme.test")
    second = make_user("Acme GmbH", email="a2@acme.test")
    assert first.slug != second.slug
    assert second.slug.startswith("acme-gmbh-")


def test_truncate_breaks_on_word_boundary():
    text = "Enterprise plan with dedicated support"
    assert truncate(text, 20) == "Enterprise plan…"
    assert truncate(text, 100) is text


def test_make_user_adds_exactly_one_row():
    before = count_rows(Customer)
    make_user("Row Counter")
    assert count_rows(Customer) == before + 1


def test_format_money_german_locale():
    assert format_money(Decimal("1234.5"), "EUR", locale="de") == "1.234,50 €"
    assert format_money(Decimal("1234.5"), "USD") == "$1,234.50"
