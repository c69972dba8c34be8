from __future__ import annotations

from orderdesk.accounts import welcome_message
from orderdesk.models import User


def test_welcome_uses_the_name():
    assert welcome_message(User(email="ivy@example.com", name="Ivy")).endswith("Ivy!")
