from __future__ import annotations

from orderdesk.accounts import welcome_message


def test_welcome_email_for_new_customer(customer):
    assert welcome_message(customer) == "Welcome to orderdesk, Casey!"
